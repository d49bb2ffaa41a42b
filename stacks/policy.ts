/**
 * The detection policy, read when `run()` starts (sst.config.ts imports this module right after
 * ./settings): a bad policy stops `sst deploy` with every problem listed, before any resource
 * is declared; `sst remove` never reads it. The validated policy is compiled to JSON, written
 * under `.sst/` (gitignored) and shipped inside the enricher's package with `copyFiles`:
 * Lambda environment variables hold 4 KB in all, and a policy of hundreds of rules does not fit.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (environment variables: 4 KB)
 * @see https://sst.dev/docs/component/aws/function#copyfiles
 */
import fs from "node:fs";
import path from "node:path";
import { type CompiledPolicy, compilePolicy, DEFAULT_POLICY } from "../packages/core/src/policy";
import {
  formatPolicyProblem,
  POLICY_FILE_SETTING,
  parsePolicyDocument,
  resolvePolicyPath,
} from "../packages/core/src/policy-schema";

/** Where the compiled policy lands in the function package (relative to its root, LAMBDA_TASK_ROOT). */
export const POLICY_BUNDLE_FILE = "secretwatch-policy.json";

/** Build output for compiled policies, relative to the app root (`.sst/` is gitignored). */
export const POLICY_BUILD_DIR = ".sst/secretwatch";

/** The policy file is missing, unreadable or invalid; `problems` lists each as `file:line: path: message`. */
export class PolicyError extends Error {
  override name = "PolicyError";
  constructor(
    message: string,
    readonly file: string,
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface LoadedPolicy {
  compiled: CompiledPolicy;
  /** The policy file as shown in messages (relative to the root), or null for the defaults. */
  file: string | null;
  /** Warnings of a valid policy, formatted like problems. */
  warnings: string[];
}

const defaults = (): LoadedPolicy => ({
  compiled: compilePolicy(DEFAULT_POLICY, "defaults"),
  file: null,
  warnings: [],
});

const isNotFound = (error: unknown) => (error as { code?: unknown } | null)?.code === "ENOENT";

/** A path relative to the root when it lies inside it (what a person types), else absolute. */
function shown(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/**
 * The policy for `command`: on `remove` the defaults without reading anything (removing a stage
 * must work whatever its policy file became); otherwise the file {@link resolvePolicyPath}
 * names, validated. No file and none configured: the documented defaults. Throws
 * {@link PolicyError} when the file is configured but missing, unreadable, or invalid.
 */
export function loadPolicy(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
  command: string,
): LoadedPolicy {
  if (command === "remove") return defaults();
  const { path: file, configured } = resolvePolicyPath(root, env);
  const name = shown(root, file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (cause) {
    if (!configured && isNotFound(cause)) return defaults();
    const why = isNotFound(cause)
      ? `${POLICY_FILE_SETTING} names the policy file ${name}, which does not exist`
      : `The policy file ${name} could not be read (${(cause as Error).message})`;
    throw new PolicyError(`${why}; nothing was deployed.`, name, [], { cause });
  }
  const result = parsePolicyDocument(text, name);
  const warnings = result.warnings.map((w) => formatPolicyProblem(w, name));
  if (!result.ok) {
    const problems = result.problems.map((p) => formatPolicyProblem(p, name));
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    throw new PolicyError(
      `The policy file ${name} has ${count}; nothing was deployed:\n${problems.map((p) => `  ${p}`).join("\n")}`,
      name,
      problems,
    );
  }
  return { compiled: result.compiled, file: name, warnings };
}

/**
 * Writes the compiled policy for `copyFiles` and returns its path relative to `root` (SST joins
 * `from` to the root). One file per policy hash, written whole (temporary file, then rename):
 * runs of different stages or policies never see each other's file, or half of one.
 */
export function writeCompiledPolicy(root: string, compiled: CompiledPolicy): string {
  const hex = compiled.hash.replace(/^sha256:/, "").slice(0, 16);
  const relative = path.join(POLICY_BUILD_DIR, `policy-${hex}.json`);
  const target = path.join(root, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(compiled)}\n`);
  fs.renameSync(temporary, target);
  return relative;
}

const loaded = loadPolicy($cli.paths.root, process.env, $cli.command);
for (const warning of loaded.warnings) console.warn(`secretwatch policy: warning: ${warning}`);

/** The validated, compiled policy of this deploy (the defaults on `sst remove`). */
export const policy: CompiledPolicy = loaded.compiled;

/** The compiled policy's build file, relative to the app root: the enricher's `copyFiles` source. */
export const policyBuildFile: string = writeCompiledPolicy($cli.paths.root, policy);
