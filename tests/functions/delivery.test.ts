/**
 * Exactly-once alerts against a real DynamoDB implementation (dynalite) with Powertools'
 * idempotency and the real SDK client: a payload delivered again sends only what was not yet
 * sent; SNS failing half-way and the payload redelivered sends the rest, none twice; two
 * concurrent deliveries send one set; a timed-out attempt does not block its retry; a table
 * that is gone costs a possible duplicate, never an alert.
 */
import { PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { PublishCommand } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compilePolicy, DEFAULT_POLICY } from "../../packages/core/src/policy.js";
import { powertoolsDeliveryGuard } from "../../packages/functions/src/delivery.js";
import { createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import type { SnsSender } from "../../packages/functions/src/publish.js";
import { DynamoStateStore } from "../../packages/functions/src/state.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:secretwatch-test-alerts";
const reads = cloudTrailFixture("stratus-secretsmanager").filter((r) => r.eventName === "GetSecretValue");
/** Three reads of three secrets by three principals: three alerts. */
const payload = recordsEvent(
  reads.slice(0, 3).map((r, i) => ({
    ...r,
    userIdentity: { ...r.userIdentity, arn: `arn:aws:iam::903144391865:user/u${i}`, userName: `u${i}` },
  })),
);

let db: LocalDynamo;
beforeEach(async () => {
  db = await startDynamo();
});
afterEach(async () => {
  await db.stop();
});

/** An SNS stand-in that records subjects and can fail from the n-th publish on. */
function fakeSns(failFrom = Number.POSITIVE_INFINITY) {
  const sent: string[] = [];
  let calls = 0;
  const sns = {
    async send(command: PublishCommand) {
      if (++calls > failFrom) throw Object.assign(new Error("SNS is down"), { name: "InternalErrorException" });
      sent.push(command.input.Subject ?? "");
      return { MessageId: `m-${calls}` };
    },
  } as unknown as SnsSender;
  return { sns, sent };
}

const context = (remainingMs = 60_000) => ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

function handler(sns: SnsSender, overrides: Partial<EnricherDeps> = {}) {
  return createHandler({
    sns,
    topicArn: TOPIC,
    app: "secretwatch",
    stage: "test",
    clock: () => new Date("2024-07-31T12:41:52Z"),
    policy: () => compilePolicy(DEFAULT_POLICY, "defaults"),
    state: (policy) =>
      new DynamoStateStore({ client: db.client, tableName: db.tableName, thresholds: policy.thresholds }),
    deliveries: powertoolsDeliveryGuard(db.client, db.tableName),
    ...overrides,
  });
}

describe("exactly-once alerts", () => {
  it("a payload delivered twice sends one set of messages", async () => {
    const { sns, sent } = fakeSns();
    const first = await handler(sns)(payload, context());
    // Without the state's memory (which would make the second delivery routine), the delivery records alone.
    const again = await handler(sns, { state: undefined })(payload, context());
    expect(first.published).toBe(3);
    expect(again).toMatchObject({ published: 0, alreadySent: 3 });
    expect(sent).toHaveLength(3);
    const { Items = [] } = await db.client.send(new ScanCommand({ TableName: db.tableName }));
    const records = Items.filter((i) => i.pk?.S === "delivery");
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.status?.S).toBe("COMPLETED");
      expect(JSON.stringify(r)).not.toContain("stratus-red-team"); // keys and status, never a message body
    }
  });

  it("SNS failing after the first message: the redelivery sends the other two, none twice, first-seen still", async () => {
    const failing = fakeSns(1);
    await expect(handler(failing.sns)(payload, context())).rejects.toThrow(/could not be published/);
    expect(failing.sent).toHaveLength(1);
    const ok = fakeSns();
    const retry = await handler(ok.sns)(payload, context());
    expect(retry).toMatchObject({ published: 2, alreadySent: 1 });
    expect(ok.sent.every((subject) => subject.startsWith("MEDIUM "))).toBe(true);
    expect(new Set([...failing.sent, ...ok.sent]).size).toBe(3);
  });

  it("two concurrent deliveries of one payload send one set (the loser fails and its retry sends nothing)", async () => {
    const { sns, sent } = fakeSns();
    const results = await Promise.allSettled([handler(sns)(payload, context()), handler(sns)(payload, context())]);
    expect(sent.length).toBeLessThanOrEqual(3);
    // Whoever lost a message to the other fails (Lambda retries it); the retry sends what is missing, nothing twice.
    if (results.some((r) => r.status === "rejected")) await handler(sns)(payload, context());
    expect(sent).toHaveLength(3);
    expect(new Set(sent).size).toBe(3);
  });

  it("a timed-out attempt's in-progress record does not block the retry once the attempt's time is up", async () => {
    const { sns, sent } = fakeSns();
    // What a timed-out attempt leaves: INPROGRESS records whose in-progress expiry has passed.
    // (Stateless, as an attempt that timed out before its state writes.)
    const { Items = [] } = await (async () => {
      await handler(sns, { state: undefined })(payload, context());
      return db.client.send(new ScanCommand({ TableName: db.tableName }));
    })();
    for (const item of Items.filter((i) => i.pk?.S === "delivery")) {
      await db.client.send(
        new PutItemCommand({
          TableName: db.tableName,
          Item: { ...item, status: { S: "INPROGRESS" }, inProgressExpires: { N: String(Date.now() - 1000) } },
        }),
      );
    }
    sent.length = 0;
    const retry = await handler(sns, { state: undefined })(payload, context());
    expect(retry.published).toBe(3);
    expect(sent).toHaveLength(3);
  });

  it("with the table gone, every alert is still published (a duplicate is possible, a loss is not)", async () => {
    await db.stop();
    const { sns, sent } = fakeSns();
    const result = await handler(sns)(payload, context());
    expect(result.published).toBe(3);
    expect(sent).toHaveLength(3);
  });
});
