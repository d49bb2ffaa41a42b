/**
 * Where a command reads and writes: real streams in the bin, buffers in tests. Progress bars
 * go to stderr, and only when stderr is a terminal.
 */
import { SingleBar } from "cli-progress";

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now: () => Date;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

export interface Progress {
  increment(by?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { increment() {}, setTotal() {}, stop() {} };

/** A progress bar on stderr when it is a terminal; a no-op otherwise (pipes, CI, tests). */
export function createProgress(io: Io, label: string, total: number): Progress {
  if (!io.stderr.isTTY) return NO_PROGRESS;
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} | {duration_formatted}`,
    stream: io.stderr as NodeJS.WritableStream,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0);
  return {
    increment: (by = 1) => bar.increment(by),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
