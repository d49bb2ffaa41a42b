/**
 * Runs `secretwatch doctor` for the `dev` stage of doctor-fixtures.ts; shared by the doctor-*.test.ts files.
 * By default from a temporary copy of a repository: an sst.config.ts and the stage's `.env.dev`
 * (the addresses of the fixture's subscriptions), removed after the file's tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { runCli } from "./run-cli.js";

export const STAGE_ENV = "SECRETWATCH_ALERT_EMAILS=alice@example.com, bob@example.com\n";

let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A repository with sst.config.ts and `.env.dev` (`stageFile`), in a fresh temp directory per test file. */
export function repository(stageFile: string = STAGE_ENV): string {
  dir ??= mkdtempSync(path.join(os.tmpdir(), "secretwatch-doctor-"));
  writeFileSync(path.join(dir, "sst.config.ts"), "// secretwatch app root (doctor test)\n");
  writeFileSync(path.join(dir, ".env.dev"), stageFile);
  return dir;
}

export async function doctor(args: string[] = [], options: Parameters<typeof runCli>[1] = {}) {
  const run = await runCli(["doctor", "--stage", "dev", ...args], { cwd: options.cwd ?? repository(), ...options });
  const lines = run.stdout.split("\n").map((l) => l.trim());
  return { ...run, lines };
}

export const DEPLOY = "npx sst deploy --stage dev";
