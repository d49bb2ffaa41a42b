/**
 * Test inputs for `secretwatch replay`, written into a fresh temporary directory from the
 * committed CloudTrail fixtures, in every form a user may hold them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { CloudTrailRecord } from "../../packages/core/src/types.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { logsPayload, recordsEvent } from "../helpers/subscription.js";

export type Rec = CloudTrailRecord & Record<string, any>;

export const fixture = (name: string) => cloudTrailFixture<Rec>(name);

export const stratus = fixture("stratus-secretsmanager");
export const noise = fixture("stratus-other-techniques");
export const failures = fixture("failures");
/** The GetSecretValue of stratus-red-team-retrieve-secret-18 by IAM user christophe. */
export const read18 = stratus.find((r) => r.eventID === "b9c3d881-1e77-426c-abd3-5ca20d903380")!;
export const reads = stratus.filter((r) => r.eventName === "GetSecretValue");
export const batches = stratus.filter((r) => r.eventName === "BatchGetSecretValue");
export const NOW = new Date("2024-07-31T12:41:52Z");

/** A temporary directory with helpers to write files into it; `remove()` when done. */
export function tempDir(prefix = "replay-") {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    return file;
  };
  return {
    root,
    write,
    json: (name: string, value: unknown) => write(name, JSON.stringify(value)),
    gzip: (name: string, value: unknown) => write(name, gzipSync(JSON.stringify(value))),
    ndjson: (name: string, values: unknown[]) => write(name, `${values.map((v) => JSON.stringify(v)).join("\n")}\n`),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A CloudTrail S3 log file body. */
export const s3File = (records: Rec[]) => ({ Records: records });

/** The record a Lambda on-failure destination writes for a failed async invocation. */
export function failureRecord(records: Rec[]) {
  return {
    version: "1.0",
    timestamp: "2024-07-31T12:45:00.000Z",
    requestContext: {
      requestId: "c1d2e3f4-0000-4000-8000-000000000001",
      functionArn: "arn:aws:lambda:us-east-1:111122223333:function:secretwatch-prod-enricher:$LATEST",
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: recordsEvent(records),
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType: "PublishError", errorMessage: "1 of 1 alert messages could not be published" },
  };
}

/** `aws sqs receive-message` output holding failure records. */
export const sqsReceive = (bodies: unknown[]) => ({
  Messages: bodies.map((body, i) => ({
    MessageId: `00000000-0000-4000-8000-00000000000${i}`,
    ReceiptHandle: `handle-${i}`,
    MD5OfBody: "ignored",
    Body: JSON.stringify(body),
  })),
});

/** The decoded subscription payload (what `awslogs.data` holds) for these records. */
export const decodedPayload = (records: Rec[]) => logsPayload(records.map((r) => JSON.stringify(r)));

export { recordsEvent };
