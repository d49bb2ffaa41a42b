/**
 * Scenario: the dev stage (see ./dev-stage.ts) with default settings has a trail bucket, so it
 * has history: a Glue database and CloudTrail table projected over that bucket's
 * `AWSLogs/<account>/CloudTrail/<region>/<yyyy/MM/dd>/` layout, and an Athena workgroup with
 * enforced settings, a cutoff, metrics and an encrypted, TLS-only, expiring results bucket.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT } from "./dev-stage";
import { readPolicy } from "./harness/policy";
import { arnOf, named, ofType, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";

let result: RunResult;
let columns: readonly { name: string; type: string }[];
beforeAll(async () => {
  result = await runApp({ stage: "dev", env: { alertEmails: "security@example.com" } });
  // Loaded by the run above (stack modules declare resources when first imported).
  columns = (await import("../../stacks/history")).CLOUDTRAIL_COLUMNS;
});

const TRAIL_BUCKET = `secretwatch-dev-trail-${ACCOUNT}`;

describe("history database and table", () => {
  it("names them with underscores, as Glue and Athena want", () => {
    expect(named("HistoryDatabase").inputs.name).toBe("secretwatch_dev_history");
    expect(named("HistoryTable").inputs).toMatchObject({
      name: "cloudtrail",
      databaseName: "secretwatch_dev_history",
      tableType: "EXTERNAL_TABLE",
    });
  });

  it("reads the trail bucket with AWS's CloudTrail SerDe and input format", () => {
    expect(named("HistoryTable").inputs.storageDescriptor).toMatchObject({
      location: `s3://${TRAIL_BUCKET}/AWSLogs/`,
      inputFormat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      serDeInfo: { serializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe" },
    });
  });

  it("has the documented columns the CLI filters on, with the nested identity", () => {
    const declared = named("HistoryTable").inputs.storageDescriptor.columns as { name: string; type: string }[];
    expect(declared).toEqual(columns);
    const byName = new Map(declared.map((c) => [c.name, c.type]));
    for (const name of ["eventid", "eventtime", "eventsource", "eventname", "requestparameters"]) {
      expect(byName.get(name), name).toBe("string");
    }
    expect(byName.get("useridentity")).toMatch(/^struct<type:string,principalid:string,arn:string,/);
    expect(byName.get("useridentity")).toContain("sessionissuer:struct<type:string,principalid:string,arn:string");
    expect(byName.get("resources")).toBe("array<struct<arn:string,accountid:string,type:string>>");
  });

  it("projects account (injected), Region (enum) and date partitions onto the own layout", () => {
    const { parameters, partitionKeys } = named("HistoryTable").inputs;
    expect(partitionKeys).toEqual([
      { name: "account", type: "string" },
      { name: "region", type: "string" },
      { name: "logdate", type: "string" },
    ]);
    expect(parameters).toMatchObject({
      EXTERNAL: "TRUE",
      "projection.enabled": "true",
      "projection.account.type": "injected",
      "projection.region.type": "enum",
      "projection.logdate.type": "date",
      "projection.logdate.format": "yyyy/MM/dd",
      "projection.logdate.interval": "1",
      "projection.logdate.interval.unit": "DAYS",
      "projection.logdate.range": "2013/11/01,NOW",
      "storage.location.template": `s3://${TRAIL_BUCKET}/AWSLogs/\${account}/CloudTrail/\${region}/\${logdate}`,
    });
    const regions = (parameters["projection.region.values"] as string).split(",");
    expect(regions).toEqual(expect.arrayContaining(["us-east-1", "us-east-2", "eu-west-1", "ap-southeast-2"]));
    expect(regions.every((r) => /^[a-z]{2}-[a-z]+-\d$/.test(r))).toBe(true);
    expect(regions).not.toContain("cn-north-1");
  });
});

describe("history workgroup", () => {
  it("enforces its settings, publishes metrics, stops a query at 100 GB scanned by default", () => {
    const workgroup = named("HistoryWorkgroup");
    expect(workgroup.inputs.name).toBe("secretwatch-dev-history");
    expect(workgroup.inputs.state).toBe("ENABLED");
    expect(workgroup.inputs.configuration).toMatchObject({
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: 100_000_000_000,
    });
    expect(result.outputs.historyWorkgroup).toBe("secretwatch-dev-history");
  });

  it("writes results SSE-encrypted under results/ of its own bucket, owned by this account", () => {
    const bucket = named("HistoryResults").inputs.bucket;
    expect(bucket).toBe(`secretwatch-dev-history-${ACCOUNT}`);
    expect(named("HistoryWorkgroup").inputs.configuration.resultConfiguration).toEqual({
      outputLocation: `s3://${bucket}/results/`,
      encryptionConfiguration: { encryptionOption: "SSE_S3" },
      expectedBucketOwner: ACCOUNT,
    });
  });
});

describe("history results bucket", () => {
  it("is encrypted by default, private, owner-enforced", () => {
    expect(named("HistoryResultsEncryption").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    expect(named("HistoryResultsPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(named("HistoryResultsOwnership").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("expires query results after 7 days", () => {
    const lifecycle = named("HistoryResultsLifecycle").inputs;
    expect(lifecycle.bucket).toBe(named("HistoryResults").inputs.bucket);
    expect(lifecycle.rules).toEqual([
      expect.objectContaining({ status: "Enabled", filter: {}, expiration: { days: 7 } }),
    ]);
  });

  it("refuses every request without TLS, to the bucket and to its objects", () => {
    const policy = named("HistoryResultsPolicy");
    expect(policy.type).toBe(T.bucketPolicy);
    expect(policy.inputs.bucket).toBe(named("HistoryResults").inputs.bucket);
    const arn = arnOf("HistoryResults");
    expect(readPolicy(policy.inputs.policy)).toEqual([
      {
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": ["false"] } },
      },
    ]);
    expect(policy.dependsOn).toEqual(["HistoryResultsPublicAccessBlock"]);
  });

  it("denies exactly what the trail bucket's TLS-only statement denies", () => {
    const trailBucketArn = arnOf("TrailBucketBucket");
    const trailDeny = readPolicy(named("TrailBucketPolicy").inputs.policy).filter((s) => s.Effect === "Deny");
    expect(trailDeny).toHaveLength(1);
    const onResults = JSON.parse(JSON.stringify(trailDeny).replaceAll(trailBucketArn, arnOf("HistoryResults")));
    expect(readPolicy(named("HistoryResultsPolicy").inputs.policy)).toEqual(onResults);
  });

  it("gives each bucket one policy: history adds none to the trail bucket", () => {
    const byBucket = ofType(T.bucketPolicy).map((p) => [p.inputs.bucket as string, p.name] as const);
    expect(new Map(byBucket)).toEqual(
      new Map([
        [TRAIL_BUCKET, "TrailBucketPolicy"],
        [`secretwatch-dev-history-${ACCOUNT}`, "HistoryResultsPolicy"],
      ]),
    );
    expect(byBucket).toHaveLength(2);
  });
});
