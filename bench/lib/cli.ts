/**
 * Makes sure the CLI build exists and is fresh (`node packages/cli/build.mjs` when dist is
 * missing or older than any source it bundles), and tells whether it has a working `replay`.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../corpus.js";
import { runProcess } from "./proc.js";

export const CLI_BIN = path.join(REPO_ROOT, "packages/cli/bin/secretwatch.js");
const DIST = path.join(REPO_ROOT, "packages/cli/dist/secretwatch.mjs");
const SOURCES = ["packages/cli/src", "packages/core/src", "packages/functions/src", "packages/cli/build.mjs"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export type CliStatus = { ok: true; built: boolean } | { ok: false; reason: string };

/** Builds the CLI if needed, then probes `replay --help`. Never throws. */
export async function ensureReplay(): Promise<CliStatus> {
  const sourcesTime = Math.max(...SOURCES.map((s) => newestMtime(path.join(REPO_ROOT, s))));
  let built = false;
  if (!existsSync(DIST) || statSync(DIST).mtimeMs < sourcesTime) {
    const build = await runProcess({ cmd: process.execPath, args: ["packages/cli/build.mjs"], cwd: REPO_ROOT });
    if (build.code !== 0 || !existsSync(DIST)) {
      const why = build.stderrTail.trim().split("\n").slice(-3).join(" ").slice(0, 300);
      return { ok: false, reason: `the CLI build failed${why ? `: ${why}` : ""}` };
    }
    built = true;
  }
  const probe = await runProcess({ cmd: process.execPath, args: [CLI_BIN, "replay", "--help"], cwd: REPO_ROOT });
  if (probe.code !== 0) {
    const error = probe.stderrTail.split("\n").find((l) => /error|cannot|not found/i.test(l)) ?? probe.stderrTail;
    return { ok: false, reason: `\`secretwatch replay --help\` failed: ${error.trim().slice(0, 200)}` };
  }
  if (!/--workers/.test(probe.stdoutHead + probe.stderrTail)) {
    return { ok: false, reason: "`secretwatch replay --help` does not offer --workers yet" };
  }
  return { ok: true, built };
}
