/**
 * The files behind the paths a user gives, found lazily and in a stable order: each path in
 * turn; a directory recursively (entries sorted by name, so the dated layout
 * `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` comes out in time order). Only the
 * current directory's listing is held in memory, however large the archive.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
 */
import { statSync } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";

export type InputEntry =
  | { kind: "file"; path: string }
  /** A file in a directory whose name is not a log file's; not read (the summary names it). */
  | { kind: "ignored"; path: string }
  /** A hidden entry (`.name`) in a directory: skipped, and counted. */
  | { kind: "hidden"; path: string }
  | { kind: "problem"; path: string; reason: string };

/** File names read inside directories: CloudTrail's `.json.gz`, and `.json`, `.jsonl`, `.ndjson`, `.gz`. */
export const LOG_FILE_NAME = /\.(?:json|jsonl|ndjson)(?:\.gz)?$|\.gz$/i;

const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  ELOOP: "too many symbolic links",
};

/** A short reason for a file-system error: `permission denied`, `no such file or directory`… */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return FS_REASONS[code] ?? code;
  return error instanceof Error ? error.message.split("\n")[0] || error.name : String(error);
}

async function* walkDirectory(shown: string, full: string, ancestors: Set<string>): AsyncGenerator<InputEntry> {
  let real: string;
  let entries: import("node:fs").Dirent[];
  try {
    real = await realpath(full);
    entries = await readdir(full, { withFileTypes: true });
  } catch (error) {
    yield { kind: "problem", path: shown, reason: describeFsError(error) };
    return;
  }
  if (ancestors.has(real)) return; // a symbolic link back up the tree
  ancestors.add(real);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const [childShown, childFull] = [path.join(shown, entry.name), path.join(full, entry.name)];
    if (entry.name.startsWith(".")) {
      yield { kind: "hidden", path: childShown };
      continue;
    }
    let [isDirectory, isFile] = [entry.isDirectory(), entry.isFile()];
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(childFull);
        [isDirectory, isFile] = [target.isDirectory(), target.isFile()];
      } catch (error) {
        yield { kind: "problem", path: childShown, reason: describeFsError(error) };
        continue;
      }
    }
    if (isDirectory) yield* walkDirectory(childShown, childFull, ancestors);
    else if (isFile) yield { kind: LOG_FILE_NAME.test(entry.name) ? "file" : "ignored", path: childShown };
  }
  ancestors.delete(real);
}

/**
 * Every input file, in order. A path named on the command line is read whatever its name;
 * inside directories, hidden entries are skipped (and yielded as such, to be counted) and only
 * {@link LOG_FILE_NAME} files are read (the others yielded as ignored, to be named).
 * Paths are yielded as given (joined for directory entries), resolved against `cwd` to read.
 */
export async function* walkInputs(paths: readonly string[], cwd: string): AsyncGenerator<InputEntry> {
  for (const given of paths) {
    const full = path.resolve(cwd, given);
    try {
      // Synchronous: a stat from the page cache takes microseconds, while an async one waits in
      // the libuv thread pool behind the gunzips of the files already dispatched (a shell glob
      // gives thousands of paths, one stat each).
      const info = statSync(full);
      if (info.isDirectory()) yield* walkDirectory(given, full, new Set());
      else yield { kind: "file", path: given };
    } catch (error) {
      yield { kind: "problem", path: given, reason: describeFsError(error) };
    }
  }
}

/**
 * The lanes worth opening for `paths` given `workers`: no more than there are files to read when
 * fewer paths are given than workers and none of them is a directory (a worker thread takes tens
 * of milliseconds to start, longer than reading one small file on the main thread). A directory's
 * files are not known before it is walked, so with one among the paths `workers` stands.
 */
export function lanesFor(workers: number, paths: readonly string[], cwd: string): number {
  if (paths.length >= workers) return workers;
  for (const given of paths) {
    try {
      if (statSync(path.resolve(cwd, given)).isDirectory()) return workers;
    } catch {
      // A path that cannot be read is reported by walkInputs; it needs no lane.
    }
  }
  return Math.max(1, paths.length);
}

/** How many files {@link walkInputs} will yield (for the progress bar's total). */
export async function countInputFiles(paths: readonly string[], cwd: string): Promise<number> {
  let count = 0;
  for await (const entry of walkInputs(paths, cwd)) if (entry.kind === "file") count++;
  return count;
}
