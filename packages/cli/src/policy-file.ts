/**
 * The policy file of a CLI run (`--policy FILE`, or the repository's secretwatch.policy.yaml,
 * or `SECRETWATCH_POLICY_FILE`): read, validated and compiled, or a {@link UserError} that lists
 * every problem as `file:line: path: message`. No file at the default place means the defaults.
 * @see https://nodejs.org/api/fs.html#fspromisesreadfilepath-options
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import {
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_POLICY,
  formatPolicyProblem,
  POLICY_FILE_SETTING,
  type PolicyParseResult,
  parsePolicyDocument,
  resolvePolicyPath,
} from "@secretwatch/core";
import { UserError } from "./errors.js";
import type { Io } from "./io.js";
import { plural } from "./words.js";

/** A policy is a few kilobytes; anything this large is the wrong file. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** The policy a run would use: none (the defaults), or a file with its parse result. */
export type PolicyFileCheck =
  | { kind: "defaults"; path: null; name: string }
  | { kind: "file"; path: string; name: string; result: PolicyParseResult };

const errno = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code;

async function readText(absolute: string, name: string): Promise<string> {
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) throw new UserError(`the policy file ${name} is a directory`);
    if (info.size > MAX_POLICY_BYTES) {
      throw new UserError(
        `the policy file ${name} is larger than ${MAX_POLICY_BYTES / 1024} KiB: is it the right file?`,
      );
    }
    return await readFile(absolute, "utf8");
  } catch (error) {
    if (error instanceof UserError) throw error;
    const why = errno(error) === "ENOENT" ? "it does not exist" : (errno(error) ?? String(error));
    throw new UserError(`cannot read the policy file ${name}: ${why}`, 2, { cause: error });
  }
}

/**
 * Finds and parses the policy of a run without judging it: `file` (relative to `io.cwd`), else
 * the repository's (see {@link resolvePolicyPath}); the defaults when that is absent and not
 * configured. Throws {@link UserError} when a named or configured file cannot be read.
 */
export async function readPolicyFile(io: Io, file?: string): Promise<PolicyFileCheck> {
  if (file !== undefined) {
    const absolute = path.resolve(io.cwd, file);
    return {
      kind: "file",
      path: absolute,
      name: file,
      result: parsePolicyDocument(await readText(absolute, file), file),
    };
  }
  const resolved = resolvePolicyPath(io.cwd, io.env);
  const relative = path.relative(io.cwd, resolved.path);
  const name = relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : resolved.path;
  const exists = await stat(resolved.path).then(
    () => true,
    (error: unknown) => errno(error) !== "ENOENT", // any other failure is reported when reading
  );
  if (!exists && !resolved.configured) return { kind: "defaults", path: null, name };
  if (!exists) throw new UserError(`${POLICY_FILE_SETTING} names ${name}, which does not exist`);
  return {
    kind: "file",
    path: resolved.path,
    name,
    result: parsePolicyDocument(await readText(resolved.path, name), name),
  };
}

/**
 * The compiled policy for `--policy FILE` (or the repository's policy, or the defaults), with
 * its warnings as `file:line: path: message` (print each after `warning: `). `path` is null
 * for the defaults. Throws {@link UserError} (exit 2) listing every problem, one per line.
 */
export async function loadPolicy(
  io: Io,
  file?: string,
): Promise<{ compiled: CompiledPolicy; path: string | null; warnings: string[] }> {
  const found = await readPolicyFile(io, file);
  if (found.kind === "defaults")
    return { compiled: compilePolicy(DEFAULT_POLICY, "defaults"), path: null, warnings: [] };
  const { result, name } = found;
  const warnings = result.warnings.map((w) => formatPolicyProblem(w, name));
  if (!result.ok) {
    const lines = result.problems.map((p) => formatPolicyProblem(p, name));
    throw new UserError(
      [`the policy file ${name} is not valid (${plural(lines.length, "problem")}):`, ...lines].join("\n"),
    );
  }
  return { compiled: result.compiled, path: found.path, warnings };
}
