/**
 * Runs a whole process and times it: wall clock from spawn to exit, and (with `cpu`) the
 * user+system CPU time of the process and all its descendants, read from a wrapping shell's
 * `times` builtin. Stdout lines are counted, not kept (unless `collect`).
 */
import { spawn } from "node:child_process";

export interface ProcResult {
  ms: number;
  /** User + system CPU of the process tree, ms (with `cpu`). */
  cpuMs?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdoutLines: number;
  /** First 4 KB of stdout. */
  stdoutHead: string;
  /** Last 4 KB of stderr. */
  stderrTail: string;
  /** All of stdout, when asked for with `collect`. */
  stdout?: string;
}

export interface ProcSpec {
  cmd: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep all of stdout (not for timed runs). */
  collect?: boolean;
  /** Measure CPU time through `/bin/sh -c '"$@"; times >&2'` (the shell costs ~1 ms). */
  cpu?: boolean;
}

const KEEP = 4096;
/** `times` prints the shell's own times, then its children's: `0m1.070s 0m0.180s` (bash) or `0m1.070000s …` (dash). */
const TIMES = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/;
const WRAP = '"$@"; status=$?; times >&2; exit $status';

function splitTimes(stderr: string): { cpuMs: number; rest: string } | undefined {
  const match = TIMES.exec(stderr);
  if (!match) return undefined;
  const [, um, us, sm, ss] = match.map(Number) as [number, number, number, number, number];
  const rest = stderr.slice(0, match.index).replace(/\n?[^\n]*\n?$/, "");
  return { cpuMs: Math.round((um * 60 + us + sm * 60 + ss) * 1000), rest };
}

export function runProcess(spec: ProcSpec): Promise<ProcResult> {
  const [cmd, args] = spec.cpu ? ["/bin/sh", ["-c", WRAP, "sh", spec.cmd, ...spec.args]] : [spec.cmd, spec.args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let lines = 0;
    let head = "";
    let tail = "";
    const all: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      if (spec.collect) all.push(chunk);
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      if (head.length < KEEP) head += chunk.subarray(0, KEEP - head.length).toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-KEEP);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const ms = performance.now() - t0;
      const result: ProcResult = { ms, code, signal, stdoutLines: lines, stdoutHead: head, stderrTail: tail };
      const times = spec.cpu ? splitTimes(tail) : undefined;
      if (times) {
        result.cpuMs = times.cpuMs;
        result.stderrTail = times.rest;
      }
      if (spec.collect) result.stdout = Buffer.concat(all).toString("utf8");
      resolve(result);
    });
  });
}
