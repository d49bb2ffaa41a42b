/**
 * The enricher handler, wired to a mocked SNS client: what it publishes, how it groups, caps
 * and splits, and that no alert is lost (fallback on an invalid message, rejection when SNS
 * keeps failing so Lambda retries and parks the event on the failure queue).
 */
import {
  InternalErrorException,
  InvalidParameterException,
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
} from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DecodeError } from "../../packages/core/src/decode.js";
import { ConfigurationError, createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import { PublishError } from "../../packages/functions/src/publish.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent, subscriptionEvent } from "../helpers/subscription.js";

const TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:secretwatch-test-alerts";
const NOW = new Date("2024-07-31T12:41:52Z");
const fixture = cloudTrailFixture;
const stratus = fixture("stratus-secretsmanager");
const reads = stratus.filter((r) => r.eventName === "GetSecretValue");
const read18 = reads.find((r) => r.requestParameters.secretId.includes("secret-18-"))!;
const listSecrets = stratus.find((r) => r.eventName === "ListSecrets")!;

const snsMock = mockClient(SNSClient);
const published = () => snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input as PublishCommandInput);

function handlerWith(overrides: Partial<EnricherDeps> = {}) {
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const metrics = { addMetric: vi.fn(), publishStoredMetrics: vi.fn() };
  const handler = createHandler({
    sns: new SNSClient({ region: "us-east-1" }),
    topicArn: TOPIC_ARN,
    app: "secretwatch",
    stage: "test",
    clock: () => NOW,
    logger: logger as unknown as EnricherDeps["logger"],
    metrics: metrics as unknown as EnricherDeps["metrics"],
    ...overrides,
  });
  return { handler, logger, metrics };
}

/** Many reads of one secret by one principal, each with its own event ID. */
function burst(count: number, template = read18) {
  return Array.from({ length: count }, (_, i) => ({
    ...template,
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  }));
}

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
});

describe("enricher handler", () => {
  it("publishes one readable alert per secret read, with exact subject and attributes", async () => {
    const { handler } = handlerWith();
    const result = await handler(recordsEvent([listSecrets, read18]));
    expect(result).toEqual({
      ...{ records: 2, malformed: 0, hits: 1, duplicatesDropped: 0, published: 1, fallbacks: 0, alreadySent: 0 },
      ...{ belowNotify: 0, suppressed: 0, policyHash: expect.stringMatching(/^sha256:/), tamperHits: 0 },
    });
    const [input] = published();
    expect(input).toMatchObject({
      TopicArn: TOPIC_ARN,
      // No state store yet: an unknown reader is treated as a first read (medium).
      Subject: "MEDIUM [secretwatch test] stratus-red-team-retrieve-secret-18 read by christophe from 253.201.14...",
      MessageAttributes: {
        eventName: { DataType: "String", StringValue: "GetSecretValue" },
        outcome: { DataType: "String", StringValue: "success" },
        secret: { DataType: "String", StringValue: "stratus-red-team-retrieve-secret-18" },
        identityType: { DataType: "String", StringValue: "IAMUser" },
        kind: { DataType: "String", StringValue: "alert" },
        severity: { DataType: "String", StringValue: "medium" },
        reasons: { DataType: "String", StringValue: "state-unavailable" },
      },
    });
    expect(Object.keys(input!.MessageAttributes!).sort()).toEqual([
      "eventName",
      "identityType",
      "kind",
      "outcome",
      "reasons",
      "secret",
      "severity",
    ]);
    const lines = input!.Message!.split("\n");
    expect(lines).toContain("  Secret:         stratus-red-team-retrieve-secret-18");
    expect(lines).toContain("  Principal:      christophe - IAM user (IAMUser)");
    expect(lines).toContain("  Delivery lag:   5m 0s after the call");
    expect(input!.Message).toContain(read18.eventID);
    expect(input!.Message).toContain(read18.requestParameters.secretId);
  });

  it("groups reads by principal, secret and outcome, with count and first/last time", async () => {
    const { handler } = handlerWith();
    const records = burst(3).map((r, i) => ({ ...r, eventTime: `2024-07-31T12:3${i}:00Z` }));
    const result = await handler(recordsEvent(records));
    expect(result.published).toBe(1);
    const [input] = published();
    expect(input!.Subject).toMatch(
      /^MEDIUM \[secretwatch test\] (3x )?stratus-red-team-retrieve-secret-18 read by christophe/,
    );
    expect(input!.Message).toContain("  Count:          3 events");
    for (const r of records) expect(input!.Message).toContain(r.eventID);
    expect(input!.Message).toContain("2024-07-31T12:30:00Z");
    expect(input!.Message).toContain("2024-07-31T12:32:00Z");
  });

  it("drops a duplicate eventID delivered twice in one invocation", async () => {
    const { handler } = handlerWith();
    const result = await handler(recordsEvent([read18, read18]));
    expect(result).toMatchObject({ hits: 2, duplicatesDropped: 1, published: 1 });
    expect(published()[0]!.Subject).not.toMatch(/2x/);
  });

  it("sends at most maxMessages alerts, then one summary listing the rest", async () => {
    const { handler } = handlerWith({ maxMessages: 5 });
    const result = await handler(recordsEvent(reads)); // 20 distinct secrets
    expect(result.published).toBe(6);
    const inputs = published();
    expect(inputs.slice(0, 5).every((i) => i.MessageAttributes?.kind?.StringValue === "alert")).toBe(true);
    const summary = inputs[5]!;
    expect(summary.MessageAttributes?.kind?.StringValue).toBe("summary");
    expect(summary.Subject).toBe("MEDIUM [secretwatch test] summary: 15 more groups, 15 events");
    // Stratus reads 20 secrets within a few minutes: the 20th crosses the rapid-retrieval threshold, first of all.
    expect(inputs[0]!.Subject).toMatch(/^HIGH \[secretwatch test\] rapid retrieval: 20 secrets by christophe/);
    const all = inputs.map((i) => i.Message).join("\n");
    for (const r of reads) expect(all).toContain(r.eventID);
  });

  it("splits a group whose message would pass 256 KB, losing no event", async () => {
    const { handler } = handlerWith();
    const records = burst(3000, { ...read18, userAgent: `aws-cli/2.15.30 ${"x".repeat(900)}` });
    const result = await handler(recordsEvent(records));
    const inputs = published();
    expect(inputs.length).toBeGreaterThan(1);
    expect(result.published).toBe(inputs.length);
    for (const input of inputs) {
      const attributeBytes = Object.entries(input.MessageAttributes ?? {}).reduce(
        (n, [k, v]) =>
          n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType ?? "") + Buffer.byteLength(v.StringValue ?? ""),
        0,
      );
      expect(
        Buffer.byteLength(input.Message!) + Buffer.byteLength(input.Subject!) + attributeBytes,
      ).toBeLessThanOrEqual(262_144);
      expect(input.Subject).toMatch(/\(part \d+\/\d+\)$/);
    }
    const all = inputs.map((i) => i.Message).join("\n");
    for (const r of records) expect(all).toContain(r.eventID);
  });

  it("replaces a message SNS rejects as invalid by its minimal safe version", async () => {
    snsMock
      .on(PublishCommand)
      .rejectsOnce(
        new InvalidParameterException({ message: "Invalid parameter: Subject", $metadata: { httpStatusCode: 400 } }),
      )
      .resolves({ MessageId: "m-2" });
    const { handler, logger, metrics } = handlerWith();
    const result = await handler(recordsEvent([read18]));
    expect(result).toMatchObject({ published: 1, fallbacks: 1 });
    const [first, second] = published();
    expect(second!.TopicArn).toBe(TOPIC_ARN);
    expect(second!.Subject).not.toBe(first!.Subject);
    expect(second!.Subject).toMatch(/^[\x20-\x7E]{1,99}$/);
    expect(second!.Message).toContain(read18.eventID);
    expect(second!.Message).toMatch(/^[\x20-\x7E\n]+$/);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining("minimal version"), expect.anything());
    expect(metrics.addMetric).toHaveBeenCalledWith("FallbackMessagesPublished", "Count", 1);
  });

  it("rejects when SNS keeps failing, after trying every message, so Lambda retries the event", async () => {
    snsMock
      .on(PublishCommand)
      .rejects(new InternalErrorException({ message: "boom", $metadata: { httpStatusCode: 500 } }));
    const { handler, metrics } = handlerWith();
    const run = handler(recordsEvent([read18, reads.find((r) => r !== read18)!]));
    await expect(run).rejects.toBeInstanceOf(PublishError);
    await expect(run).rejects.toThrow("2 of 2 alert messages could not be published");
    expect(published()).toHaveLength(2);
    expect(metrics.publishStoredMetrics).toHaveBeenCalled();
  });

  it("rejects when even the minimal version is refused", async () => {
    snsMock
      .on(PublishCommand)
      .rejects(new InvalidParameterException({ message: "Invalid parameter", $metadata: { httpStatusCode: 400 } }));
    const { handler } = handlerWith();
    await expect(handler(recordsEvent([read18]))).rejects.toBeInstanceOf(PublishError);
    expect(published()).toHaveLength(2);
  });

  it("publishes the good records when others in the batch are malformed, and logs only a prefix", async () => {
    const { handler, logger, metrics } = handlerWith();
    const secret = "AKIA-SECRET-LOOKING-VALUE";
    const event = subscriptionEvent([
      `{"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","userAgent":"${"A".repeat(200)}${secret}`,
      "not json at all",
      JSON.stringify(read18),
      JSON.stringify({ hello: "world" }),
    ]);
    const result = await handler(event);
    expect(result).toMatchObject({ records: 1, malformed: 3, hits: 1, published: 1 });
    expect(logger.warn).toHaveBeenCalledTimes(3);
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(secret);
    expect(metrics.addMetric).toHaveBeenCalledWith("MalformedMessages", "Count", 3);
  });

  it("alerts on records whose every text holds a lone surrogate (which JSON can spell), next to a plain one", async () => {
    const { handler } = handlerWith();
    // A half surrogate pair: JSON.stringify writes it as "\ud800", JSON.parse gives it back, URL-encoding it throws.
    const lone = (value: unknown): unknown =>
      typeof value === "string"
        ? `${value}\ud800`
        : Array.isArray(value)
          ? value.map(lone)
          : value && typeof value === "object"
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lone(v)]))
            : value;
    const hostile = { ...(lone(read18) as object), eventSource: read18.eventSource, eventName: read18.eventName };
    const denied = { ...hostile, errorCode: "AccessDenied\ud800", eventID: "other\ud800" };
    const result = await handler(recordsEvent([hostile, denied, read18]));
    expect(result).toMatchObject({ records: 3, malformed: 0, hits: 3 });
    expect(result.published).toBeGreaterThanOrEqual(2);
    for (const input of published()) expect(input.Subject).toMatch(/^[\x20-\x7E]{1,99}$/);
  });

  it("alerts on a batch call and each of its per-secret reads", async () => {
    const { handler } = handlerWith();
    const result = await handler(recordsEvent(fixture("batch-with-companions")));
    expect(result).toMatchObject({ hits: 3, published: 3 });
    const names = published().map((i) => i.MessageAttributes?.eventName?.StringValue);
    expect(names.sort()).toEqual(["BatchGetSecretValue", "GetSecretValue", "GetSecretValue"]);
  });

  it("ignores CloudWatch Logs' CONTROL_MESSAGE probe", async () => {
    const { handler } = handlerWith();
    const event = subscriptionEvent(["CWL CONTROL MESSAGE: Checking health of destination"], {
      messageType: "CONTROL_MESSAGE",
    });
    expect(await handler(event)).toMatchObject({ records: 0, hits: 0, published: 0 });
    expect(published()).toHaveLength(0);
  });

  it("rejects a corrupt envelope (nothing in it can be read)", async () => {
    const { handler } = handlerWith();
    await expect(handler({ awslogs: { data: "bm90IGd6aXA=" } })).rejects.toBeInstanceOf(DecodeError);
    await expect(handler({} as never)).rejects.toBeInstanceOf(DecodeError);
    expect(published()).toHaveLength(0);
  });

  it("reads the topic ARN inside the call and refuses to run without one", async () => {
    let arn = "";
    const { handler } = handlerWith({ topicArn: () => arn });
    await expect(handler(recordsEvent([read18]))).rejects.toBeInstanceOf(ConfigurationError);
    arn = `${TOPIC_ARN}-later`;
    await handler(recordsEvent([read18]));
    expect(published()[0]!.TopicArn).toBe(`${TOPIC_ARN}-later`);
  });

  it("counts records, hits and messages as metrics", async () => {
    const { handler, metrics } = handlerWith();
    await handler(recordsEvent([listSecrets, read18]));
    expect(metrics.addMetric.mock.calls).toEqual(
      expect.arrayContaining([
        ["RecordsDecoded", "Count", 2],
        ["SecretAccessHits", "Count", 1],
        ["MalformedMessages", "Count", 0],
        ["MessagesPublished", "Count", 1],
      ]),
    );
    expect(metrics.publishStoredMetrics).toHaveBeenCalledTimes(1);
  });
});
