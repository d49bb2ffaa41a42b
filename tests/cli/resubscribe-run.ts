/** Runs `secretwatch resubscribe --stage dev` in-process, as a person would, for the resubscribe tests. */
import { Command } from "commander";
import type { Io } from "../../packages/cli/src/io.js";
import { resubscribeCommand } from "../../packages/cli/src/resubscribe/command.js";

/** Fake credentials and no config files: the SNS client is mocked, nothing reaches AWS. */
const ENV = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIAFAKE",
  AWS_SECRET_ACCESS_KEY: "fake",
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
};

/** The command's stdout lines for `args`, run in the repository `cwd`. */
export async function runResubscribe(args: string[], cwd: string): Promise<string[]> {
  let stdout = "";
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: () => true, isTTY: false },
    env: ENV,
    cwd,
    now: () => new Date("2024-08-01T00:00:00Z"),
  };
  const program = new Command("secretwatch").exitOverride();
  program.addCommand(resubscribeCommand({ io, setExitCode: () => {} }));
  await program.parseAsync(["resubscribe", "--stage", "dev", ...args], { from: "user" });
  return stdout.split("\n").filter(Boolean);
}
