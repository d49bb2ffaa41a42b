/**
 * The enricher with a policy and a state store: what the assessment lets through, what it
 * only counts, the decision line logged per read, and that a missing policy or an unavailable
 * store never costs an alert.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ENRICHER_METRICS } from "../../packages/core/src/naming.js";
import { compilePolicy, DEFAULT_POLICY, type Policy, PolicyLoadError } from "../../packages/core/src/policy.js";
import { InMemoryStateStore, type StateStore } from "../../packages/core/src/state.js";
import { createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

const TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:secretwatch-test-alerts";
const triage = cloudTrailFixture("triage");
const fixtureFile = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/cloudtrail/${name}`, import.meta.url), "utf8"));
const cases = (fixtureFile("triage.expected.json") as { cases: Array<{ eventID: string; case: string }> }).cases;
/** The triage fixture's record for a case (by the start of its description). */
const byCase = (text: string) => {
  const id = cases.find((c) => c.case.startsWith(text))?.eventID;
  const record = triage.find((r) => r.eventID === id);
  if (!record) throw new Error(`no triage case "${text}"`);
  return record;
};
const policy = fixtureFile("triage.policy.json") as Policy;

const snsMock = mockClient(SNSClient);
const published = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput);

function handlerWith(overrides: Partial<EnricherDeps> = {}) {
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const metrics = { addMetric: vi.fn(), publishStoredMetrics: vi.fn() };
  const handler = createHandler({
    sns: new SNSClient({ region: "eu-west-1" }),
    topicArn: TOPIC_ARN,
    app: "secretwatch",
    stage: "test",
    clock: () => new Date("2024-05-14T10:00:00Z"),
    logger: logger as unknown as EnricherDeps["logger"],
    metrics: metrics as unknown as EnricherDeps["metrics"],
    policy: () => compilePolicy(policy, "triage.policy.json"),
    ...overrides,
  });
  const metric = (name: string) =>
    metrics.addMetric.mock.calls.filter((c) => c[0] === name).reduce((sum, c) => sum + (c[2] as number), 0);
  return { handler, logger, metrics, metric };
}

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
});

describe("the enricher with a policy", () => {
  it("does not email an expected read, counts it, and logs one decision line per read", async () => {
    const { handler, logger, metric } = handlerWith({ state: new InMemoryStateStore() });
    const expected = byCase("expected workload through its VPC endpoint");
    const decoy = byCase("decoy read by the expected role");
    const result = await handler(recordsEvent([expected, decoy]));
    expect(result).toMatchObject({ hits: 2, published: 1, belowNotify: 1 });
    expect(result.policyHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const [only] = published();
    expect(only?.MessageAttributes?.severity?.StringValue).toBe("critical");
    expect(only?.MessageAttributes?.reasons?.StringValue?.split(",")).toContain("decoy");
    const decisions = logger.info.mock.calls.filter((c) => c[0] === "Read assessed").map((c) => c[1]);
    expect(decisions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventID: expected.eventID, emailed: false, severity: "info", rule: "payments-db" }),
        expect.objectContaining({ eventID: decoy.eventID, emailed: true, severity: "critical" }),
      ]),
    );
    expect(decisions).toHaveLength(2);
    expect(metric(ENRICHER_METRICS.readsBelowNotify)).toBe(1);
  });

  it("decision lines are built only when the logger's level lets INFO through; the alerts are the same", async () => {
    const events = recordsEvent([
      byCase("expected workload through its VPC endpoint"),
      byCase("decoy read by the expected role"),
    ]);
    // Powertools' own numbers, read from real loggers (the functions package's dependency).
    const powertools = createRequire(new URL("../../packages/functions/package.json", import.meta.url));
    const { Logger, LogLevelThreshold } = powertools("@aws-lambda-powertools/logger") as {
      Logger: new (options: { logLevel: string }) => { level: number };
      LogLevelThreshold: Record<"INFO" | "WARN" | "SILENT", number>;
    };
    const levels = ["INFO", "WARN", "SILENT"].map((name) => new Logger({ logLevel: name }).level);
    expect(levels).toEqual([LogLevelThreshold.INFO, LogLevelThreshold.WARN, LogLevelThreshold.SILENT]);
    const infoLines: number[] = [];
    const results: unknown[] = [];
    for (const level of levels) {
      const logger = { level, info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      snsMock.resetHistory();
      const { handler } = handlerWith({ logger: logger as unknown as EnricherDeps["logger"] });
      results.push(await handler(events));
      infoLines.push(logger.info.mock.calls.filter((c) => c[0] === "Read assessed").length);
      expect(published()).toHaveLength(1); // the decoy's alert, whatever the level
    }
    expect(infoLines).toEqual([2, 0, 0]);
    expect(results[1]).toEqual(results[0]);
  });

  it("without a state store, a read nobody expects is medium (state-unavailable) and emailed", async () => {
    const { handler } = handlerWith();
    await handler(recordsEvent([byCase("IAM user from a private address")]));
    const [input] = published();
    expect(input?.MessageAttributes?.severity?.StringValue).toBe("medium");
    expect(input?.MessageAttributes?.reasons?.StringValue).toBe("state-unavailable");
  });

  it("a configured policy that cannot be loaded: every read is emailed, at least medium, and PolicyErrors counts it", async () => {
    const { handler, metric, logger } = handlerWith({
      policy: () => {
        throw new PolicyLoadError("the compiled policy file is missing");
      },
    });
    const result = await handler(recordsEvent([byCase("expected workload"), byCase("AWS service")]));
    expect(result.published).toBe(2);
    expect(result.policyHash).toBeNull();
    for (const input of published()) {
      expect(["medium", "high", "critical"]).toContain(input.MessageAttributes?.severity?.StringValue);
      expect(input.MessageAttributes?.reasons?.StringValue).toContain("policy-unavailable");
    }
    expect(metric(ENRICHER_METRICS.policyErrors)).toBe(1);
    expect(logger.error).toHaveBeenCalled();
  });

  it("a policy that loads but cannot be matched against (edited by hand) is treated the same: every read is emailed", async () => {
    const compiled = compilePolicy(DEFAULT_POLICY, "test");
    // What no schema-checked policy holds: the matcher cannot be built from it.
    const policy = { ...compiled.policy, expected: null as unknown as Policy["expected"] };
    const broken = { ...compiled, hash: "sha256:broken-by-hand", policy };
    const { handler, metric } = handlerWith({ policy: () => broken });
    const result = await handler(recordsEvent([byCase("expected workload"), byCase("AWS service")]));
    expect(result.published).toBe(2);
    expect(result.policyHash).toBeNull();
    for (const input of published()) {
      expect(input.MessageAttributes?.reasons?.StringValue).toContain("policy-unavailable");
    }
    expect(metric(ENRICHER_METRICS.policyErrors)).toBe(1);
  });
});

describe("the enricher with a state store", () => {
  const workload = () => ({ ...byCase("IAM user from a private address") });

  it("emails a first read, then counts the same pair's later reads as routine", async () => {
    const state = new InMemoryStateStore();
    const { handler } = handlerWith({ state, policy: () => compilePolicy(DEFAULT_POLICY, "defaults") });
    await handler(recordsEvent([workload()]));
    const later = { ...workload(), eventID: "later-read-1", eventTime: "2024-05-14T11:00:00Z" };
    const result = await handler(recordsEvent([later]));
    expect(published()).toHaveLength(1);
    expect(published()[0]?.MessageAttributes?.reasons?.StringValue).toBe("first-seen");
    expect(result).toMatchObject({ published: 0, belowNotify: 1 });
  });

  it("alerts anyway when the store cannot be read, and counts StateErrors", async () => {
    const broken: StateStore = {
      load: async () => {
        throw new Error("ProvisionedThroughputExceededException");
      },
      save: async () => {
        throw new Error("never called: nothing was loaded");
      },
    };
    const { handler, metric } = handlerWith({ state: broken, policy: () => compilePolicy(DEFAULT_POLICY, "d") });
    const result = await handler(recordsEvent([workload()]));
    expect(result.published).toBe(1);
    expect(published()[0]?.MessageAttributes?.reasons?.StringValue).toBe("state-unavailable");
    expect(metric(ENRICHER_METRICS.stateErrors)).toBe(1);
  });

  it("does not remember anything when the publish failed, so the retry alerts again", async () => {
    const state = new InMemoryStateStore();
    const { handler } = handlerWith({ state, policy: () => compilePolicy(DEFAULT_POLICY, "d") });
    snsMock.on(PublishCommand).rejects(new Error("SNS down"));
    await expect(handler(recordsEvent([workload()]))).rejects.toThrow();
    snsMock.on(PublishCommand).resolves({ MessageId: "m-2" });
    await handler(recordsEvent([workload()]));
    const retried = published().at(-1);
    expect(retried?.MessageAttributes?.reasons?.StringValue).toBe("first-seen");
  });
});

describe("learning, and late or redriven payloads", () => {
  const NOW = new Date("2024-05-14T10:00:00Z");
  /** The in-memory store with the stage markers a deployed table holds. */
  function storeWith(meta: { deployedAt: number | null; baselineAt: number | null }): StateStore {
    const inner = new InMemoryStateStore();
    return {
      load: async (request) => ({ ...(await inner.load(request)), meta }),
      save: (update) => inner.save(update),
    };
  }
  const firstRead = () => ({ ...byCase("IAM user from a private address"), eventTime: "2024-05-14T09:55:00Z" });
  const run = async (overrides: Partial<EnricherDeps>, record = firstRead()) => {
    const { handler } = handlerWith({
      clock: () => NOW,
      policy: () => compilePolicy(DEFAULT_POLICY, "defaults"),
      ...overrides,
    });
    return handler(recordsEvent([record]));
  };
  const deployedHoursAgo = (h: number) => NOW.getTime() - h * 3_600_000;

  it("records a first read without emailing it in the first 24 hours after the first deploy", async () => {
    const result = await run({ state: storeWith({ deployedAt: deployedHoursAgo(2), baselineAt: null }) });
    expect(result).toMatchObject({ published: 0, hits: 1 });
    expect(published()).toEqual([]);
  });

  it.each<[string, Partial<EnricherDeps>]>([
    ["after the learning hours", { state: storeWith({ deployedAt: deployedHoursAgo(30), baselineAt: null }) }],
    [
      "once baseline has run",
      { state: storeWith({ deployedAt: deployedHoursAgo(2), baselineAt: deployedHoursAgo(1) }) },
    ],
    ["with no deploy marker (louder)", { state: storeWith({ deployedAt: null, baselineAt: null }) }],
    [
      "for a redriven payload",
      { redriven: true, state: storeWith({ deployedAt: deployedHoursAgo(2), baselineAt: null }) },
    ],
    [
      "with a learning window of 0 hours",
      { learningHours: 0, state: storeWith({ deployedAt: deployedHoursAgo(2), baselineAt: null }) },
    ],
  ])("emails a first read %s", async (_when, deps) => {
    const result = await run(deps);
    expect(result.published).toBe(1);
    expect(published()[0]?.MessageAttributes?.reasons?.StringValue).toBe("first-seen");
  });

  it("emails a first read delivered hours late, even while learning", async () => {
    const late = { ...firstRead(), eventTime: "2024-05-14T07:00:00Z" };
    const result = await run({ state: storeWith({ deployedAt: deployedHoursAgo(2), baselineAt: null }) }, late);
    expect(result.published).toBe(1);
  });
});
