/**
 * The policy file of a CLI run (`--policy FILE`, or the repository's secretwatch.policy.yaml,
 * or `SECRETWATCH_POLICY_FILE`): read, validated and compiled, or a {@link UserError} that lists
 * every problem as `file:line: path: message`. No file at the default place means the defaults.
 *
 * The parser (yaml, zod) takes longer to load and run than replaying a small archive, so a run
 * of the built CLI keeps each valid policy it compiled in a cache ({@link loadPolicy}) and loads
 * the parser only when the file is not there.
 * @see https://nodejs.org/api/fs.html#fspromisesreadfilepath-options
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_POLICY,
  type PolicyParseResult,
  readCompiledPolicy,
} from "@secretwatch/core";
// The policy file's place without the parser (policy-path.ts has no yaml or zod).
import { POLICY_FILE_SETTING, resolvePolicyPath } from "../../core/src/policy-path.js";
import { UserError } from "./errors.js";
import type { Io } from "./io.js";
import { plural } from "./words.js";

/** A policy is a few kilobytes; anything this large is the wrong file. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** The policy a run would use: none (the defaults), or a file with its parse result. */
export type PolicyFileCheck =
  | { kind: "defaults"; path: null; name: string }
  | { kind: "file"; path: string; name: string; result: PolicyParseResult };

type PolicyFileFound = { kind: "defaults"; path: null; name: string } | { kind: "file"; path: string; name: string };

/**
 * Core's policy file parser, with yaml and zod: imported only when a file is parsed (or its
 * default place looked up). Its module, not `@secretwatch/core`: a dynamic import of the whole
 * package would make the bundler put all of core, yaml and zod included, in the chunk every
 * command (and every replay worker) loads at start.
 */
const schema = () => import("../../core/src/policy-schema.js");

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

/** Where the policy of a run is: `file` (relative to `io.cwd`), else the repository's; or the defaults. */
async function findPolicyFile(io: Io, file?: string): Promise<PolicyFileFound> {
  if (file !== undefined) return { kind: "file", path: path.resolve(io.cwd, file), name: file };
  const resolved = resolvePolicyPath(io.cwd, io.env);
  const relative = path.relative(io.cwd, resolved.path);
  const name = relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : resolved.path;
  const exists = await stat(resolved.path).then(
    () => true,
    (error: unknown) => errno(error) !== "ENOENT", // any other failure is reported when reading
  );
  if (!exists && !resolved.configured) return { kind: "defaults", path: null, name };
  if (!exists) throw new UserError(`${POLICY_FILE_SETTING} names ${name}, which does not exist`);
  return { kind: "file", path: resolved.path, name };
}

/** `SECRETWATCH_CACHE_DIR`: where the CLI keeps compiled policies, or `off`. */
export const CACHE_DIR_SETTING = "SECRETWATCH_CACHE_DIR";
const CACHE_FORMAT = "secretwatch-policy-cache/1";
/** Entries kept; the oldest go when a new one is written. */
const CACHE_ENTRIES = 32;

/** A compiled policy as cached: its JSON text (checked against its hash when read) and its formatted warnings. */
interface CacheEntry {
  format: typeof CACHE_FORMAT;
  compiled: string;
  warnings: string[];
}

/**
 * The cache directory and the identity of this build, or null for no cache. The built CLI
 * (`dist/*.mjs`) uses `node_modules/.cache/secretwatch` beside its package, its build told apart
 * by the chunk's size and time (every build rewrites dist). From sources (tests, tsx), only a
 * `SECRETWATCH_CACHE_DIR` given turns it on: there a change to the parser would not show.
 */
export async function policyCacheOf(
  env: Io["env"],
  module = import.meta.url,
): Promise<{ dir: string; build: string } | null> {
  const setting = env[CACHE_DIR_SETTING]?.trim();
  if (setting === "off") return null;
  const self = fileURLToPath(module);
  if (!setting && !self.endsWith(".mjs")) return null;
  const info = await stat(self).catch(() => null);
  if (info === null) return null;
  const dir = setting || path.join(path.dirname(path.dirname(self)), "node_modules", ".cache", "secretwatch");
  return { dir, build: `${self}:${info.size}:${info.mtimeMs}` };
}

function cacheFile(cache: { dir: string; build: string }, name: string, text: string): string {
  const key = createHash("sha256").update(`${CACHE_FORMAT}\0${cache.build}\0${name}\0${text}`).digest("hex");
  return path.join(cache.dir, `policy-${key}.json`);
}

/** The cached compiled policy of this text and name, or null (none, unreadable, or not matching its hash). */
async function cachedPolicy(
  cache: { dir: string; build: string },
  name: string,
  text: string,
): Promise<{ compiled: CompiledPolicy; warnings: string[] } | null> {
  try {
    const entry = JSON.parse(await readFile(cacheFile(cache, name, text), "utf8")) as Partial<CacheEntry> | null;
    if (entry?.format !== CACHE_FORMAT || typeof entry.compiled !== "string") return null;
    if (!Array.isArray(entry.warnings) || !entry.warnings.every((w) => typeof w === "string")) return null;
    const compiled = readCompiledPolicy(entry.compiled);
    return compiled.source === name ? { compiled, warnings: entry.warnings } : null;
  } catch {
    return null;
  }
}

/** Writes the entry (to a temporary name, then renamed: readers never see half a file); failures are ignored. */
async function storePolicy(
  cache: { dir: string; build: string },
  name: string,
  text: string,
  value: { compiled: CompiledPolicy; warnings: string[] },
): Promise<void> {
  const file = cacheFile(cache, name, text);
  const entry: CacheEntry = {
    format: CACHE_FORMAT,
    compiled: JSON.stringify(value.compiled),
    warnings: value.warnings,
  };
  try {
    await mkdir(cache.dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, file);
    const entries = (await readdir(cache.dir)).filter((f) => f.startsWith("policy-") && f.endsWith(".json"));
    if (entries.length <= CACHE_ENTRIES) return;
    const aged = await Promise.all(
      entries.map(async (f) => ({ f, t: (await stat(path.join(cache.dir, f)).catch(() => null))?.mtimeMs ?? 0 })),
    );
    aged.sort((a, b) => a.t - b.t);
    for (const { f } of aged.slice(0, aged.length - CACHE_ENTRIES)) await rm(path.join(cache.dir, f), { force: true });
  } catch {
    // A cache that cannot be written only costs the next run the parse.
  }
}

/**
 * Finds and parses the policy of a run without judging it: `file` (relative to `io.cwd`), else
 * the repository's (see `resolvePolicyPath`); the defaults when that is absent and not
 * configured. Throws {@link UserError} when a named or configured file cannot be read.
 * Never cached: `policy check` always parses the file.
 */
export async function readPolicyFile(io: Io, file?: string): Promise<PolicyFileCheck> {
  const found = await findPolicyFile(io, file);
  if (found.kind === "defaults") return found;
  const text = await readText(found.path, found.name);
  const { parsePolicyDocument } = await schema();
  return { ...found, result: parsePolicyDocument(text, found.name) };
}

/**
 * The compiled policy for `--policy FILE` (or the repository's policy, or the defaults), with
 * its warnings as `file:line: path: message` (print each after `warning: `). `path` is null
 * for the defaults. Throws {@link UserError} (exit 2) listing every problem, one per line.
 * A valid file's compiled policy and warnings are kept in the CLI's cache ({@link policyCacheOf}),
 * keyed by the file's text, its name and the CLI build, so the next run with the same file
 * skips the parser; an invalid file is parsed every time. A cached policy is used only when it
 * still matches its hash (`readCompiledPolicy`), so a damaged entry is parsed anew.
 */
export async function loadPolicy(
  io: Io,
  file?: string,
): Promise<{ compiled: CompiledPolicy; path: string | null; warnings: string[] }> {
  const found = await findPolicyFile(io, file);
  if (found.kind === "defaults")
    return { compiled: compilePolicy(DEFAULT_POLICY, "defaults"), path: null, warnings: [] };
  const { name } = found;
  const text = await readText(found.path, name);
  const cache = await policyCacheOf(io.env);
  const hit = cache && (await cachedPolicy(cache, name, text));
  if (hit) return { compiled: hit.compiled, path: found.path, warnings: hit.warnings };
  const { formatPolicyProblem, parsePolicyDocument } = await schema();
  const result = parsePolicyDocument(text, name);
  const warnings = result.warnings.map((w) => formatPolicyProblem(w, name));
  if (!result.ok) {
    const lines = result.problems.map((p) => formatPolicyProblem(p, name));
    throw new UserError(
      [`the policy file ${name} is not valid (${plural(lines.length, "problem")}):`, ...lines].join("\n"),
    );
  }
  if (cache) await storePolicy(cache, name, text, { compiled: result.compiled, warnings });
  return { compiled: result.compiled, path: found.path, warnings };
}
