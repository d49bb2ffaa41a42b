/**
 * The policy file: YAML parsed with `yaml`, validated by one zod schema that also produces the
 * committed JSON Schema. STUB: the signatures are the contract; the implementation is being written.
 */
import path from "node:path";
import { type CompiledPolicy, compilePolicy, DEFAULT_POLICY, type Policy } from "./policy.js";

/** The default policy file, at the repository root. */
export const POLICY_FILE_DEFAULT = "secretwatch.policy.yaml";
/** Names another policy file, relative to the repository root. */
export const POLICY_FILE_SETTING = "SECRETWATCH_POLICY_FILE";

/** One problem (or warning) of a policy file: where (`expected[3].principal`, line) and what. */
export interface PolicyProblem {
  path: string;
  line: number | null;
  message: string;
}

export type PolicyParseResult =
  | { ok: true; policy: Policy; compiled: CompiledPolicy; warnings: PolicyProblem[] }
  | { ok: false; problems: PolicyProblem[]; warnings: PolicyProblem[] };

/** The policy file of a repository: `SECRETWATCH_POLICY_FILE` (relative to the root) or the default; `configured` when the setting names it. */
export function resolvePolicyPath(
  repoRoot: string,
  env: Readonly<Record<string, string | undefined>>,
): { path: string; configured: boolean } {
  const named = env[POLICY_FILE_SETTING]?.trim();
  return { path: path.resolve(repoRoot, named || POLICY_FILE_DEFAULT), configured: Boolean(named) };
}

/** Parses and validates a policy document; every problem at once. */
export function parsePolicyDocument(text: string, source: string): PolicyParseResult {
  void text;
  return { ok: true, policy: DEFAULT_POLICY, compiled: compilePolicy(DEFAULT_POLICY, source), warnings: [] };
}

/** `file:line: path: message` for a person. */
export function formatPolicyProblem(problem: PolicyProblem, file: string): string {
  const where = problem.line === null ? file : `${file}:${problem.line}`;
  return `${where}: ${problem.path ? `${problem.path}: ` : ""}${problem.message}`;
}
