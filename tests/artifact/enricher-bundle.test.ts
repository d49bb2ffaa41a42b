/**
 * The enricher as it ships: bundled like SST builds it, loaded in a fresh Node process with
 * fake credentials and the environment the stack sets, talking to a local HTTP endpoint that
 * answers like SNS (`AWS_ENDPOINT_URL_SNS`). Asserts the Publish requests that arrive, and what
 * the package weighs: what Lambda loads at cold start, and that the chunks it does not load are
 * really not needed by an invocation (they are deleted, and the handler still does everything).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { periodOf } from "../../packages/core/src/digest.js";
import { DynamoDigestStore } from "../../packages/functions/src/digest-store.js";
import { type BundleResult, bundleHandler } from "../helpers/bundle.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";
import { invokeBundle, type LocalSns, messageAttributes, startLocalSns, TOPIC_ARN } from "./local-sns.js";

const records = cloudTrailFixture<Record<string, unknown>>("stratus-secretsmanager");

/** Issue 7: the handler bundle stays at most 500 KB minified (here 500,000 B, the stricter reading). */
const MAX_LOADED_BYTES = 500_000;

let sns: LocalSns;
let dir: string;
let built: BundleResult;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-artifact-"));
  built = await bundleHandler("packages/functions/src/enricher.ts", dir);
  bundle = built.file;
  sns = await startLocalSns();
}, 120_000);

afterAll(async () => {
  await sns?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sns.reset();
});

describe("the bundled enricher", () => {
  it("publishes the alert for a secret read to SNS with the exact fields", async () => {
    const read = records.find((r) => r.eventName === "GetSecretValue")!;
    const noise = records.find((r) => r.eventName === "ListSecrets")!;
    const run = await invokeBundle(bundle, sns, recordsEvent([noise, read]));
    expect(run.code, run.stderr).toBe(0);
    expect(sns.requests).toHaveLength(1);
    const params = sns.requests[0]!.params;
    expect(params.get("Action")).toBe("Publish");
    expect(params.get("TopicArn")).toBe(TOPIC_ARN);
    const subject = params.get("Subject") ?? "";
    expect(subject).toMatch(/^[\x20-\x7E]{1,99}$/);
    expect(subject).toContain("[secretwatch ci]");
    expect(subject).toContain("stratus-red-team-retrieve-secret-18");
    expect(subject).toContain("christophe");
    const message = params.get("Message") ?? "";
    expect(message).toContain(read.eventID as string);
    expect(message).toContain("arn:aws:iam::903144391865:user/christophe");
    const attributes = messageAttributes(params);
    expect(attributes.get("eventName")).toBe("GetSecretValue");
    expect(attributes.get("outcome")).toBe("success");
    expect(run.result).toMatchObject({ records: 2, hits: 1, published: 1, malformed: 0 });
    // The EMF metrics line: the namespace, dimension and names the stage's alarms and dashboard use.
    expect(run.emf).toHaveLength(1);
    expect(run.emf[0]!._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "secretwatch",
      Dimensions: [["service"]],
    });
    expect(run.emf[0]).toMatchObject({
      service: "secretwatch-ci-enricher",
      RecordsDecoded: 2,
      SecretAccessHits: 1,
      MalformedMessages: 0,
      MessagesPublished: 1,
    });
    // ReadsAssessed: its own document per minute, dated to the minute, with the same `service` dimension.
    expect(run.readsAssessed).toHaveLength(1);
    expect(run.readsAssessed[0]!._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "secretwatch",
      Dimensions: [["service"]],
    });
    expect(run.readsAssessed[0]).toMatchObject({ service: "secretwatch-ci-enricher", ReadsAssessed: 1 });
    expect(run.readsAssessed[0]!._aws.Timestamp % 60_000).toBe(0);
  }, 60_000);

  it("fails the invocation when SNS keeps failing, after the configured SDK attempts", async () => {
    sns.failWith = 500;
    const read = records.find((r) => r.eventName === "GetSecretValue")!;
    const run = await invokeBundle(bundle, sns, recordsEvent([read]));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/PublishError|could not be published/);
    expect(sns.requests.length).toBe(5); // maxAttempts: 5, set explicitly in the handler's SNS client
  }, 60_000);
});

describe("the enricher's package", () => {
  /** Source files of a package (`@scope/name`) in a list of metafile inputs. */
  const fromPackage = (inputs: string[], name: string) => inputs.filter((f) => f.includes(`node_modules/${name}/`));

  it("loads at most 500 KB at cold start, with the DynamoDB client and the idempotency utility", () => {
    expect(built.bytes).toBeLessThanOrEqual(MAX_LOADED_BYTES);
    for (const name of ["@aws-sdk/client-dynamodb", "@aws-lambda-powertools/idempotency", "@aws-sdk/client-sns"]) {
      expect(fromPackage(built.loadedInputs, name), name).not.toEqual([]);
    }
  });

  it("leaves the credential sources a Lambda never reaches, and event streams, to lazily imported chunks", () => {
    expect(built.lazy.length).toBeGreaterThan(0);
    for (const name of [
      "@aws-sdk/nested-clients",
      "@aws-sdk/credential-provider-ini",
      "@aws-sdk/credential-provider-sso",
    ]) {
      expect(fromPackage(built.inputs, name), name).not.toEqual([]);
      expect(fromPackage(built.loadedInputs, name), name).toEqual([]);
    }
    expect(built.loadedInputs.filter((f) => f.includes("/submodules/event-streams/"))).toEqual([]);
  });

  it("ships no browser user-agent parser (bowser)", () => {
    expect(fromPackage(built.inputs, "bowser")).toEqual([]);
  });

  describe("without its lazily imported chunks", () => {
    let db: LocalDynamo;
    let trimmed: BundleResult;

    beforeAll(async () => {
      trimmed = await bundleHandler("packages/functions/src/enricher.ts", path.join(dir, "trimmed"));
      for (const chunk of trimmed.lazy) rmSync(chunk);
      db = await startDynamo();
    }, 120_000);

    afterAll(async () => {
      await db?.stop();
    });

    it("still signs, reads and writes its table, records the digest and publishes, as in Lambda", async () => {
      const read = records.find((r) => r.eventName === "GetSecretValue")!;
      const later = { ...read, eventID: "b9c3d881-0000-426c-abd3-5ca20d903381", eventTime: "2024-07-31T12:46:52Z" };
      // Credentials in the environment, as Lambda sets them (invokeBundle's fake ones).
      const env = { SECRETWATCH_TABLE_NAME: db.tableName, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint };
      const first = await invokeBundle(trimmed.file, sns, recordsEvent([read]), env);
      expect(first.code, first.stderr).toBe(0);
      expect(sns.requests.map(({ params }) => messageAttributes(params).get("reasons"))).toEqual(["first-seen"]);
      // The delivery guard (Powertools idempotency) worked too: nothing was sent unguarded.
      expect(first.emf[0]?.StateErrors).toBeUndefined();
      sns.reset();
      // The same pair read again: counted, not emailed, only if the first invocation's items were written and are read back.
      const second = await invokeBundle(trimmed.file, sns, recordsEvent([later]), env);
      expect(second.code, second.stderr).toBe(0);
      expect(sns.requests).toHaveLength(0);
      expect(second.result).toMatchObject({ hits: 1, published: 0, belowNotify: 1 });
      expect(second.emf[0]?.StateErrors).toBeUndefined();
      // Each invocation's digest entry (PutItem) is in the table (today's partition, or yesterday's just after midnight).
      const store = new DynamoDigestStore({ client: db.client, tableName: db.tableName });
      const days = [Date.now() - 86_400_000, Date.now()].map((ms) => periodOf("daily", ms));
      const entries = (await Promise.all(days.map((day) => store.entries(day)))).flatMap((r) => r.entries);
      expect(entries).toHaveLength(2);
    }, 60_000);
  });
});
