/**
 * The enricher's detection policy at run time: the compiled policy the stack ships inside the
 * function package (`copyFiles`), validated at deploy, checked here by its form and its hash.
 * Only `readCompiledPolicy` is needed: the YAML parser and its schema (yaml, zod) stay out of
 * the handler bundle.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
import fs from "node:fs";
import path from "node:path";
import {
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_POLICY,
  PolicyLoadError,
  readCompiledPolicy,
} from "@secretwatch/core";

/** The environment variables the stack sets on the enricher. */
export const POLICY_ENV = {
  /** The compiled policy's file, relative to the function root (LAMBDA_TASK_ROOT). */
  file: "SECRETWATCH_COMPILED_POLICY",
  /** The hash the file must have (`sha256:<hex>`); also makes a policy change update the function. */
  hash: "SECRETWATCH_POLICY_HASH",
} as const;

export type ReadTextFile = (file: string, encoding: "utf8") => string;

/**
 * A source for createHandler's `policy` dep. Without SECRETWATCH_COMPILED_POLICY: the documented
 * defaults. With it: the file, read once per container (a failure is not cached: the next call
 * tries again) and refused with {@link PolicyLoadError} when missing, unreadable, malformed, or
 * not the policy SECRETWATCH_POLICY_HASH names. A configured policy that cannot be used is not
 * "no policy": the handler then reports every read (`policy-unavailable`).
 */
export function compiledPolicySource(
  env: Readonly<Record<string, string | undefined>>,
  readFile: ReadTextFile = fs.readFileSync,
): () => CompiledPolicy {
  const name = env[POLICY_ENV.file]?.trim();
  if (!name) {
    const defaults = compilePolicy(DEFAULT_POLICY, "defaults");
    return () => defaults;
  }
  const file = path.resolve(env.LAMBDA_TASK_ROOT || process.cwd(), name);
  const expected = env[POLICY_ENV.hash]?.trim() || null;
  let loaded: CompiledPolicy | undefined;
  return () => {
    if (loaded) return loaded;
    let text: string;
    try {
      text = readFile(file, "utf8");
    } catch (cause) {
      throw new PolicyLoadError(`the compiled policy ${file} could not be read`, { cause });
    }
    let compiled: CompiledPolicy;
    try {
      compiled = readCompiledPolicy(text);
    } catch (cause) {
      throw new PolicyLoadError(`the compiled policy ${file} is unusable: ${(cause as Error).message}`, { cause });
    }
    if (expected !== null && compiled.hash !== expected) {
      throw new PolicyLoadError(
        `the compiled policy ${file} is ${compiled.hash}, not the deployed ${expected} (${POLICY_ENV.hash})`,
      );
    }
    loaded = compiled;
    return compiled;
  };
}
