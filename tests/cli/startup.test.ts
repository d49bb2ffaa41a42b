/**
 * Start-up of the built CLI: `--version` and `--help` load no command module and no AWS SDK,
 * and `replay` never loads the SDK, checked with a module hook that records every module
 * Node loads (node:module registerHooks); and `--version` and `--help` start quickly.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";

const work = mkdtempSync(path.join(tmpdir(), "secretwatch-startup-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const hook = path.join(work, "hook.mjs");
writeFileSync(
  hook,
  [
    'import { registerHooks } from "node:module";',
    'import { appendFileSync } from "node:fs";',
    "registerHooks({ load(url, context, next) { appendFileSync(process.env.LOAD_LOG, url + '\\n'); return next(url, context); } });",
  ].join("\n"),
);
const bin = path.resolve("packages/cli/bin/secretwatch.js");

/** Runs the built CLI and returns what it printed and every module URL it loaded. */
function loaded(name: string, ...args: string[]) {
  const log = path.join(work, `${name}.log`);
  writeFileSync(log, "");
  const run = spawnSync(process.execPath, ["--import", hook, bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, LOAD_LOG: log },
  });
  return { ...run, modules: readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

const sdk = (modules: string[]) => modules.filter((m) => m.includes("@aws-sdk") || m.includes("@smithy"));

describe("what the built CLI loads", () => {
  test("--version and --help: no AWS SDK, no command module, no progress bar", () => {
    for (const args of [["--version"], ["--help"], ["help"]]) {
      const run = loaded(args.join(""), ...args);
      expect(run.status).toBe(0);
      expect(sdk(run.modules)).toEqual([]);
      expect(run.modules.filter((m) => /\/dist\/(replay|lookup|doctor|redrive|baseline)-/.test(m))).toEqual([]);
      expect(run.modules.filter((m) => m.includes("cli-progress"))).toEqual([]);
    }
  });

  test("replay reads files without loading the AWS SDK; lookup loads it (the hook sees it)", () => {
    const replay = loaded("replay", "replay", "tests/fixtures/cloudtrail", "--format", "json", "--workers", "2");
    expect(replay.status).toBe(0);
    expect(replay.stdout).toContain('"eventID"');
    expect(sdk(replay.modules)).toEqual([]);
    // No policy file here: finding that out loads no parser (yaml, zod) either.
    expect(replay.modules.filter((m) => /\/node_modules\/(yaml|zod)\//.test(m))).toEqual([]);
    const lookup = loaded("lookup", "lookup", "--help");
    expect(lookup.status).toBe(0);
    expect(sdk(lookup.modules).length).toBeGreaterThan(0);
  });
});

describe("start-up time", () => {
  const report = `data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("cpu="+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;
  /** CPU time (user + system, ms) of one process, as it reports at exit: unlike wall time, not inflated by other processes waiting for the same cores. */
  const cpuOnce = (args: string[]) => {
    const run = spawnSync(process.execPath, ["--import", report, ...args], { encoding: "utf8" });
    expect(run.status).toBe(0);
    return Number(/cpu=(\d+)/.exec(run.stderr)?.[1]) / 1000;
  };
  /**
   * The least CPU time of 9 runs of each command, the commands taking turns, so that Node alone
   * and the CLI meet the same moments of load (the other test files run beside this one).
   */
  const leastCpu = (commands: Record<string, string[]>) => {
    const least: Record<string, number> = {};
    for (let i = 0; i < 9; i++) {
      for (const [name, args] of Object.entries(commands))
        least[name] = Math.min(least[name] ?? Infinity, cpuOnce(args));
    }
    return least;
  };

  test("--version and --help take under 80 ms of CPU, at most 40 ms beyond Node's own start-up", () => {
    const least = leastCpu({ node: ["-e", "0"], "--version": [bin, "--version"], "--help": [bin, "--help"] });
    const node = least.node!;
    for (const flag of ["--version", "--help"]) {
      const cli = least[flag]!;
      expect(cli - node, `${flag}: ${cli} ms, node alone ${node} ms`).toBeLessThan(40);
      expect(cli).toBeLessThan(80);
    }
  });
});
