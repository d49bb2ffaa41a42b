/**
 * The enricher as it ships: bundled like SST builds it, loaded in a fresh Node process with
 * fake credentials and the environment the stack sets, talking to a local HTTP endpoint that
 * answers like SNS (`AWS_ENDPOINT_URL_SNS`). Asserts the Publish requests that arrive.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bundleHandler } from "../helpers/bundle.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:secretwatch-ci-alerts";
const records = cloudTrailFixture<Record<string, unknown>>("stratus-secretsmanager");

interface SnsRequest {
  params: URLSearchParams;
}
let requests: SnsRequest[] = [];
let failWith: number | null = null;
let server: Server;
let endpoint: string;
let dir: string;
let bundle: string;

function snsReply(status: number, body: string) {
  return { status, body };
}

function answer(params: URLSearchParams) {
  if (failWith !== null) {
    return snsReply(
      failWith,
      `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>InternalError</Code><Message>boom</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
    );
  }
  if (params.get("Action") !== "Publish") return snsReply(400, "<ErrorResponse/>");
  return snsReply(
    200,
    `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${requests.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r-${requests.length}</RequestId></ResponseMetadata></PublishResponse>`,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-artifact-"));
  bundle = (await bundleHandler("packages/functions/src/enricher.ts", dir)).file;
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const params = new URLSearchParams(body);
      requests.push({ params });
      const reply = answer(params);
      res.writeHead(reply.status, { "content-type": "text/xml" });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
  failWith = null;
});

/** Runs the bundle's `handler` on `event` in a fresh Node process, as the Lambda runtime would. */
function invokeBundle(event: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const eventFile = path.join(dir, `event-${Date.now()}.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  const script = `
    import { readFileSync } from "node:fs";
    const { handler } = await import(${JSON.stringify(`file://${bundle}`)});
    const result = await handler(JSON.parse(readFileSync(${JSON.stringify(eventFile)}, "utf8")), {});
    process.stdout.write("\\nRESULT " + JSON.stringify(result) + "\\n");
  `;
  const env = {
    PATH: process.env.PATH ?? "",
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret-key",
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_SNS: endpoint,
    SECRETWATCH_TOPIC_ARN: TOPIC_ARN,
    SECRETWATCH_APP: "secretwatch",
    SECRETWATCH_STAGE: "ci",
    // Lambda sets this; the handler names its metrics' `service` dimension after it.
    AWS_LAMBDA_FUNCTION_NAME: "secretwatch-ci-enricher",
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the bundled enricher", () => {
  it("publishes the alert for a secret read to SNS with the exact fields", async () => {
    const read = records.find((r) => r.eventName === "GetSecretValue")!;
    const noise = records.find((r) => r.eventName === "ListSecrets")!;
    const run = await invokeBundle(recordsEvent([noise, read]));
    expect(run.code, run.stderr).toBe(0);
    expect(requests).toHaveLength(1);
    const params = requests[0]!.params;
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
    const attributes = new Map<string, string>();
    for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
      attributes.set(
        params.get(`MessageAttributes.entry.${i}.Name`)!,
        params.get(`MessageAttributes.entry.${i}.Value.StringValue`)!,
      );
    }
    expect(attributes.get("eventName")).toBe("GetSecretValue");
    expect(attributes.get("outcome")).toBe("success");
    const result = JSON.parse(run.stdout.split("\nRESULT ")[1] ?? "null");
    expect(result).toMatchObject({ records: 2, hits: 1, published: 1, malformed: 0 });
    // The EMF metrics line: the namespace, dimension and names the stage's alarms and dashboard use.
    const emf = run.stdout
      .split("\n")
      .filter((line) => line.startsWith("{") && line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
    expect(emf).toHaveLength(1);
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "secretwatch", Dimensions: [["service"]] });
    expect(emf[0]).toMatchObject({
      service: "secretwatch-ci-enricher",
      RecordsDecoded: 2,
      SecretAccessHits: 1,
      MalformedMessages: 0,
      MessagesPublished: 1,
    });
  }, 60_000);

  it("fails the invocation when SNS keeps failing, after the configured SDK attempts", async () => {
    failWith = 500;
    const read = records.find((r) => r.eventName === "GetSecretValue")!;
    const run = await invokeBundle(recordsEvent([read]));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/PublishError|could not be published/);
    expect(requests.length).toBe(5); // maxAttempts: 5, set explicitly in the handler's SNS client
  }, 60_000);
});
