/**
 * Where a repository's policy file is: its default name and the setting that names another.
 * Apart from the parser (policy-schema.ts, with yaml and zod), so that finding the file costs
 * no parser load (the CLI's start-up).
 */
import path from "node:path";

/** The default policy file, at the repository root. */
export const POLICY_FILE_DEFAULT = "secretwatch.policy.yaml";
/** Names another policy file, relative to the repository root. */
export const POLICY_FILE_SETTING = "SECRETWATCH_POLICY_FILE";

/** The policy file of a repository: `SECRETWATCH_POLICY_FILE` (relative to the root) or the default; `configured` when the setting names it. */
export function resolvePolicyPath(
  repoRoot: string,
  env: Readonly<Record<string, string | undefined>>,
): { path: string; configured: boolean } {
  const named = env[POLICY_FILE_SETTING]?.trim();
  return { path: path.resolve(repoRoot, named || POLICY_FILE_DEFAULT), configured: Boolean(named) };
}
