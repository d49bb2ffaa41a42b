/** Runs the CLI in-process with captured output, as a user would call it. */

import type { Io } from "../../packages/cli/src/io.js";
import { main } from "../../packages/cli/src/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  now?: Date;
}

export async function runCli(argv: string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIAFAKE", AWS_SECRET_ACCESS_KEY: "fake", ...options.env },
    cwd: options.cwd ?? process.cwd(),
    now: () => options.now ?? new Date("2024-08-01T00:00:00Z"),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
