/**
 * The bundled enricher with its policy as it ships: the compiled policy JSON beside the bundle
 * (where the stack's copyFiles puts it), SECRETWATCH_COMPILED_POLICY and SECRETWATCH_POLICY_HASH
 * set, LAMBDA_TASK_ROOT the package root. A read a rule expects is not published; a configured
 * policy that is missing or not the deployed one is not "no policy": every read is published
 * (policy-unavailable) and the EMF line carries PolicyErrors, which the stage's alarm watches.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compilePolicy, DEFAULT_POLICY, type ExpectedRule, type Policy } from "../../packages/core/src/policy.js";
import { atLeast, isSeverity } from "../../packages/core/src/severity.js";
import { POLICY_ENV } from "../../packages/functions/src/policy-source.js";
import { type BundleResult, bundleHandler } from "../helpers/bundle.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";
import { invokeBundle, type LocalSns, messageAttributes, startLocalSns } from "./local-sns.js";

const reads = cloudTrailFixture<Record<string, any>>("stratus-secretsmanager").filter(
  (r) => r.eventName === "GetSecretValue",
);
const bySecret = (n: number) => reads.find((r) => r.requestParameters.secretId.includes(`retrieve-secret-${n}-`))!;
const read18 = bySecret(18);
const read17 = bySecret(17);

/** 499 rules for other readers, and one that expects christophe's reads of secret 18. */
const rules: ExpectedRule[] = [
  ...Array.from({ length: 499 }, (_, i) => ({
    id: `bulk-${i}`,
    principal: `arn:aws:iam::111122223333:role/bulk-${i}`,
    secret: `bulk/${i}/*`,
  })),
  {
    id: "christophe-secret-18",
    principal: "arn:aws:iam::903144391865:user/christophe",
    secret: "arn:aws:secretsmanager:*:903144391865:secret:stratus-red-team-retrieve-secret-18-*",
    note: "the Stratus test reads it",
  },
];
const policy: Policy = { ...structuredClone(DEFAULT_POLICY), expected: rules };
const compiled = compilePolicy(policy, "secretwatch.policy.yaml");

let sns: LocalSns;
let dir: string;
let bundle: BundleResult;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-artifact-policy-"));
  bundle = await bundleHandler("packages/functions/src/enricher.ts", dir);
  // As copyFiles does: `secretwatch-policy.json` at the package root, beside the bundle.
  writeFileSync(path.join(dir, "secretwatch-policy.json"), `${JSON.stringify(compiled)}\n`);
  sns = await startLocalSns();
}, 120_000);

afterAll(async () => {
  await sns?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sns.reset();
});

/** The environment the stack sets for the shipped policy. */
const shipped = (overrides: Record<string, string> = {}) => ({
  LAMBDA_TASK_ROOT: dir,
  [POLICY_ENV.file]: "secretwatch-policy.json",
  [POLICY_ENV.hash]: compiled.hash,
  ...overrides,
});

const published = () =>
  sns.requests.map(({ params }) => ({ message: params.get("Message") ?? "", attributes: messageAttributes(params) }));

describe("the bundled enricher with a shipped policy of 500 rules", () => {
  it("publishes nothing for the read a rule expects, and the unexpected read with its severity", async () => {
    expect(compiled.policy.expected).toHaveLength(500);
    const run = await invokeBundle(bundle.file, sns, recordsEvent([read18, read17]), shipped());
    expect(run.code, run.stderr).toBe(0);
    const messages = published();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).toContain(read17.eventID);
    expect(messages[0]!.message).not.toContain(read18.eventID);
    const severity = messages[0]!.attributes.get("severity");
    expect(isSeverity(severity) && atLeast(severity, "medium"), String(severity)).toBe(true);
    expect(messages[0]!.attributes.get("reasons")).not.toContain("policy-unavailable");
    expect(run.result).toMatchObject({ hits: 2, published: 1, belowNotify: 1, policyHash: compiled.hash });
    expect(run.emf[0]).toMatchObject({ ReadsBelowNotify: 1, MessagesPublished: 1 });
    expect(run.emf[0]?.PolicyErrors).toBeUndefined();
  }, 60_000);
});

describe("a configured policy that cannot be used", () => {
  /** Every read published, each message at medium or above with reason policy-unavailable, and PolicyErrors counted. */
  async function expectEveryReadReported(env: Record<string, string>) {
    const run = await invokeBundle(bundle.file, sns, recordsEvent([read18, read17]), env);
    expect(run.code, run.stderr).toBe(0);
    const messages = published();
    expect(messages.length).toBeGreaterThan(0);
    for (const { attributes } of messages) {
      const severity = attributes.get("severity");
      expect(isSeverity(severity) && atLeast(severity, "medium"), String(severity)).toBe(true);
      expect(attributes.get("reasons")?.split(",")).toContain("policy-unavailable");
    }
    const text = messages.map((m) => m.message).join("\n");
    for (const read of [read18, read17]) expect(text).toContain(read.eventID);
    expect(run.result).toMatchObject({ hits: 2, belowNotify: 0, policyHash: null });
    expect(run.emf).toHaveLength(1);
    expect(run.emf[0]).toMatchObject({ service: "secretwatch-ci-enricher", PolicyErrors: 1 });
    const metricNames = run.emf[0]!._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name);
    expect(metricNames).toContain("PolicyErrors");
    return run;
  }

  it("reports every read when the policy file is missing", async () => {
    const run = await expectEveryReadReported(shipped({ [POLICY_ENV.file]: "missing-policy.json" }));
    // The error log names the file it looked for (Powertools logs errors to stderr).
    expect(`${run.stdout}${run.stderr}`).toMatch(/detection policy could not be loaded.*missing-policy\.json/);
  }, 60_000);

  it("reports every read when the file is not the deployed policy (hash mismatch)", async () => {
    const other = compilePolicy(DEFAULT_POLICY, "defaults");
    await expectEveryReadReported(shipped({ [POLICY_ENV.hash]: other.hash }));
  }, 60_000);
});

describe("the handler bundle", () => {
  it("leaves the policy file parser (yaml, zod) out: the handler only reads compiled policies", () => {
    expect(bundle.inputs).toContain("packages/functions/src/policy-source.ts");
    expect(bundle.inputs).toContain("packages/core/src/policy.ts");
    const parser = bundle.inputs.filter(
      (f) => /(^|\/)node_modules\/(zod|yaml)\//.test(f) || f.endsWith("policy-schema.ts"),
    );
    expect(parser).toEqual([]);
  });
});
