/**
 * Where a command reads and writes: real streams in the bin, buffers in tests. Progress lines
 * (progress.ts) go to stderr, and only when stderr is a terminal.
 */
import type { Readable } from "node:stream";

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  /** Standard input, for `replay -`; absent in tests that give none. */
  stdin?: Readable;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now: () => Date;
}

/** For modules that still import it from here: progress.ts has it (and loads cli-progress). */
export { createProgress, type Progress } from "./progress.js";
