/**
 * A progress line on stderr that never gets in the way of the output: drawn only when stderr
 * is a terminal and stdout is not that same terminal (output going to a file or a pipe), so a
 * bar is never drawn between lines of output; cleared before the summary. While the total is
 * still being counted it shows a count, never `0/0` or a bar.
 * @see https://nodejs.org/api/tty.html#writestreamistty
 */
import { fstatSync } from "node:fs";
import { createRequire } from "node:module";
import type * as CliProgress from "cli-progress";
import type { Io, Output } from "./io.js";
import { groupDigits } from "./words.js";

export interface Progress {
  increment(by?: number): void;
  /** The total, once known (0 or less: still unknown). */
  setTotal(total: number): void;
  /** Removes the line; further calls do nothing. */
  stop(): void;
}

const NO_PROGRESS: Progress = { increment() {}, setTotal() {}, stop() {} };
const BAR_WIDTH = 30;

/** The terminal device of a stream, when it has a file descriptor (`process.stdout` has). */
function device(out: Output): number | null {
  const fd = (out as { fd?: unknown }).fd;
  if (typeof fd !== "number") return null;
  try {
    return fstatSync(fd).rdev;
  } catch {
    return null;
  }
}

/** Whether to draw: stderr is a terminal, and stdout is not (or is another terminal). */
export function progressWanted(io: Pick<Io, "stdout" | "stderr">): boolean {
  if (io.stderr.isTTY !== true) return false;
  if (io.stdout.isTTY !== true) return true;
  const [out, err] = [device(io.stdout), device(io.stderr)];
  return out !== null && err !== null && out !== err;
}

/**
 * The line for `value` of `total` (total 0 or less: unknown, so a count without a bar); the
 * bar is full only when every item is done, never more than full.
 */
export function progressLine(label: string, value: number, total: number, unit = "done"): string {
  if (total <= 0) return `${label}: ${groupDigits(value)} ${unit} (counting...)`;
  const shown = Math.min(value, total);
  const filled = Math.floor((shown / total) * BAR_WIDTH);
  const bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
  return `${label} [${bar}] ${groupDigits(shown)}/${groupDigits(total)}`;
}

/**
 * A progress line on stderr when {@link progressWanted}; a no-op otherwise (pipes, CI, tests).
 * `total` 0 means not known yet.
 */
export function createProgress(io: Io, label: string, total: number, unit?: string): Progress {
  if (!progressWanted(io)) return NO_PROGRESS;
  // Loaded only to draw (a CommonJS package, so synchronously): a run to a pipe never loads it.
  const { SingleBar } = createRequire(import.meta.url)("cli-progress") as typeof CliProgress;
  const bar = new SingleBar({
    format: (_options, params) => progressLine(label, params.value, params.total, unit),
    stream: io.stderr as NodeJS.WritableStream,
    clearOnComplete: true,
    hideCursor: false,
    linewrap: false,
    // No SIGINT handler of its own: an interrupted run leaves the terminal as it was.
    gracefulExit: false,
  });
  bar.start(Math.max(total, 0), 0);
  let stopped = false;
  return {
    increment: (by = 1) => stopped || bar.increment(by),
    setTotal: (t) => stopped || bar.setTotal(Math.max(t, 0)),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}
