/**
 * The bundled enricher with its state table, as AWS would run it: SECRETWATCH_TABLE_NAME set,
 * AWS_ENDPOINT_URL_DYNAMODB at dynalite (a real DynamoDB implementation, in process) and
 * AWS_ENDPOINT_URL_SNS at the local SNS endpoint. A read the table has seen is counted, not
 * emailed; with the table gone every alert is still published (state-unavailable).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BundleResult, bundleHandler } from "../helpers/bundle.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";
import { invokeBundle, type LocalSns, messageAttributes, startLocalSns } from "./local-sns.js";

const reads = cloudTrailFixture<Record<string, any>>("stratus-secretsmanager").filter(
  (r) => r.eventName === "GetSecretValue",
);
const read18 = reads.find((r) => r.requestParameters.secretId.includes("retrieve-secret-18-"))!;
/** The same pair read again ten minutes later (another event). */
const read18Later = {
  ...read18,
  eventID: "b9c3d881-0000-426c-abd3-5ca20d903380",
  eventTime: "2024-07-31T12:46:52Z",
};

let sns: LocalSns;
let db: LocalDynamo;
let dir: string;
let bundle: BundleResult;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-artifact-state-"));
  bundle = await bundleHandler("packages/functions/src/enricher.ts", dir);
  sns = await startLocalSns();
  db = await startDynamo();
}, 120_000);

afterAll(async () => {
  await sns?.close();
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => sns.reset());

const withTable = () => ({ SECRETWATCH_TABLE_NAME: db.tableName, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint });
const reasons = () => sns.requests.map(({ params }) => messageAttributes(params).get("reasons"));

describe("the bundled enricher with its state table", () => {
  it("emails a first read, then counts the same pair's next read in a later invocation", async () => {
    const first = await invokeBundle(bundle.file, sns, recordsEvent([read18]), withTable());
    expect(first.code, first.stderr).toBe(0);
    expect(reasons()).toEqual(["first-seen"]);
    sns.reset();
    const second = await invokeBundle(bundle.file, sns, recordsEvent([read18Later]), withTable());
    expect(second.code, second.stderr).toBe(0);
    expect(sns.requests).toHaveLength(0);
    expect(second.result).toMatchObject({ hits: 1, published: 0, belowNotify: 1 });
    expect(second.emf[0]?.StateErrors).toBeUndefined();
  }, 60_000);

  it("publishes every alert when the table cannot be reached, and counts StateErrors", async () => {
    await db.stop();
    const run = await invokeBundle(bundle.file, sns, recordsEvent([read18Later]), withTable());
    expect(run.code, run.stderr).toBe(0);
    expect(reasons()).toEqual(["state-unavailable"]);
    expect(run.emf[0]).toMatchObject({ StateErrors: 1, MessagesPublished: 1 });
  }, 60_000);
});
