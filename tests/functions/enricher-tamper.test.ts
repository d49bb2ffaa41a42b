/**
 * Tamper records through the enricher handler (mocked SNS): this stage's changes become alerts of
 * their own kind on the same topic, with severity and reason attributes, alongside read alerts;
 * another stage's changes and out-of-scope resources send nothing.
 */
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createHandler } from "../../packages/functions/src/enricher.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

const TOPIC = "arn:aws:sns:us-east-2:111122223333:secretwatch-dev-alerts";
const sns = mockClient(SNSClient);
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput);

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m" });
});

function handlerWith(logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() }) {
  return createHandler({
    sns: new SNSClient({ region: "us-east-2" }),
    topicArn: TOPIC,
    app: "secretwatch",
    stage: "dev",
    clock: () => new Date("2026-12-01T09:20:00Z"),
    logger: logger as never,
  });
}

describe("tamper events through the enricher", () => {
  it("publishes the stage's tamper alerts first, critical ones with their reasons, reads alongside", async () => {
    const trail = cloudTrailFixture("tamper/trail");
    const read = cloudTrailFixture("stratus-secretsmanager").find((r) => r.eventName === "GetSecretValue")!;
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const result = await handlerWith(logger)(recordsEvent([...trail, read]));
    expect(result.tamperHits).toBe(8);
    const subjects = published().map((p) => p.Subject);
    expect(subjects[0]).toBe("CRITICAL [secretwatch dev] TAMPER: StopLogging on secretwatch-dev-trail by alice");
    const critical = published().filter((p) => p.MessageAttributes?.severity?.StringValue === "critical");
    expect(critical).toHaveLength(6);
    for (const p of critical) expect(p.MessageAttributes?.category?.StringValue).toBe("tamper");
    expect(subjects).toContain(
      "MEDIUM [secretwatch dev] changed by deploy-ci (Pulumi): PutEventSelectors on secretwatch-dev-trail",
    );
    expect(subjects.at(-1)).toMatch(/ read by /);
    expect(logger.info.mock.calls.filter((c) => c[0] === "Tamper event assessed")).toHaveLength(8);
  });

  it("follows the alert topic the handler is given on each call: the tamper scope is that topic's", async () => {
    const other = "arn:aws:sns:us-east-2:111122223333:secretwatch-dev-other";
    let topic = TOPIC;
    const handler = createHandler({
      sns: new SNSClient({ region: "us-east-2" }),
      topicArn: () => topic,
      app: "secretwatch",
      stage: "dev",
      clock: () => new Date("2026-12-01T09:20:00Z"),
    });
    const deleting = (eventID: string) => ({
      eventSource: "sns.amazonaws.com",
      eventName: "DeleteTopic",
      eventID,
      eventTime: "2026-12-01T09:00:00Z",
      requestParameters: { topicArn: other },
    });
    expect((await handler(recordsEvent([deleting("t1")]))).tamperHits).toBe(0);
    topic = other;
    expect((await handler(recordsEvent([deleting("t2")]))).tamperHits).toBe(1);
  });

  it("sends nothing for another stage's function, one alert for its own", async () => {
    const base = {
      eventSource: "lambda.amazonaws.com",
      eventName: "DeleteFunction20150331",
      eventTime: "2026-12-01T09:00:00Z",
    };
    const other = { ...base, eventID: "x1", requestParameters: { functionName: "secretwatch-dev-alice-enricher" } };
    const mine = { ...base, eventID: "x2", requestParameters: { functionName: "secretwatch-dev-enricher" } };
    const result = await handlerWith()(recordsEvent([other, mine]));
    expect(result.tamperHits).toBe(1);
    expect(published().map((p) => p.Subject)).toEqual([
      "CRITICAL [secretwatch dev] TAMPER: DeleteFunction on secretwatch-dev-enricher by unknown",
    ]);
  });
});
