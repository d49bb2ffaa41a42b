/**
 * The digest's counters against a real DynamoDB implementation (dynalite, in process, the real
 * SDK client): the enricher writes exactly one item per invocation, after its alerts, in its
 * day's partition; concurrent invocations never overwrite each other; a period's items are
 * read back page by page (the hour's out of the day's partition); expired and corrupt items are
 * skipped; and a table that cannot be written costs no alert, only a StateErrors count.
 * (SNS is mocked; DynamoDB is not: aws-sdk-client-mock would replace every DynamoDB client.)
 */
import { createHash } from "node:crypto";
import { type DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { invocationDigest, parseDigestEntry, periodOf } from "../../packages/core/src/digest.js";
import { ENRICHER_METRICS } from "../../packages/core/src/naming.js";
import { compilePolicy, DEFAULT_POLICY } from "../../packages/core/src/policy.js";
import {
  DIGEST_ENTRY_ATTRIBUTE,
  DIGEST_KEEP_DAYS,
  DynamoDigestStore,
  digestPartition,
} from "../../packages/functions/src/digest-store.js";
import { createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import { STATE_TTL_ATTRIBUTE } from "../../packages/functions/src/state.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { recordsEvent } from "../helpers/subscription.js";

let db: LocalDynamo;
beforeEach(async () => {
  db = await startDynamo();
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
});
afterEach(async () => {
  await db.stop();
});

const snsMock = mockClient(SNSClient);
const NOW = new Date("2024-05-14T10:15:30.000Z");

/** A GetSecretValue record as CloudTrail writes it. */
function readRecord(secretId: string, role = "app-server-role", eventID = `evt-${secretId}-${role}`) {
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole",
      principalId: "AROAQXZ5EXAMPLE4TR6B:i-0a1b2c3d4e5f67890",
      arn: `arn:aws:sts::111122223333:assumed-role/${role}/i-0a1b2c3d4e5f67890`,
      accountId: "111122223333",
      sessionContext: {
        sessionIssuer: { type: "Role", arn: `arn:aws:iam::111122223333:role/${role}`, userName: role },
        attributes: { creationDate: "2024-05-14T08:02:11Z", mfaAuthenticated: "false" },
      },
    },
    eventTime: "2024-05-14T10:14:00Z",
    eventSource: "secretsmanager.amazonaws.com",
    eventName: "GetSecretValue",
    awsRegion: "eu-west-1",
    sourceIPAddress: "172.31.5.10",
    userAgent: "Boto3/1.34.69",
    requestParameters: { secretId },
    responseElements: null,
    requestID: `req-${eventID}`,
    eventID,
    readOnly: true,
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
  };
}

/** Every item of the table (the test's view; the code never scans). */
async function allItems(client: DynamoDBClient = db.client) {
  const out = await client.send(new ScanCommand({ TableName: db.tableName }));
  return out.Items ?? [];
}
/** The digest entries (`digest#<day>` partitions). */
async function items(client: DynamoDBClient = db.client) {
  return (await allItems(client)).filter((item) => item.pk?.S?.startsWith("digest#"));
}
/** The payload markers (`digest-payload#<sha256>`). */
async function markers() {
  return (await allItems()).filter((item) => item.pk?.S?.startsWith("digest-payload#"));
}

function enricher(overrides: Partial<EnricherDeps> = {}, clock = () => NOW) {
  const metrics = { addMetric: vi.fn(), publishStoredMetrics: vi.fn() };
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const handler = createHandler({
    sns: new SNSClient({ region: "eu-west-1" }),
    topicArn: "arn:aws:sns:eu-west-1:111122223333:secretwatch-test-alerts",
    app: "secretwatch",
    stage: "test",
    clock,
    policy: () => compilePolicy(DEFAULT_POLICY, "defaults"),
    digest: new DynamoDigestStore({ client: db.client, tableName: db.tableName, clock }),
    logger: logger as unknown as EnricherDeps["logger"],
    metrics: metrics as unknown as EnricherDeps["metrics"],
    ...overrides,
  });
  const metric = (name: string) =>
    metrics.addMetric.mock.calls.filter((c) => c[0] === name).reduce((sum, c) => sum + (c[2] as number), 0);
  return { handler, metric, logger };
}

describe("the enricher's digest counters", () => {
  it("writes one item per invocation, after its alerts, in the day's partition", async () => {
    const { handler } = enricher();
    const context = { awsRequestId: "req-1" } as never;
    const result = await handler(recordsEvent([readRecord("prod/db"), readRecord("prod/api")]), context);
    expect(result.published).toBe(2);
    const all = await items();
    expect(all).toHaveLength(1);
    const [item] = all;
    expect(item?.pk?.S).toBe("digest#2024-05-14");
    expect(item?.sk?.S).toBe("2024-05-14T10:15:30.000Z#req-1");
    // The day ends at midnight; kept 8 days more.
    expect(Number(item?.[STATE_TTL_ATTRIBUTE]?.N)).toBe(Date.parse("2024-05-23T00:00:00Z") / 1000);
    const entry = parseDigestEntry(item?.[DIGEST_ENTRY_ATTRIBUTE]?.S ?? "");
    expect(entry).toMatchObject({ records: 2, malformed: 0, published: 2, reads: 2, stateErrors: 0 });
    expect(entry?.byDecision.emailed).toBe(2);
    expect(entry?.secrets.map(([s]) => s).sort()).toEqual(["prod/api", "prod/db"]);
    expect(entry?.actors).toEqual([["arn:aws:iam::111122223333:role/app-server-role", 2]]);
    // Stores no record: no event ID, no source address, no user agent.
    expect(item?.[DIGEST_ENTRY_ATTRIBUTE]?.S).not.toMatch(/evt-|172\.31|Boto3/);
    expect(DIGEST_KEEP_DAYS).toBe(8);
  });

  it("writes one item for each invocation of a different payload, concurrent ones too (never overwriting)", async () => {
    const { handler } = enricher();
    await handler(recordsEvent([readRecord("a")]));
    await handler(recordsEvent([readRecord("b")]));
    await Promise.all([handler(recordsEvent([readRecord("c")])), handler(recordsEvent([readRecord("d")]))]);
    expect(await items()).toHaveLength(4);
    expect(await markers()).toHaveLength(4);
  });

  it("counts a payload delivered again (a retry, a duplicate delivery, a redrive) once", async () => {
    const { handler, metric, logger } = enricher();
    const event = recordsEvent([readRecord("prod/db"), readRecord("prod/api")]);
    await handler(event, { awsRequestId: "req-1" } as never);
    const again = await handler(structuredClone(event), { awsRequestId: "req-2" } as never);
    expect(again.published).toBe(2); // the alerts still go out (no delivery records in this test)
    const [entry, ...more] = await items();
    expect(more).toEqual([]);
    expect(entry?.sk?.S).toMatch(/#req-1$/);
    const [marker] = await markers();
    // The marker is the SHA-256 of the payload's data and points at the entry it was counted in.
    const sha = createHash("sha256").update(event.awslogs.data).digest("hex");
    expect(marker?.pk?.S).toBe(`digest-payload#${sha}`);
    expect([marker?.entryPk?.S, marker?.entrySk?.S]).toEqual([entry?.pk?.S, entry?.sk?.S]);
    expect(marker?.[STATE_TTL_ATTRIBUTE]?.N).toBe(entry?.[STATE_TTL_ATTRIBUTE]?.N);
    expect(logger.info).toHaveBeenCalledWith(expect.stringContaining("already counts this payload"));
    expect(metric(ENRICHER_METRICS.stateErrors)).toBe(0);
  });

  it("a marker that cannot be written keeps the entry and counts one StateErrors", async () => {
    const failingMarkers = {
      send: (command: { input: { Item?: { pk?: { S?: string } } } }) =>
        command instanceof PutItemCommand && command.input.Item?.pk?.S?.startsWith("digest-payload#")
          ? Promise.reject(Object.assign(new Error("throttled"), { name: "ProvisionedThroughputExceededException" }))
          : db.client.send(command as never),
    } as unknown as DynamoDBClient;
    const clock = () => NOW;
    const digest = new DynamoDigestStore({ client: failingMarkers, tableName: db.tableName, clock });
    const { handler, metric, logger } = enricher({ digest });
    const result = await handler(recordsEvent([readRecord("prod/db")]));
    expect(result.published).toBe(1);
    expect(await items()).toHaveLength(1);
    expect(await markers()).toEqual([]);
    expect(metric(ENRICHER_METRICS.stateErrors)).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining("could not mark it"));
  });

  it("a table that cannot be written costs no alert: published, logged, one StateErrors", async () => {
    const { handler, metric, logger } = enricher();
    await db.stop();
    const result = await handler(recordsEvent([readRecord("prod/db")]));
    expect(result.published).toBe(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(metric(ENRICHER_METRICS.stateErrors)).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining("digest counters could not be written"),
      expect.anything(),
    );
  });

  it("without a digest recorder, writes nothing", async () => {
    const { handler } = enricher({ digest: undefined });
    await handler(recordsEvent([readRecord("prod/db")]));
    expect(await allItems()).toEqual([]);
  });
});

describe("reading a period's counters", () => {
  const at = (iso: string) => ({ at: new Date(iso) });
  const entry = (reads: number) => invocationDigest([], reads, 0, { published: reads });
  const store = (clock = () => new Date("2024-05-15T08:05:00Z")) =>
    new DynamoDigestStore({ client: db.client, tableName: db.tableName, clock });

  it("reads the day's items, or the hour's items out of the day's partition", async () => {
    const s = store();
    await s.record(entry(1), at("2024-05-13T23:59:59.999Z"));
    await s.record(entry(2), at("2024-05-14T00:00:00.000Z"));
    await s.record(entry(4), at("2024-05-14T09:30:00.000Z"));
    await s.record(entry(8), at("2024-05-14T23:59:59.999Z"));
    await s.record(entry(16), at("2024-05-15T00:00:00.000Z"));
    const day = await s.entries(periodOf("daily", Date.parse("2024-05-14T12:00:00Z")));
    expect(day.entries.map((e) => e.records).sort((a, b) => a - b)).toEqual([2, 4, 8]);
    expect(day).toMatchObject({ unreadable: 0, complete: true });
    const hour = await s.entries(periodOf("hourly", Date.parse("2024-05-14T09:00:00Z")));
    expect(hour.entries.map((e) => e.records)).toEqual([4]);
    expect(digestPartition(Date.parse("2024-05-14T09:00:00Z"))).toBe("digest#2024-05-14");
  });

  it("pages through a partition over 1 MB", async () => {
    const s = store();
    // ~6 KB per item: 250 items are about 1.5 MB, more than one Query page.
    const big = {
      ...entry(1),
      actors: Array.from({ length: 20 }, (_, i): [string, number] => [`${i}`.repeat(300), 1]),
    };
    for (let i = 0; i < 250; i++) await s.record(big, at(`2024-05-14T10:00:${String(i % 60).padStart(2, "0")}.${i}Z`));
    let queries = 0;
    const counting = {
      send: (command: unknown) => {
        if (command instanceof QueryCommand) queries++;
        return db.client.send(command as never);
      },
    };
    const reader = new DynamoDigestStore({ client: counting, tableName: db.tableName, clock: () => NOW });
    const read = await reader.entries(periodOf("daily", NOW.getTime()));
    expect(read.entries).toHaveLength(250);
    expect(queries).toBeGreaterThan(1);
  });

  it("skips an item past its expiry (TTL deletes late) and counts one that is not an entry", async () => {
    const s = store();
    await s.record(entry(1), at("2024-05-14T01:00:00Z"));
    const put = (sk: string, body: string, expires: number) =>
      db.client.send(
        new PutItemCommand({
          TableName: db.tableName,
          Item: {
            pk: { S: "digest#2024-05-14" },
            sk: { S: sk },
            [DIGEST_ENTRY_ATTRIBUTE]: { S: body },
            [STATE_TTL_ATTRIBUTE]: { N: String(expires) },
          },
        }),
      );
    await put("2024-05-14T02:00:00.000Z#old", JSON.stringify(entry(99)), Date.parse("2024-05-15T00:00:00Z") / 1000);
    await put("2024-05-14T03:00:00.000Z#bad", "{not json", Date.parse("2024-06-01T00:00:00Z") / 1000);
    const read = await s.entries(periodOf("daily", Date.parse("2024-05-14T00:00:00Z")));
    expect(read.entries.map((e) => e.records)).toEqual([1]);
    expect(read.unreadable).toBe(1);
  });

  it("fails with a DigestReadError when the table cannot be read", async () => {
    const s = store();
    await db.stop();
    await expect(s.entries(periodOf("daily", NOW.getTime()))).rejects.toMatchObject({ name: "DigestReadError" });
  });
});
