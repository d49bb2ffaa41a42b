/**
 * Rapid retrieval is one alert per actor per window across invocations, with the real store
 * (dynalite): racing deliveries, a later delivery in the same window, one after it, a retry of
 * the winner after SNS failed, a root actor, and the table failing at the claim.
 */
import type { PublishCommand } from "@aws-sdk/client-sns";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ENRICHER_METRICS } from "../../packages/core/src/naming.js";
import { compilePolicy, DEFAULT_POLICY, DEFAULT_THRESHOLDS } from "../../packages/core/src/policy.js";
import type { StateStore } from "../../packages/core/src/state.js";
import { createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import type { SnsSender } from "../../packages/functions/src/publish.js";
import { DynamoStateStore } from "../../packages/functions/src/state.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

const template = cloudTrailFixture("stratus-secretsmanager").find((r) => r.eventName === "GetSecretValue")!;
const THRESHOLDS = { ...DEFAULT_THRESHOLDS, rapidSecrets: 5, rapidMinutes: 6 };
const policy = compilePolicy({ ...DEFAULT_POLICY, thresholds: THRESHOLDS }, "rapid-5");
const START = Date.parse("2024-07-31T12:00:00Z");

/** `count` reads by one actor of distinct secrets `<tag>-0…`, one second apart from `at`. */
function reads(tag: string, count: number, at: number, identity: object = template.userIdentity) {
  return Array.from({ length: count }, (_, i) => ({
    ...template,
    eventID: `${tag}-${String(i).padStart(4, "0")}-0000-0000-000000000000`,
    eventTime: new Date(at + i * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    requestParameters: { secretId: `arn:aws:secretsmanager:us-east-1:903144391865:secret:${tag}-${i}-AbCdEf` },
    userIdentity: identity,
  }));
}

let db: LocalDynamo;
beforeEach(async () => {
  db = await startDynamo();
});
afterEach(async () => {
  await db.stop();
});

/** A handler with its own store instance (as a separate Lambda container has). */
function container(options: { failFirst?: number; state?: (s: DynamoStateStore) => StateStore } = {}) {
  const subjects: string[] = [];
  let failures = options.failFirst ?? 0;
  const sns = {
    async send(command: PublishCommand) {
      if (failures-- > 0) throw Object.assign(new Error("SNS is down"), { name: "InternalErrorException" });
      subjects.push(command.input.Subject ?? "");
      return { MessageId: `m-${subjects.length}` };
    },
  } as unknown as SnsSender;
  const metrics = { addMetric: vi.fn(), publishStoredMetrics: vi.fn() };
  const store = new DynamoStateStore({ client: db.client, tableName: db.tableName, thresholds: THRESHOLDS });
  const handler = createHandler({
    sns,
    topicArn: "arn:aws:sns:us-east-1:111122223333:t",
    app: "secretwatch",
    stage: "test",
    // Processed two minutes after the last read: not late.
    clock: () => new Date(START + 60 * 60_000),
    policy: () => policy,
    state: options.state ? options.state(store) : store,
    metrics: metrics as unknown as EnricherDeps["metrics"],
    logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
  });
  const rapid = () => subjects.filter((s) => s.includes("rapid retrieval"));
  const stateErrors = () => metrics.addMetric.mock.calls.filter((c) => c[0] === ENRICHER_METRICS.stateErrors).length;
  return { handler, subjects, rapid, stateErrors };
}

const late = (ms: number) => START + 60 * 60_000 - ms;

describe("rapid retrieval: one alert per actor per window, across invocations", () => {
  it("two deliveries racing on one actor's window send one rapid-retrieval alert", async () => {
    const [a, b] = [container(), container()];
    const at = late(20 * 60_000);
    const [ra, rb] = await Promise.all([
      a.handler(recordsEvent(reads("aaaa", 6, at))),
      b.handler(recordsEvent(reads("bbbb", 6, at + 500))),
    ]);
    expect(a.rapid().length + b.rapid().length).toBe(1);
    // The loser counts its reads that crossed the threshold (its 5th and 6th) as repeats of the
    // window's alert; its first four are first-seen reads, alerted as such.
    expect(ra.suppressed + rb.suppressed).toBe(2);
  });

  it("a later delivery in the same window sends none; one after the window sends one", async () => {
    const c = container();
    const at = late(40 * 60_000);
    await c.handler(recordsEvent(reads("one", 6, at)));
    expect(c.rapid()).toHaveLength(1);
    const second = await c.handler(recordsEvent(reads("two", 6, at + 60_000)));
    expect(c.rapid()).toHaveLength(1);
    expect(second.suppressed).toBe(6);
    await c.handler(recordsEvent(reads("three", 6, at + 20 * 60_000)));
    expect(c.rapid()).toHaveLength(2);
  });

  it("the winner's retry after SNS failed wins its own claim again and sends the alert", async () => {
    const payload = recordsEvent(reads("retry", 6, late(20 * 60_000)));
    const first = container({ failFirst: 10 });
    await expect(first.handler(payload)).rejects.toThrow();
    const retry = container();
    await retry.handler(payload);
    expect(retry.rapid()).toHaveLength(1);
  });

  it("a root actor's rapid retrieval is never held back by another delivery's claim", async () => {
    const root = {
      type: "Root",
      principalId: "903144391865",
      arn: "arn:aws:iam::903144391865:root",
      accountId: "903144391865",
    };
    const [a, b] = [container(), container()];
    const at = late(20 * 60_000);
    await a.handler(recordsEvent(reads("ra", 6, at, root)));
    await b.handler(recordsEvent(reads("rb", 6, at + 60_000, root)));
    expect(a.rapid()).toHaveLength(1);
    expect(b.rapid()).toHaveLength(1);
  });

  it("the table failing at the claim: the alert is sent and the failure counted", async () => {
    const c = container({
      state: (store) => ({
        load: (request) => store.load(request),
        save: (update) => store.save(update),
        claimRapid: async () => {
          await db.stop();
          return store.claimRapid(
            // the real call, against a stopped table
            { actor: "x", last: 0, until: 1, owner: "o" },
          );
        },
      }),
    });
    await c.handler(recordsEvent(reads("down", 6, late(20 * 60_000))));
    expect(c.rapid()).toHaveLength(1);
    expect(c.stateErrors()).toBe(1);
  });
});
