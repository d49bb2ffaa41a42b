/**
 * Node.js older than the repository's `engines` gets one line from the CLI (bin/secretwatch.js)
 * and from `npm install` (engine-strict in .npmrc), naming the required and the found version.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

const bin = path.resolve("packages/cli/bin/secretwatch.js");
const engines = (JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } }).engines.node;

/** Runs the bin on this Node with `process.versions.node` set to `version`. */
function runAs(version: string, ...args: string[]) {
  const fake = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:${JSON.stringify(version)}})`;
  return spawnSync(process.execPath, ["--import", fake, bin, ...args], { encoding: "utf8" });
}

describe("an old Node.js", () => {
  test("the bin requires what package.json's engines says, and .npmrc makes npm enforce it", () => {
    expect(readFileSync(bin, "utf8")).toContain(`const REQUIRED_NODE = ${JSON.stringify(engines)};`);
    expect(readFileSync(".npmrc", "utf8").split("\n")).toContain("engine-strict=true");
  });

  test.each(["20.20.2", "22.11.0", "18.0.0"])("Node %s: one line naming both versions, exit 2", (version) => {
    const run = runAs(version, "--version");
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`secretwatch: needs Node.js ${engines}, found ${version}\n`);
    expect(run.stdout).toBe("");
  });

  test.each(["22.12.0", "22.23.3", "24.1.0"])("Node %s runs", (version) => {
    const run = runAs(version, "--version");
    expect([run.status, run.stdout, run.stderr]).toEqual([0, "0.1.0\n", ""]);
  });

  const system = spawnSync("node", ["--version"], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
  const old = system.status === 0 && /^v(\d+)\.(\d+)/.exec(system.stdout);
  const isOld = old && (Number(old[1]) < 22 || (Number(old[1]) === 22 && Number(old[2]) < 12));
  test.skipIf(!isOld)("the machine's own older node (/usr/bin/node) gets the same line", () => {
    const run = spawnSync("node", [bin, "replay", "."], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`secretwatch: needs Node.js ${engines}, found ${system.stdout.trim().slice(1)}\n`);
  });
});
