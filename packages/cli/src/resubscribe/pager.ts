/**
 * The pager's filter on the alert topic for `resubscribe`: the policy's `page` severity, from
 * the policy file `sst deploy` reads (stacks/policy.ts): `SECRETWATCH_POLICY_FILE` of the stage's
 * settings, else secretwatch.policy.yaml, both relative to the repository; no file, the
 * defaults. `--policy <file>` names another. The filter policy itself comes from core
 * (pager-filter.ts), as the stack's does.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
import path from "node:path";
import { type PagerFilter, pagerFilter, type Severity } from "@secretwatch/core";
import { type DoctorSettings, findRepository } from "../doctor/settings.js";
import type { Io } from "../io.js";
import { loadPolicy } from "../policy-file.js";

export interface StagePagerFilter {
  page: Severity;
  attributes: PagerFilter;
  /** The policy file read (as named in messages), or null for the defaults. */
  policyFile: string | null;
  warnings: string[];
}

/** The stage's pager filter; a {@link UserError} (from loadPolicy) when the policy file is missing or invalid. */
export async function stagePagerFilter(
  io: Io,
  settings: DoctorSettings,
  policyFile?: string,
): Promise<StagePagerFilter> {
  let loaded: Awaited<ReturnType<typeof loadPolicy>>;
  if (policyFile !== undefined) {
    loaded = await loadPolicy(io, policyFile);
  } else {
    const { env, stageFile } = settings;
    const root =
      findRepository(io.cwd) ?? (stageFile === null ? undefined : findRepository(path.dirname(stageFile))) ?? io.cwd;
    loaded = await loadPolicy({ ...io, cwd: root, env }, undefined);
  }
  const page = loaded.compiled.policy.page;
  const name = loaded.path === null ? null : path.relative(io.cwd, loaded.path) || loaded.path;
  return { page, attributes: pagerFilter(page), policyFile: name, warnings: loaded.warnings };
}
