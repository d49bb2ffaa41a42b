/**
 * `replay -`: standard input, copied as it arrives into a private temporary file so that it is
 * read like any named file (on a worker, gzip detected, any size, in bounded memory); the file
 * and its directory are removed when the replay ends.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { UserError } from "../errors.js";

/** How standard input is named in the output. */
export const STDIN_NAME = "(stdin)";

export interface Spooled {
  /** The paths to walk: `-` replaced by the copy. */
  paths: string[];
  /** The name to show for a path (the copy shows as {@link STDIN_NAME}). */
  shown(file: string): string;
  remove(): Promise<void>;
}

/** Copies `stdin` when `paths` has `-` (at most once); otherwise changes nothing. */
export async function spoolStdin(paths: readonly string[], stdin: Readable | undefined): Promise<Spooled> {
  const dashes = paths.filter((p) => p === "-").length;
  if (dashes === 0) return { paths: [...paths], shown: (file) => file, remove: async () => {} };
  if (dashes > 1) throw new UserError("- (standard input) can be given only once");
  if (!stdin) throw new UserError("- names standard input, and there is none here");
  if ((stdin as { isTTY?: boolean }).isTTY) {
    throw new UserError("- reads standard input, which is a terminal: pipe or redirect a file into it");
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "secretwatch-stdin-"));
  const copy = path.join(dir, "stdin");
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await pipeline(stdin, createWriteStream(copy, { mode: 0o600 }));
  } catch (error) {
    await remove();
    throw new UserError(
      `could not read standard input (${error instanceof Error ? error.message : String(error)})`,
      1,
      {
        cause: error,
      },
    );
  }
  return {
    paths: paths.map((p) => (p === "-" ? copy : p)),
    shown: (file) => (file === copy ? STDIN_NAME : file),
    remove,
  };
}
