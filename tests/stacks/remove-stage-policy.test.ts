/**
 * Scenario: `sst remove` of a stage whose configured policy file cannot be read any more (a
 * directory where the file was). Removal never reads the policy: it runs with the defaults.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compilePolicy, DEFAULT_POLICY } from "../../packages/core/src/policy";
import { POLICY_ENV } from "../../packages/functions/src/policy-source";
import { unreadablePolicyFile } from "./harness/policy-file";
import { named } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";

const file = unreadablePolicyFile("gone.policy.yaml");
const reads = vi.spyOn(fs, "readFileSync");
afterAll(() => reads.mockRestore());

let result: RunResult;
beforeAll(async () => {
  result = await runApp({ stage: "dev", command: "remove", env: {}, policyFile: file });
});

describe("sst remove with an unreadable policy file", () => {
  it("runs the program, with the default policy", () => {
    expect(result.outputs.stage).toBe("dev");
    expect(result.outputs.policy).toBe(`defaults (${compilePolicy(DEFAULT_POLICY, "defaults").hash})`);
    expect(named("EnricherFunction").inputs.environment.variables[POLICY_ENV.hash]).toBe(
      compilePolicy(DEFAULT_POLICY, "defaults").hash,
    );
  });

  it("never tries to read the policy file", () => {
    const paths = reads.mock.calls.map(([p]) => String(p));
    expect(
      paths.some((p) => p.includes(".sst/platform")),
      "the spy sees the program's reads",
    ).toBe(true);
    expect(paths.filter((p) => p.includes("gone.policy.yaml"))).toEqual([]);
  });
});
