/**
 * Scenario: a bring-your-own log group fed by an organization trail, whose bucket is named by
 * SECRETWATCH_HISTORY_BUCKET with the organization's `AWSLogs/<org-id>` as
 * SECRETWATCH_HISTORY_PREFIX, and a 25 GB cutoff. No trail bucket exists; the table reads
 * `AWSLogs/<org-id>/<account>/CloudTrail/<region>/<yyyy/MM/dd>/` of that bucket.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readPolicy } from "./harness/policy";
import { arnOf, named, ofType, T } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

const ORG_BUCKET = "org-trail-logs-999988887777";

beforeAll(async () => {
  await runApp({
    stage: "alice",
    env: {
      alertEmails: "alice@example.com",
      existingLogGroup: "aws-cloudtrail-logs-111122223333-abcd1234",
      historyBucket: ORG_BUCKET,
      historyPrefix: "/AWSLogs/o-abc123def4/",
      historyMaxScanGb: "25",
    },
  });
});

describe("history over an organization trail's bucket", () => {
  it("creates no trail bucket, only the results bucket", () => {
    expect(ofType(T.bucket).map((b) => b.name)).toEqual(["HistoryResults"]);
    expect(ofType(T.trail)).toEqual([]);
  });

  it("projects the organization layout of that bucket (slashes around the prefix trimmed)", () => {
    const { parameters, storageDescriptor } = named("HistoryTable").inputs;
    expect(storageDescriptor.location).toBe(`s3://${ORG_BUCKET}/AWSLogs/o-abc123def4/`);
    expect(parameters["storage.location.template"]).toBe(
      `s3://${ORG_BUCKET}/AWSLogs/o-abc123def4/\${account}/CloudTrail/\${region}/\${logdate}`,
    );
    expect(parameters["projection.account.type"]).toBe("injected");
  });

  it("puts its TLS-only policy on the results bucket, none on the organization's bucket", () => {
    const policies = ofType(T.bucketPolicy);
    expect(policies.map((p) => [p.name, p.inputs.bucket])).toEqual([
      ["HistoryResultsPolicy", "secretwatch-alice-history-111122223333"],
    ]);
    const arn = arnOf("HistoryResults");
    expect(readPolicy(named("HistoryResultsPolicy").inputs.policy)).toEqual([
      {
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": ["false"] } },
      },
    ]);
    expect(JSON.stringify(policies)).not.toContain(ORG_BUCKET);
  });

  it("stops a query at the configured cutoff", () => {
    expect(named("HistoryWorkgroup").inputs.configuration.bytesScannedCutoffPerQuery).toBe(25_000_000_000);
  });

  it("names its resources after this stage", () => {
    expect(named("HistoryDatabase").inputs.name).toBe("secretwatch_alice_history");
    expect(named("HistoryWorkgroup").inputs.name).toBe("secretwatch-alice-history");
    expect(named("HistoryResults").inputs.bucket).toBe("secretwatch-alice-history-111122223333");
  });
});
