/**
 * The digest function end to end: the enricher writes its counters to a real DynamoDB
 * implementation (dynalite, real SDK client) over a day, then the scheduled run reads the
 * previous full day (or hour), the failure queue's depth, and publishes one sanitised digest.
 * SNS and SQS are mocked in their documented response shapes; DynamoDB is not.
 */

import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { messageSize, SNS_MAX_MESSAGE_BYTES } from "../../packages/core/src/plan.js";
import { compilePolicy, DEFAULT_POLICY, type Policy } from "../../packages/core/src/policy.js";
import { InMemoryStateStore } from "../../packages/core/src/state.js";
import { createDigestHandler, type DigestDeps } from "../../packages/functions/src/digest.js";
import { DynamoDigestStore } from "../../packages/functions/src/digest-store.js";
import { createHandler } from "../../packages/functions/src/enricher.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

const TOPIC = "arn:aws:sns:eu-west-1:111122223333:secretwatch-test-alerts";
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/111122223333/secretwatch-test-enricher-failures";
const snsMock = mockClient(SNSClient);
const sqsMock = mockClient(SQSClient);
const published = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput);
const digests = () => published().filter((p) => p.MessageAttributes?.kind?.StringValue === "digest");

let db: LocalDynamo;
beforeEach(async () => {
  db = await startDynamo();
  snsMock.reset();
  sqsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
  sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0" } });
});
afterEach(async () => {
  await db.stop();
});

const [fixture] = cloudTrailFixture("private-addresses");
/** The fixture's read, as another event of `secretId` by `role`. */
const read = (secretId: string, role: string, i: number) => ({
  ...fixture,
  eventID: `evt-${role}-${secretId}-${i}`,
  requestParameters: { secretId },
  userIdentity: {
    ...fixture!.userIdentity,
    arn: `arn:aws:sts::111122223333:assumed-role/${role}/i-1`,
    sessionContext: { sessionIssuer: { type: "Role", arn: `arn:aws:iam::111122223333:role/${role}`, userName: role } },
  },
});

const policy: Policy = {
  ...DEFAULT_POLICY,
  expected: [
    { id: "app-db", principal: "arn:aws:iam::111122223333:role/app", secret: "prod/db", note: "reads at start" },
  ],
};

/** One enricher invocation at `iso` (wall clock), writing its counters to the table. */
async function invoke(iso: string, records: object[], state = new InMemoryStateStore()) {
  const clock = () => new Date(iso);
  const handler = createHandler({
    sns: new SNSClient({ region: "eu-west-1" }),
    topicArn: TOPIC,
    app: "secretwatch",
    stage: "test",
    clock,
    policy: () => compilePolicy(policy, "test"),
    state,
    digest: new DynamoDigestStore({ client: db.client, tableName: db.tableName, clock }),
  });
  return handler(recordsEvent(records), { awsRequestId: `req-${iso}` } as never);
}

/** The digest run, its clock just after the periods of these tests (the store's expiry check reads it). */
function digestHandler(overrides: Partial<DigestDeps> = {}, now = "2024-05-15T08:05:00Z") {
  const clock = () => new Date(now);
  return createDigestHandler({
    store: new DynamoDigestStore({ client: db.client, tableName: db.tableName, clock }),
    sqs: new SQSClient({ region: "eu-west-1" }),
    failureQueueUrl: QUEUE,
    sns: new SNSClient({ region: "eu-west-1" }),
    topicArn: TOPIC,
    app: "secretwatch",
    stage: "test",
    mode: "daily",
    clock,
    ...overrides,
  });
}

describe("the daily digest", () => {
  it("merges the previous day's counters into one message: every section, kind=digest, the highest severity", async () => {
    const state = new InMemoryStateStore();
    await invoke("2024-05-14T09:00:00Z", [read("prod/db", "app", 1), read("prod/db", "app", 2)], state);
    await invoke("2024-05-14T12:00:00Z", [read("prod/db", "app", 3), read("prod/api", "intruder", 4)], state);
    await invoke("2024-05-14T12:01:00Z", [read("prod/api", "intruder", 5)], state);
    await invoke("2024-05-15T00:00:01Z", [read("other/day", "intruder", 6)], state); // the next day: not in it
    const alerts = published().length;
    const result = await digestHandler()({ scheduledTime: "2024-05-15T08:05:00Z" });
    expect(result).toMatchObject({ period: "2024-05-14", invocations: 3, reads: 5, failureQueueDepth: 0 });
    expect(published()).toHaveLength(alerts + 1);
    const [digest] = digests();
    expect(digest?.TopicArn).toBe(TOPIC);
    expect(digest?.MessageAttributes).toEqual({
      kind: { DataType: "String", StringValue: "digest" },
      severity: { DataType: "String", StringValue: "medium" },
    });
    expect(digest?.Subject).toBe("[secretwatch test] digest 2024-05-14: 5 reads, highest MEDIUM");
    const body = digest?.Message ?? "";
    for (const line of [
      "Invocations:         3 of the enricher",
      "Records processed:   5 CloudTrail records",
      "Failure queue:       0 events waiting",
      "Messages published:  1 alerts and summaries",
      "Emailed:             1",
      "Below notify:        4",
      "  - app-db: 3 (reads at start)",
      "First-seen pairs learned: 2",
      "    read prod/api",
      "  1. arn:aws:iam::111122223333:role/app - 3 reads",
      "  1. prod/db - 3 reads",
    ]) {
      expect(body, line).toContain(line);
    }
    expect(body).not.toContain("other/day");
    expect(sqsMock.commandCalls(GetQueueAttributesCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE,
      AttributeNames: ["ApproximateNumberOfMessages"],
    });
  });

  it("on a quiet day still emails, saying so, with the health line and the failure queue's depth", async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "2" } });
    const result = await digestHandler()({ scheduledTime: "2024-05-15T08:05:00Z" });
    expect(result).toMatchObject({ invocations: 0, reads: 0, failureQueueDepth: 2 });
    const [digest] = digests();
    expect(digest?.Subject).toBe(
      "[secretwatch test] digest 2024-05-14: no secret reads; 2 events in the failure queue",
    );
    expect(digest?.Message).toContain("A quiet period: no secret value was read.");
    expect(digest?.Message).toContain("Failure queue:       2 events waiting");
    expect(digest?.MessageAttributes?.severity?.StringValue).toBe("info");
  });

  it("reports the failure queue as unknown when it cannot be read, and still publishes", async () => {
    sqsMock.on(GetQueueAttributesCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));
    const result = await digestHandler()({ scheduledTime: "2024-05-15T08:05:00Z" });
    expect(result.failureQueueDepth).toBeNull();
    expect(digests()[0]?.Message).toContain("Failure queue:       unknown events waiting (AccessDenied)");
  });

  it("without a scheduled time, covers the day before now", async () => {
    await invoke("2029-12-31T10:00:00Z", [read("prod/db", "app", 1)]);
    expect((await digestHandler({}, "2030-01-01T00:00:00Z")()).period).toBe("2029-12-31");
    expect(digests()[0]?.Message).toContain("Records processed:   1 CloudTrail records");
  });

  it("fails (to be retried) when the counters cannot be read, publishing nothing", async () => {
    await db.stop();
    await expect(digestHandler()({ scheduledTime: "2024-05-15T08:05:00Z" })).rejects.toMatchObject({
      name: "DigestReadError",
    });
    expect(published()).toEqual([]);
  });

  it("fails when SNS is down (retried, then kept in the failure queue)", async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error("throttled"), { name: "Throttling" }));
    await expect(digestHandler()({ scheduledTime: "2024-05-15T08:05:00Z" })).rejects.toThrow("throttled");
  });

  it("sends the counts without names when SNS rejects the text", async () => {
    await invoke("2024-05-14T09:00:00Z", [read("prod/db", "app", 1)]);
    snsMock.reset();
    const invalid = Object.assign(new Error("Invalid parameter: Message"), {
      name: "InvalidParameterException",
      $metadata: { httpStatusCode: 400 },
    });
    snsMock.on(PublishCommand).rejectsOnce(invalid).resolves({ MessageId: "m-2" });
    await digestHandler()({ scheduledTime: "2024-05-15T08:05:00Z" });
    const [, bare] = published();
    expect(bare?.Message).toContain("Records processed:   1 CloudTrail records");
    expect(bare?.Message).not.toContain("prod/db");
  });
});

describe("the hourly digest", () => {
  it("covers the previous full hour only", async () => {
    await invoke("2024-05-14T08:59:59Z", [read("a", "app", 1)]);
    await invoke("2024-05-14T09:00:00Z", [read("b", "app", 2)]);
    await invoke("2024-05-14T09:59:59Z", [read("c", "app", 3)]);
    await invoke("2024-05-14T10:00:00Z", [read("d", "app", 4)]);
    const result = await digestHandler({ mode: "hourly" })({ scheduledTime: "2024-05-14T10:05:00Z" });
    expect(result).toMatchObject({ period: "2024-05-14T09", invocations: 2, reads: 2 });
    expect(digests()[0]?.Message).toContain("Period: 2024-05-14T09 (UTC hour");
  });
});

describe("hostile records", () => {
  it("reach the digest sanitised and within 256 KB (a 3 KB denied secretId with line breaks)", async () => {
    const hostile = `x\r\nINJECTED: y\u202E${"\u{1F600}".repeat(1500)}`;
    const denied = {
      ...read(hostile, "prober", 1),
      errorCode: "AccessDenied",
      errorMessage: "denied",
    };
    await invoke("2024-05-14T09:00:00Z", [denied, ...cloudTrailFixture("hostile")]);
    await digestHandler()({ scheduledTime: "2024-05-15T08:05:00Z" });
    const [digest] = digests();
    const message = {
      subject: digest!.Subject!,
      message: digest!.Message!,
      attributes: digest!.MessageAttributes as never,
    };
    expect(messageSize(message)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(digest?.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(message.message.split("\n").filter((l) => l.trimStart().startsWith("INJECTED"))).toEqual([]);
    expect(digest?.Message).not.toMatch(/[\r\u202E]/);
    expect(digest?.Message).toContain("x\\r\\nINJECTED: y\\u202E");
  });
});
