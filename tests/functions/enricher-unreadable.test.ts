/**
 * One record the enrichment fails on must cost only its own details: the enricher still alerts on
 * it (bare, `unreadable-record`, high) and on every other read of the payload, and the invocation
 * succeeds. The failure is made on purpose: `identityOf` throws for records of FAILS_ENRICHMENT
 * (tests/helpers/failing-identity.ts).
 */
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { stageTamperScope } from "../../packages/core/src/tamper/stage-scope.js";
import { createHandler } from "../../packages/functions/src/enricher.js";
import { FAILS_ENRICHMENT } from "../helpers/failing-identity.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

vi.mock("../../packages/core/src/identity.js", async (original) =>
  (await import("../helpers/failing-identity.js")).identityFailing(original),
);

const snsMock = mockClient(SNSClient);
const published = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput);
beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
});

/** The enricher on the test stage, with SNS mocked. */
const enricher = () =>
  createHandler({
    sns: new SNSClient({ region: "us-east-1" }),
    topicArn: "arn:aws:sns:us-east-1:111122223333:secretwatch-test-alerts",
    app: "secretwatch",
    stage: "test",
    clock: () => new Date("2024-07-31T12:41:52Z"),
  });
const reads = cloudTrailFixture("stratus-secretsmanager").filter((r) => r.eventName === "GetSecretValue");

describe("a record the enrichment fails on", () => {
  it("is alerted bare and high, beside every other read of the payload", async () => {
    const [first, second] = [reads[0]!, reads[1]!];
    const broken = {
      ...first,
      eventID: "0c1d2e3f-0000-4000-8000-00000000dead",
      userIdentity: { ...first.userIdentity, arn: FAILS_ENRICHMENT },
    };
    const handler = enricher();
    const result = await handler(recordsEvent([first, broken, second]));
    expect(result).toMatchObject({ records: 3, malformed: 0, hits: 3 });
    const bare = published().find((m) => m.Message?.includes("0c1d2e3f-0000-4000-8000-00000000dead"));
    expect(bare?.MessageAttributes?.severity?.StringValue).toBe("high");
    expect(bare?.MessageAttributes?.reasons?.StringValue).toContain("unreadable-record");
    expect(bare?.Message).toContain("secretwatch could not read this record (TypeError)");
    // The other reads are alerted as usual, with their principal worked out.
    const others = published().filter((m) => m !== bare);
    expect(others.length).toBeGreaterThan(0);
    for (const m of others) expect(m.MessageAttributes?.reasons?.StringValue).not.toContain("unreadable-record");
  });

  it("a tamper record the classifier fails on is alerted bare and high, and the reads beside it as usual", async () => {
    const [first] = [reads[0]!];
    const trailName = stageTamperScope({ app: "secretwatch", stage: "test" }).trails?.[0] ?? "";
    const stop = {
      ...first,
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "StopLogging",
      eventID: "0c1d2e3f-0000-4000-8000-00000000beef",
      requestParameters: { name: trailName },
      userIdentity: { arn: FAILS_ENRICHMENT },
    };
    const handler = enricher();
    const result = await handler(recordsEvent([first, stop]));
    expect(result).toMatchObject({ records: 2, hits: 1, tamperHits: 1 });
    const tamper = published().find((m) => m.Message?.includes("0c1d2e3f-0000-4000-8000-00000000beef"));
    expect(tamper?.MessageAttributes?.severity?.StringValue).toBe("high");
    expect(tamper?.MessageAttributes?.reasons?.StringValue).toBe("tamper-unreadable");
    expect(tamper?.Subject).toMatch(/^HIGH .*TAMPER: StopLogging on \(not read\)/);
    expect(published().some((m) => m.Message?.includes(first.eventID))).toBe(true);
  });
});
