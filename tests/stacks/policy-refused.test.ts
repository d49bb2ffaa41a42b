/**
 * Scenario: a policy file that cannot be used stops `sst deploy` in run(), before any
 * resource is declared, with a PolicyError listing every problem as `file:line: path: message`.
 * Not configured and no file: the documented defaults (see dev-stage-enricher.test.ts).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { missingPolicyFile, policyFile, unreadablePolicyFile } from "./harness/policy-file";
import { recorded } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

type PolicyError = Error & { file: string; problems: readonly string[] };

// stacks/policy.ts throws while it loads; give each run fresh modules.
beforeEach(() => {
  vi.resetModules();
});

/** The error `sst deploy` reports for this policy file; asserts nothing was declared. */
async function deployError(file: string, command = "deploy"): Promise<PolicyError> {
  const before = recorded.filter((r) => r.custom).length;
  const error = await runApp({ stage: "dev", command, policyFile: file }).then(
    () => expect.fail("the deploy should have been refused"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe("PolicyError");
  expect(recorded.filter((r) => r.custom).length, "resources declared before the refusal").toBe(before);
  return error as PolicyError;
}

describe("run() refuses a policy it cannot use", () => {
  it("refuses a configured policy file that does not exist (never falls back to the defaults)", async () => {
    const file = missingPolicyFile();
    const error = await deployError(file);
    expect(error.message).toContain("SECRETWATCH_POLICY_FILE");
    expect(error.message).toContain(file);
    expect(error.message).toContain("does not exist");
    expect((error.cause as { code?: string }).code).toBe("ENOENT");
  });

  it("refuses it for diff and dev too: only remove skips the policy", async () => {
    for (const command of ["diff", "dev"]) await deployError(missingPolicyFile(), command);
  });

  it("refuses a policy file that cannot be read", async () => {
    const file = unreadablePolicyFile();
    const error = await deployError(file);
    expect(error.message).toContain(`The policy file ${file} could not be read`);
  });

  it("refuses broken YAML, saying where", async () => {
    const file = policyFile("broken.policy.yaml", "version: 1\nnotify: [medium\npage: high\n");
    const error = await deployError(file);
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) expect(problem).toMatch(new RegExp(`^${file}:\\d+: `));
    expect(error.message).toContain(error.problems[0]);
  });

  it("lists every problem of an invalid policy, each with its file, line and path", async () => {
    const file = policyFile(
      "invalid.policy.yaml",
      [
        "version: 1",
        "page: urgent",
        "expected:",
        "  - id: api",
        "    principal: arn:aws:sts::111122223333:assumed-role/api/session",
        "    secret: prod/api/*",
        "",
      ].join("\n"),
    );
    const error = await deployError(file);
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(new RegExp(`^${file}:2: page: `));
    expect(error.problems[1]).toMatch(new RegExp(`^${file}:5: expected\\[0\\]\\.principal: `));
    expect(error.message).toContain("2 problems");
    for (const problem of error.problems) expect(error.message).toContain(`  ${problem}`);
  });
});
