/**
 * Faults of the state table during an invocation, with the real store: the table going away
 * between the read and the write (dynalite stopped mid-invocation), and a throttled table.
 * Every alert is still published; the failure is counted (StateErrors) and logged.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { PublishCommand } from "@aws-sdk/client-sns";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ENRICHER_METRICS } from "../../packages/core/src/naming.js";
import { compilePolicy, DEFAULT_POLICY } from "../../packages/core/src/policy.js";
import type { StateStore } from "../../packages/core/src/state.js";
import { createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import type { SnsSender } from "../../packages/functions/src/publish.js";
import { DynamoStateStore } from "../../packages/functions/src/state.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

const reads = cloudTrailFixture("stratus-secretsmanager").filter((r) => r.eventName === "GetSecretValue");
const payload = recordsEvent(reads.slice(0, 3));

let db: LocalDynamo;
beforeEach(async () => {
  db = await startDynamo();
});
afterEach(async () => {
  await db.stop();
});

function run(state: (policy: typeof DEFAULT_POLICY) => StateStore) {
  const subjects: string[] = [];
  const sns = {
    async send(command: PublishCommand) {
      subjects.push(command.input.Subject ?? "");
      return { MessageId: "m" };
    },
  } as unknown as SnsSender;
  const metrics = { addMetric: vi.fn(), publishStoredMetrics: vi.fn() };
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const handler = createHandler({
    sns,
    topicArn: "arn:aws:sns:us-east-1:111122223333:t",
    app: "secretwatch",
    stage: "test",
    clock: () => new Date("2024-07-31T12:41:52Z"),
    policy: () => compilePolicy(DEFAULT_POLICY, "defaults"),
    state,
    metrics: metrics as unknown as EnricherDeps["metrics"],
    logger: logger as unknown as EnricherDeps["logger"],
  });
  const stateErrors = () => metrics.addMetric.mock.calls.filter((c) => c[0] === ENRICHER_METRICS.stateErrors).length;
  return { handler, subjects, stateErrors, logger };
}

describe("the state table failing during an invocation", () => {
  it("gone between the read and the write: the alerts are published, the write failure is counted", async () => {
    const { handler, subjects, stateErrors, logger } = run((policy) => {
      const store = new DynamoStateStore({ client: db.client, tableName: db.tableName, thresholds: policy.thresholds });
      return {
        load: async (request) => {
          const snapshot = await store.load(request);
          await db.stop(); // the table goes away right after the read
          return snapshot;
        },
        save: (update) => store.save(update),
      };
    });
    const result = await handler(payload);
    expect(result.published).toBeGreaterThan(0);
    expect(subjects.every((s) => s.startsWith("HIGH ") || s.startsWith("MEDIUM "))).toBe(true);
    expect(stateErrors()).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining("could not be written"), expect.anything());
  });

  it("throttled (ProvisionedThroughputExceededException): alerted without state, counted once", async () => {
    const throttled = {
      send: async () => {
        throw Object.assign(new Error("Rate of requests exceeds the allowed throughput"), {
          name: "ProvisionedThroughputExceededException",
          $metadata: { httpStatusCode: 400 },
        });
      },
    } as unknown as DynamoDBClient;
    const { handler, subjects, stateErrors } = run(
      (policy) => new DynamoStateStore({ client: throttled, tableName: "t", thresholds: policy.thresholds }),
    );
    const result = await handler(payload);
    expect(result.published).toBeGreaterThan(0);
    expect(subjects.length).toBe(result.published);
    expect(stateErrors()).toBe(1);
  });
});
