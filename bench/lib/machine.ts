/** The machine a run happened on, for the report. */
import os from "node:os";
import { runProcess } from "./proc.js";

export interface Machine {
  cpu: string;
  cores: number;
  availableParallelism: number;
  memoryGiB: number;
  node: string;
  os: string;
  jq: string | null;
  /** 1-minute load average when the run started: other work on the machine skews the figures. */
  loadAverage: number;
}

export async function machine(): Promise<Machine> {
  let jq: string | null = null;
  try {
    const r = await runProcess({ cmd: "jq", args: ["--version"] });
    if (r.code === 0) jq = r.stdoutHead.trim();
  } catch {
    jq = null;
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    jq,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpu} · ${m.cores} cores (${m.availableParallelism} available) · ${m.memoryGiB} GiB · Node ${m.node} · ${m.os} · ${m.jq ?? "no jq"} · load ${m.loadAverage}`;
}
