/**
 * The enricher as it ships: bundled like SST builds it, loaded in a fresh Node process with
 * fake credentials and the environment the stack sets, talking to a local HTTP endpoint that
 * answers like SNS (`AWS_ENDPOINT_URL_SNS`). Asserts the Publish requests that arrive.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bundleHandler } from "../helpers/bundle.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";
import { invokeBundle, type LocalSns, messageAttributes, startLocalSns, TOPIC_ARN } from "./local-sns.js";

const records = cloudTrailFixture<Record<string, unknown>>("stratus-secretsmanager");

let sns: LocalSns;
let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-artifact-"));
  bundle = (await bundleHandler("packages/functions/src/enricher.ts", dir)).file;
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
