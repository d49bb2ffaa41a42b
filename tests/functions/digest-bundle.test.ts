/**
 * The bundled digest handler, as AWS would run it (esbuild like SST, a fresh Node process, the
 * stack's environment): counters in dynalite (AWS_ENDPOINT_URL_DYNAMODB), the failure queue's
 * depth from a local endpoint answering SQS's JSON protocol (AWS_ENDPOINT_URL_SQS), and the
 * digest published to the local SNS endpoint (AWS_ENDPOINT_URL_SNS).
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invocationDigest, periodOf } from "../../packages/core/src/digest.js";
import { DynamoDigestStore } from "../../packages/functions/src/digest-store.js";
import { invokeBundle, type LocalSns, messageAttributes, startLocalSns } from "../artifact/local-sns.js";
import { type BundleResult, bundleHandler } from "../helpers/bundle.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";

/** The SQS client sends to the queue URL's host (`useQueueUrlAsEndpoint`): the local endpoint's URL. */
const queueUrl = () => `${sqs.endpoint}/123456789012/secretwatch-ci-enricher-failures`;

/** Answers GetQueueAttributes (AWS JSON 1.0) with a depth; records what was asked. */
async function startLocalSqs(depth: string) {
  const asked: Array<{ target: string | undefined; body: any }> = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      asked.push({ target: req.headers["x-amz-target"] as string | undefined, body: JSON.parse(body || "{}") });
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ Attributes: { ApproximateNumberOfMessages: depth } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let dir: string;
let bundle: BundleResult;
let sns: LocalSns;
let db: LocalDynamo;
let sqs: Awaited<ReturnType<typeof startLocalSqs>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-digest-bundle-"));
  bundle = await bundleHandler("packages/functions/src/digest.ts", dir);
  [sns, db, sqs] = await Promise.all([startLocalSns(), startDynamo(), startLocalSqs("4")]);
}, 120_000);

afterAll(async () => {
  await Promise.all([sns?.close(), db?.stop(), sqs?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("the bundled digest", () => {
  it("reads yesterday's counters and the queue depth, and publishes one digest", async () => {
    const yesterday = periodOf("daily", Date.now() - 86_400_000);
    const store = new DynamoDigestStore({ client: db.client, tableName: db.tableName });
    for (const [i, records] of [3, 5].entries()) {
      await store.record(invocationDigest([], records, i, { published: 1 }), { at: new Date(yesterday.start + i) });
    }
    const scheduledTime = new Date(yesterday.end + 8 * 3_600_000 + 300_000).toISOString().replace(".000Z", "Z");
    const run = await invokeBundle(
      bundle.file,
      sns,
      { scheduledTime },
      {
        SECRETWATCH_TABLE_NAME: db.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        SECRETWATCH_FAILURE_QUEUE_URL: queueUrl(),
        SECRETWATCH_DIGEST: "daily",
        AWS_LAMBDA_FUNCTION_NAME: "secretwatch-ci-digest",
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ period: yesterday.label, invocations: 2, failureQueueDepth: 4 });
    expect(sqs.asked).toEqual([
      {
        target: "AmazonSQS.GetQueueAttributes",
        body: { QueueUrl: queueUrl(), AttributeNames: ["ApproximateNumberOfMessages"] },
      },
    ]);
    expect(sns.requests).toHaveLength(1);
    const { params } = sns.requests[0]!;
    expect(Object.fromEntries(messageAttributes(params))).toEqual({ kind: "digest", severity: "info" });
    expect(params.get("Subject")).toBe(
      `[secretwatch ci] digest ${yesterday.label}: no secret reads; 4 events in the failure queue`,
    );
    expect(params.get("Message")).toContain("Records processed:   8 CloudTrail records");
    expect(params.get("Message")).toContain("Failure queue:       4 events waiting");
  }, 60_000);

  it("fails without its table setting (Lambda then retries, and the alarm tells)", async () => {
    const run = await invokeBundle(bundle.file, sns, {}, {});
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("SECRETWATCH_TABLE_NAME");
  }, 60_000);
});
