/** Runs `secretwatch doctor` for the `dev` stage of doctor-fixtures.ts; shared by the doctor-*.test.ts files. */
import { runCli } from "./run-cli.js";

export async function doctor(args: string[] = [], options: Parameters<typeof runCli>[1] = {}) {
  const run = await runCli(["doctor", "--stage", "dev", ...args], options);
  const lines = run.stdout.split("\n").map((l) => l.trim());
  return { ...run, lines };
}

export const DEPLOY = "npx sst deploy --stage dev";
