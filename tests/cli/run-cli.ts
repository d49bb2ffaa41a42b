/** Runs the CLI in-process with captured output, as a user would call it. */
import type { Readable } from "node:stream";

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
  /** Standard input (`replay -`); none by default. */
  stdin?: Readable;
}

export async function runCli(argv: string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAFAKE",
      AWS_SECRET_ACCESS_KEY: "fake",
      // Never the machine's own profiles (aws-config.ts reads these files).
      AWS_CONFIG_FILE: "/nonexistent/secretwatch-test/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/secretwatch-test/credentials",
      ...options.env,
    },
    cwd: options.cwd ?? process.cwd(),
    now: () => options.now ?? new Date("2024-08-01T00:00:00Z"),
    ...(options.stdin && { stdin: options.stdin }),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
