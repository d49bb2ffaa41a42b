/**
 * The enricher's side of the reconciliation alarm: `ReadsAssessed`, the GetSecretValue records it
 * decoded (before de-duplication and suppression), one EMF document per minute of the log
 * events' timestamps, so an hour's sum lines up with the metric filter's count.
 */
import { describe, expect, it, vi } from "vitest";
import { ENRICHER_METRICS } from "../../packages/core/src/naming.js";
import { createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import type { SnsSender } from "../../packages/functions/src/publish.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { subscriptionEvent } from "../helpers/subscription.js";

const records = cloudTrailFixture("stratus-secretsmanager");
const gets = records.filter((r) => r.eventName === "GetSecretValue");
const other = records.find((r) => r.eventName !== "GetSecretValue")!;

describe("ReadsAssessed", () => {
  it("counts GetSecretValue records per minute of their log event, duplicates included, nothing else", async () => {
    const minute = 1722429360000; // 2024-07-31T12:36:00Z
    const messages = [gets[0], gets[1], gets[1], other, gets[2]].map((r) => JSON.stringify(r));
    const event = subscriptionEvent([...messages, "not json"]);
    // Re-date the log events: three in the first minute, the rest in the next.
    const payload = JSON.parse(
      (await import("node:zlib")).gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString(),
    );
    payload.logEvents.forEach((e: { timestamp: number }, i: number) => {
      e.timestamp = minute + (i < 3 ? 1_000 * i : 60_000 + 1_000 * i);
    });
    const data = (await import("node:zlib")).gzipSync(JSON.stringify(payload)).toString("base64");

    const singles: Array<{ timestamp: unknown; metrics: unknown[][] }> = [];
    const metrics = {
      addMetric: vi.fn(),
      publishStoredMetrics: vi.fn(),
      singleMetric: () => {
        const single = { timestamp: undefined as unknown, metrics: [] as unknown[][] };
        singles.push(single);
        return {
          setTimestamp: (t: unknown) => {
            single.timestamp = t;
          },
          addMetric: (...args: unknown[]) => single.metrics.push(args),
        };
      },
    };
    const sns = { send: async () => ({ MessageId: "m" }) } as unknown as SnsSender;
    const handler = createHandler({
      sns,
      topicArn: "arn:aws:sns:us-east-1:111122223333:t",
      app: "secretwatch",
      stage: "test",
      clock: () => new Date("2024-07-31T12:41:52Z"),
      metrics: metrics as unknown as EnricherDeps["metrics"],
      logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    });
    await handler({ awslogs: { data } });
    expect(singles).toEqual([
      { timestamp: minute, metrics: [[ENRICHER_METRICS.readsAssessed, "Count", 3]] },
      { timestamp: minute + 60_000, metrics: [[ENRICHER_METRICS.readsAssessed, "Count", 1]] },
    ]);
  });
});
