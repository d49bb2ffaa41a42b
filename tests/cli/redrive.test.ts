/**
 * `secretwatch redrive` against a mocked SQS failure queue (real visibility semantics) and
 * SNS: the read-only view, a redrive through the Lambda's own handler (same PublishCommand
 * inputs), delete-after-publish order, a crash half-way, and messages that are not Lambda
 * destination records; the warning when the local policy is not the deployed one (the
 * enricher's configuration from a mocked Lambda, in GetFunctionConfiguration's shape).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { InternalErrorException, PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { CloudWatchLogsEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DEPLOYED_POLICY_HASH_ENV } from "../../packages/cli/src/commands/redrive.js";
import type { Io } from "../../packages/cli/src/io.js";
import { loadPolicy } from "../../packages/cli/src/policy-file.js";
import { createHandler } from "../../packages/functions/src/enricher.js";
import { POLICY_ENV } from "../../packages/functions/src/policy-source.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";
import { ACCOUNT, FakeQueue } from "./fake-queue.js";
import { runCli } from "./run-cli.js";

type RecordJson = Record<string, any>;
const fixture = (name: string) => cloudTrailFixture<RecordJson>(name);
const stratus = fixture("stratus-secretsmanager");
const reads = stratus.filter((r) => r.eventName === "GetSecretValue");
const listSecrets = stratus.find((r) => r.eventName === "ListSecrets")!;

const NOW = new Date("2024-08-01T00:00:00Z");
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:secretwatch-test-alerts`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:secretwatch-test-enricher:$LATEST`;

/** Three failed subscription payloads: 9 CloudTrail records, 8 secret-value retrievals. */
const payloads: CloudWatchLogsEvent[] = [
  recordsEvent([listSecrets, reads[0]!, reads[1]!]),
  recordsEvent(fixture("failures")),
  recordsEvent(fixture("batch-with-companions")),
];

/** What Lambda sends its on-failure destination after the last retry. */
function destinationRecord(requestPayload: unknown, i = 0) {
  return JSON.stringify({
    version: "1.0",
    timestamp: `2024-07-31T12:5${i}:00.000Z`,
    requestContext: {
      requestId: `c2a6f2ae-7dbb-4d22-8782-d0485c98770${i}`,
      functionArn: FUNCTION_ARN,
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: {
      errorType: "PublishError",
      errorMessage: "1 of 1 alert messages could not be published",
      trace: [
        "PublishError: 1 of 1 alert messages could not be published",
        "    at publishAll (file:///var/task/index.mjs:1:2)",
      ],
    },
  });
}

const SENT = Date.parse("2024-07-31T12:50:00Z");
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const lambda = mockClient(LambdaClient);
/** The hash of the policy redrive uses by default here (the repository's, or the defaults). */
const LOCAL_HASH = (await loadPolicy({ cwd: process.cwd(), env: {} } as Io)).compiled.hash;
const OTHER_HASH = `sha256:${"0".repeat(64)}`;
/** How many messages had been published each time the enricher's configuration was read. */
let publishedAtCheck: number[];

/** The enricher's configuration as GetFunctionConfiguration returns it, deployed with `hash`. */
function deployedWith(hash: string | null) {
  lambda.on(GetFunctionConfigurationCommand).callsFake(() => {
    publishedAtCheck.push(sns.commandCalls(PublishCommand).length);
    return {
      FunctionName: "secretwatch-test-enricher",
      FunctionArn: FUNCTION_ARN.replace(/:\$LATEST$/, ""),
      Runtime: "nodejs22.x",
      Environment: {
        Variables: {
          SECRETWATCH_TOPIC_ARN: TOPIC_ARN,
          ...(hash !== null && { [DEPLOYED_POLICY_HASH_ENV]: hash }),
        },
      },
    };
  });
}
let log: string[];
let queue: FakeQueue;
/** SNS fails every publish after this many. */
let publishesBeforeFailure: number;
/** Publishes SNS accepted so far. */
let sent: number;

/** The PublishCommand inputs the enricher Lambda sends for each payload. */
async function lambdaPublishes(events: CloudWatchLogsEvent[]): Promise<PublishCommandInput[][]> {
  const handler = createHandler({
    sns: new SNSClient({ region: "us-east-1" }),
    topicArn: TOPIC_ARN,
    app: "secretwatch",
    stage: "test",
    clock: () => NOW,
  });
  const out: PublishCommandInput[][] = [];
  for (const event of events) {
    const before = sns.commandCalls(PublishCommand).length;
    await handler(event);
    out.push(
      sns
        .commandCalls(PublishCommand)
        .slice(before)
        .map((c) => c.args[0].input),
    );
  }
  sns.resetHistory();
  log.length = 0;
  sent = 0;
  return out;
}

const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const redrive = (...args: string[]) => runCli(["redrive", "--stage", "test", ...args], { now: NOW });

beforeEach(() => {
  sqs.reset();
  sns.reset();
  lambda.reset();
  publishedAtCheck = [];
  deployedWith(LOCAL_HASH);
  log = [];
  publishesBeforeFailure = Number.POSITIVE_INFINITY;
  queue = new FakeQueue(log);
  queue.install(sqs);
  sent = 0;
  sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
    if (sent >= publishesBeforeFailure) {
      log.push(`publish-failed:${input.Subject}`);
      throw new InternalErrorException({ message: "Internal error", $metadata: { httpStatusCode: 500 } });
    }
    log.push(`publish:${input.Subject}`);
    return { MessageId: `msg-${++sent}` };
  });
});

describe("redrive: read-only view", () => {
  it("--format json: the same report as one JSON object, nothing deleted", async () => {
    for (const [i, p] of payloads.entries()) queue.add(destinationRecord(p, i), SENT + i * 60_000);
    const run = await redrive("--format", "json");
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      queue: { name: "secretwatch-test-enricher-failures", region: "us-east-1", visible: 3, inFlight: 0 },
      parked: { payloads: 3, records: 9, retrievals: 8, oldest: "2024-07-31T12:50:00.000Z" },
      read: 3,
      deleted: 0,
    });
    expect(report.parked.pairs).toContainEqual(
      expect.objectContaining({ secret: "prod/db/postgres", principal: "arn:aws:iam::111122223333:user/intern" }),
    );
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it("shows payloads, hits and the oldest, deletes nothing and hands every message back", async () => {
    for (const [i, p] of payloads.entries()) queue.add(destinationRecord(p, i), SENT + i * 60_000);
    const run = await redrive();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "Failure queue secretwatch-test-enricher-failures (us-east-1): about 3 waiting, 0 in flight",
    );
    expect(run.stdout).toContain(
      "Parked: 3 payloads, 9 CloudTrail records, 8 secret-value retrievals, oldest 2024-07-31T12:50:00.000Z (11 h ago)",
    );
    expect(run.stdout).toContain("3x RetriesExhausted (PublishError: 1 of 1 alert messages could not be published)");
    expect(run.stdout).toContain("Secret-value retrievals by secret and principal:");
    // The table fits 100 columns: long names cut with an ellipsis (report.ts formatSummary).
    expect(run.stdout).toMatch(/^ {2}prod\/db\/postg\S* +\S*intern +1 +1 +0 /m);
    expect(run.stdout).toMatch(/Read-only: 3 messages read; each was hidden for at most 30 s/);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(queue.visible).toEqual(queue.remaining);
    expect(queue.remaining).toHaveLength(3);
    const receive = sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
    expect(receive).toMatchObject({ MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30 });
    expect(receive.MessageSystemAttributeNames).toContain("SentTimestamp");
  });

  it("reads at most --max messages", async () => {
    for (const [i, p] of payloads.entries()) queue.add(destinationRecord(p, i), SENT);
    const run = await redrive("--max", "2");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Parked: 2 payloads");
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.MaxNumberOfMessages).toBe(2);
    expect(queue.visible).toHaveLength(3);
  });

  it("says clearly when the stage has no failure queue", async () => {
    const run = await redrive("--stage", "nope");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "secretwatch: the failure queue secretwatch-nope-enricher-failures does not exist in us-east-1: check --stage, --app and --region (is the stage deployed?)\n",
    );
  });
});

describe("redrive --publish", () => {
  it("publishes exactly what the Lambda would, and deletes each message right after its alerts", async () => {
    const expected = await lambdaPublishes(payloads);
    const ids = payloads.map((p, i) => queue.add(destinationRecord(p, i), SENT));
    const run = await redrive("--publish");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(published()).toEqual(expected.flat());
    expect(published().every((input) => input.TopicArn === TOPIC_ARN)).toBe(true);
    expect(log.filter((e) => e !== "receive")).toEqual(
      expected.flatMap((inputs, i) => [...inputs.map((input) => `publish:${input.Subject}`), `delete:${ids[i]}`]),
    );
    expect(queue.remaining).toEqual([]);
    expect(run.stdout).toContain(`Redriven: 3 payloads, ${expected.flat().length} alerts published to ${TOPIC_ARN}`);
  });

  it("--format json: one object with what was redriven, published and deleted", async () => {
    const expected = await lambdaPublishes(payloads);
    for (const [i, p] of payloads.entries()) queue.add(destinationRecord(p, i), SENT);
    const run = await redrive("--publish", "--format", "json");
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      queue: { name: "secretwatch-test-enricher-failures", region: "us-east-1" },
      parked: { payloads: 3, retrievals: 8 },
      redriven: 3,
      alerts: expected.flat().length,
      topicArn: TOPIC_ARN,
      deleted: 3,
    });
    expect(queue.remaining).toEqual([]);
  });

  it("stops at a message whose alerts cannot be published: earlier ones deleted, it and later ones kept", async () => {
    const expected = await lambdaPublishes(payloads);
    publishesBeforeFailure = expected[0]!.length;
    const ids = payloads.map((p, i) => queue.add(destinationRecord(p, i), SENT));
    const run = await redrive("--publish");
    expect(run.code).toBe(1);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(1);
    expect(log.filter((e) => e.startsWith("delete:"))).toEqual([`delete:${ids[0]}`]);
    expect(queue.remaining).toEqual([ids[1], ids[2]]);
    expect(queue.visible).toEqual([ids[1], ids[2]]);
    // Nothing of the third payload was tried.
    const attempted = log.filter((e) => e.startsWith("publish")).length;
    expect(attempted).toBe(expected[0]!.length + expected[1]!.length);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^secretwatch: redrive stopped: the alerts of message ${ids[1]} could not be published \\(PublishError: \\d+ of \\d+ alert messages could not be published \\(InternalErrorException: Internal error\\)\\); it and the messages after it stay in the queue`,
      ),
    );
    expect(run.stdout).toContain("Redriven: 1 payload,");
  });

  it("reports messages that are not destination records and leaves them in the queue", async () => {
    const good = queue.add(destinationRecord(payloads[0]), SENT);
    const notJson = queue.add("hello, not JSON", SENT);
    const snsNotification = queue.add(JSON.stringify({ Type: "Notification", Message: "{}" }), SENT);
    const notLogs = queue.add(destinationRecord({ Records: [{ eventSource: "aws:s3" }] }), SENT);
    const badData = queue.add(destinationRecord({ awslogs: { data: "AAAA" } }), SENT);
    const expected = await lambdaPublishes([payloads[0]!]);
    const run = await redrive("--publish");
    expect(run.code).toBe(1);
    expect(published()).toEqual(expected.flat());
    expect(queue.remaining).toEqual([notJson, snsNotification, notLogs, badData]);
    expect(queue.visible).toEqual(queue.remaining);
    expect(log).toContain(`delete:${good}`);
    expect(run.stdout).toContain("Not redrivable, left in the queue: 4 messages");
    expect(run.stdout).toContain(`${notJson}: the body is not JSON`);
    expect(run.stdout).toContain(`${snsNotification}: not a Lambda destination record`);
    expect(run.stdout).toContain(`${notLogs}: its requestPayload is not a CloudWatch Logs subscription event`);
    expect(run.stdout).toContain(`${badData}: its subscription payload cannot be decoded`);
  });

  it("without --publish, reports the same messages and exits 0", async () => {
    queue.add("hello, not JSON", SENT);
    const run = await redrive();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Not redrivable, left in the queue: 1 message");
    expect(queue.visible).toHaveLength(1);
  });
});

describe("redrive --policy", () => {
  it("assesses with the policy given: an expected reader's parked read is not re-sent, the message is still deleted", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "redrive-policy-"));
    try {
      const file = path.join(dir, "p.yaml");
      const user = reads[0]!.userIdentity.arn as string;
      writeFileSync(file, `version: 1\nexpected:\n  - id: stratus\n    principal: "${user}"\n    secret: "*"\n`);
      queue.add(destinationRecord(recordsEvent([reads[0]!])), SENT);
      const run = await redrive("--publish", "--policy", file);
      expect(run.code).toBe(0);
      expect(published()).toEqual([]);
      expect(queue.remaining).toEqual([]);
      const bad = path.join(dir, "bad.yaml");
      writeFileSync(bad, "version: 2\n");
      queue.add(destinationRecord(recordsEvent([reads[0]!])), SENT);
      const refused = await redrive("--publish", "--policy", bad);
      expect(refused.code).toBe(2);
      expect(queue.visible).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("redrive --publish: the deployed policy", () => {
  const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("redrive: warning:"));

  it("says nothing when the local policy is the deployed one (read from the enricher's configuration)", async () => {
    expect(DEPLOYED_POLICY_HASH_ENV).toBe(POLICY_ENV.hash);
    queue.add(destinationRecord(payloads[0]), SENT);
    const run = await redrive("--publish");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const asked = lambda.commandCalls(GetFunctionConfigurationCommand).map((c) => c.args[0].input);
    expect(asked).toEqual([{ FunctionName: "secretwatch-test-enricher" }]);
  });

  it("warns in one line naming both hashes, before publishing, and still redrives", async () => {
    deployedWith(OTHER_HASH);
    queue.add(destinationRecord(payloads[0]), SENT);
    const run = await redrive("--publish");
    expect(run.code).toBe(0);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(warnings(run.stderr)).toEqual([
      `redrive: warning: the local policy ${LOCAL_HASH} (defaults) differs from the one secretwatch-test-enricher ` +
        `was deployed with (${OTHER_HASH}); assessing with the local one (pass --policy with the deployed file to match)`,
    ]);
    expect(publishedAtCheck).toEqual([0]);
    expect(published().length).toBeGreaterThan(0);
    expect(queue.remaining).toEqual([]);
  });

  it("says it could not check when the function cannot be read (AccessDenied) or names no hash, and carries on", async () => {
    lambda
      .on(GetFunctionConfigurationCommand)
      .rejects(
        Object.assign(
          new Error(
            "User: arn:aws:sts::111122223333:assumed-role/ops/alice is not authorized to perform: lambda:GetFunctionConfiguration",
          ),
          { name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 403 } },
        ),
      );
    queue.add(destinationRecord(payloads[0]), SENT);
    const denied = await redrive("--publish");
    expect(denied.code).toBe(0);
    expect(warnings(denied.stderr)).toEqual([
      "redrive: warning: could not check which policy secretwatch-test-enricher was deployed with (access denied by AWS: " +
        "User: arn:aws:sts::111122223333:assumed-role/ops/alice is not authorized to perform: lambda:GetFunctionConfiguration); " +
        `assessing with the local policy ${LOCAL_HASH} (defaults)`,
    ]);
    expect(denied.stderr.trim().split("\n")).toHaveLength(1);
    expect(queue.remaining).toEqual([]);
    expect(published().length).toBeGreaterThan(0);

    deployedWith(null);
    queue.add(destinationRecord(payloads[1], 1), SENT);
    const unnamed = await redrive("--publish");
    expect(unnamed.code).toBe(0);
    expect(warnings(unnamed.stderr)).toEqual([
      `redrive: warning: secretwatch-test-enricher has no ${DEPLOYED_POLICY_HASH_ENV}: could not check its policy; ` +
        `assessing with the local policy ${LOCAL_HASH} (defaults)`,
    ]);
  });

  it("does not look at the function in the read-only view", async () => {
    queue.add(destinationRecord(payloads[0]), SENT);
    expect((await redrive()).code).toBe(0);
    expect(lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(0);
  });
});
