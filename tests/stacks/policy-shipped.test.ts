/**
 * Scenario: stage `ops` with a configured policy file of 500 expected-reader rules that pages
 * from `medium`, and one pager address. The validated policy is compiled, written under
 * `.sst/` and shipped inside the enricher's package (copyFiles) with its hash in the
 * environment; the pager's filter policy follows the policy's `page`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { policyHash, readCompiledPolicy } from "../../packages/core/src/policy";
import { parsePolicyDocument } from "../../packages/core/src/policy-schema";
import { POLICY_ENV } from "../../packages/functions/src/policy-source";
import { bulkRules, policyFile } from "./harness/policy-file";
import { arnOf, named, ofType, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";
import { functionPackage } from "./harness/zip";

const RULES = 500;
const text = `version: 1
notify: medium
page: medium
expected:
${bulkRules(RULES)}decoys:
  - canary/*
`;
const file = policyFile("ops.policy.yaml", text);

let result: RunResult;
beforeAll(async () => {
  result = await runApp({
    stage: "ops",
    env: { alertEmails: "soc@example.com", pagerEmails: "oncall@example.com" },
    policyFile: file,
  });
});

/** What the policy file compiles to, by the same parser the deploy uses. */
function expectedPolicy() {
  const parsed = parsePolicyDocument(text, file);
  if (!parsed.ok) return expect.fail(`the scenario's policy is invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.policy;
}

describe("the policy at deploy", () => {
  it("ships the compiled policy in the function package, beside the bundle", () => {
    const files = functionPackage("Enricher");
    const shipped = files.get("secretwatch-policy.json");
    expect(shipped, [...files.keys()].join(", ")).toBeDefined();
    const compiled = readCompiledPolicy(shipped!.toString("utf8"));
    expect(compiled.policy).toEqual(expectedPolicy());
    expect(compiled.policy.expected).toHaveLength(RULES);
    expect(compiled.policy.page).toBe("medium");
    expect(compiled.source).toBe(file);
  });

  it("names the file and its hash in the enricher's environment", () => {
    const variables = named("EnricherFunction").inputs.environment.variables;
    expect(variables).toMatchObject({
      [POLICY_ENV.file]: "secretwatch-policy.json",
      [POLICY_ENV.hash]: policyHash(expectedPolicy()),
    });
  });

  it("keeps the environment far below Lambda's 4 KB, whatever the policy's size", () => {
    const variables = named("EnricherFunction").inputs.environment.variables as Record<string, string>;
    const bytes = Object.entries(variables).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    expect(bytes).toBeLessThan(1024);
    expect(Buffer.byteLength(JSON.stringify(expectedPolicy()))).toBeGreaterThan(4096);
  });

  it("writes the build file under .sst/ (gitignored), named by the policy's hash", () => {
    const built = path.join(
      process.cwd(),
      ".sst",
      "secretwatch",
      `policy-${policyHash(expectedPolicy()).slice(7, 23)}.json`,
    );
    expect(readCompiledPolicy(readFileSync(built, "utf8")).hash).toBe(policyHash(expectedPolicy()));
    expect(readFileSync(path.join(process.cwd(), ".gitignore"), "utf8").split("\n")).toContain(".sst/");
  });

  it("outputs which policy was deployed", () => {
    expect(result.outputs.policy).toBe(`${file} (${policyHash(expectedPolicy())})`);
  });
});

describe("the pager follows the policy's page severity", () => {
  it("delivers alerts at medium and above to the pager address", () => {
    const filtered = ofType(T.subscription).filter((s) => s.inputs.filterPolicy !== undefined);
    expect(filtered).toHaveLength(1);
    expect(filtered[0]!.inputs).toMatchObject({
      topic: arnOf("SecurityAlarms"),
      endpoint: "oncall@example.com",
      filterPolicyScope: "MessageAttributes",
    });
    expect(JSON.parse(filtered[0]!.inputs.filterPolicy)).toEqual({
      severity: ["medium", "high", "critical"],
      kind: ["alert", "summary"],
    });
  });
});
