/**
 * Dev stage (see ./dev-stage.ts): the trail bucket, the trail, its log group and its role.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RETENTION_DAYS } from "../../packages/core/src/settings";
import { selectorGaps, selectorsLog } from "../../packages/core/src/tamper/selectors";
import { TRAIL_ADVANCED_EVENT_SELECTORS } from "../../packages/core/src/tamper/trail-selectors";
import { ACCOUNT, logsArn, REGION, trailLogGroupArn } from "./dev-stage";
import { readPolicy } from "./harness/policy";
import { arnOf, childrenOf, named, ofType, T } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

beforeAll(async () => {
  await runApp({ stage: "dev", env: { alertEmails: "security@example.com, oncall@example.org" } });
});

describe("trail bucket", () => {
  it("has exactly one bucket policy, the trail bucket component's own", () => {
    // Other buckets (history's results bucket) have their own policy; this bucket has one.
    const bucket = named("TrailBucketBucket").inputs.bucket;
    const onBucket = ofType(T.bucketPolicy).filter((p) => p.inputs.bucket === bucket);
    expect(onBucket.map((p) => p.name)).toEqual(["TrailBucketPolicy"]);
    expect(named("TrailBucketPolicy").parent).toBe("TrailBucket");
  });

  it("denies every request without TLS", () => {
    const statements = readPolicy(named("TrailBucketPolicy").inputs.policy);
    const bucketArn = arnOf("TrailBucketBucket");
    expect(statements).toContainEqual({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": ["false"] } },
    });
  });

  it("lets CloudTrail read the ACL and write AWSLogs/<account>/*, only for this trail", () => {
    const statements = readPolicy(named("TrailBucketPolicy").inputs.policy);
    const bucketArn = arnOf("TrailBucketBucket");
    const trailArn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/secretwatch-dev-trail`;
    // The ARN built for the policy is the one the trail will have.
    expect(arnOf("Trail")).toBe(trailArn);
    const allows = statements.filter((s) => s.Effect === "Allow");
    expect(allows).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: ["cloudtrail.amazonaws.com"] },
        Action: ["s3:GetBucketAcl"],
        Resource: [bucketArn],
        Condition: { StringEquals: { "aws:SourceArn": [trailArn] } },
      },
      {
        Effect: "Allow",
        Principal: { Service: ["cloudtrail.amazonaws.com"] },
        Action: ["s3:PutObject"],
        Resource: [`${bucketArn}/AWSLogs/${ACCOUNT}/*`],
        Condition: {
          StringEquals: { "s3:x-amz-acl": ["bucket-owner-full-control"], "aws:SourceArn": [trailArn] },
        },
      },
    ]);
    expect(statements).toHaveLength(3);
  });

  it("blocks all public access, keeps versions, adds no CORS rule", () => {
    expect(named("TrailBucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(named("TrailBucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(ofType(T.cors)).toEqual([]);
  });

  it("expires log files after the retention period", () => {
    const [rule, ...others] = named("TrailBucketLifecycle").inputs.rules;
    expect(others).toEqual([]);
    expect(rule).toMatchObject({ status: "Enabled", filter: {}, expiration: { days: DEFAULT_RETENTION_DAYS } });
    expect(rule.noncurrentVersionExpiration.noncurrentDays).toBeGreaterThan(0);
  });

  it("is emptied and deleted with a non-production stage", () => {
    const bucket = named("TrailBucketBucket");
    expect(bucket.inputs.forceDestroy).toBe(true);
    expect(bucket.retainOnDelete).not.toBe(true);
  });
});

describe("trail", () => {
  it("logs every Region, global services, with log file validation", () => {
    expect(named("Trail").inputs).toMatchObject({
      name: "secretwatch-dev-trail",
      s3BucketName: named("TrailBucketBucket").inputs.bucket,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
    });
  });

  it("logs Read and Write management events, KMS's Write events, but not KMS's Read calls nor the RDS Data API", () => {
    const { advancedEventSelectors, eventSelectors } = named("Trail").inputs;
    expect(eventSelectors ?? []).toEqual([]);
    expect(advancedEventSelectors).toEqual(TRAIL_ADVANCED_EVENT_SELECTORS);
    expect(advancedEventSelectors).toHaveLength(2);
    const [all, writes] = advancedEventSelectors as { fieldSelectors: object[] }[];
    // No readOnly selector on the first: both Read (GetSecretValue) and Write events are logged.
    expect(all!.fieldSelectors).toEqual([
      { field: "eventCategory", equals: ["Management"] },
      { field: "eventSource", notEquals: ["kms.amazonaws.com", "rdsdata.amazonaws.com"] },
    ]);
    expect(writes!.fieldSelectors).toEqual([
      { field: "eventCategory", equals: ["Management"] },
      { field: "readOnly", equals: ["false"] },
      { field: "eventSource", notEquals: ["rdsdata.amazonaws.com"] },
    ]);
    // Evaluated as CloudTrail does (any selector; all its field selectors), by the tamper classifier's evaluator.
    const logs = (eventSource: string, eventName: string, readOnly: boolean) =>
      selectorsLog(
        { advancedEventSelectors },
        { eventCategory: "Management", eventSource, eventName, readOnly: String(readOnly) },
      );
    expect(logs("secretsmanager.amazonaws.com", "GetSecretValue", true)).toBe(true);
    expect(logs("cloudtrail.amazonaws.com", "StopLogging", false)).toBe(true);
    for (const name of ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"])
      expect(logs("kms.amazonaws.com", name, false)).toBe(true);
    for (const name of ["Decrypt", "Encrypt", "GenerateDataKey"])
      expect(logs("kms.amazonaws.com", name, true)).toBe(false);
    expect(logs("rdsdata.amazonaws.com", "ExecuteStatement", false)).toBe(false);
    expect(selectorGaps({ advancedEventSelectors })).toEqual([]);
  });

  it("delivers to the log group ARN with `:*`, through its own role", () => {
    expect(named("Trail").inputs.cloudWatchLogsGroupArn).toBe(`${trailLogGroupArn()}:*`);
    expect(named("Trail").inputs.cloudWatchLogsGroupArn).toBe(`${logsArn("/secretwatch/dev/cloudtrail")}:*`);
    expect(named("Trail").inputs.cloudWatchLogsRoleArn).toBe(arnOf("TrailLogsRole"));
  });

  it("is created after the bucket policy and the role policy", () => {
    const trail = named("Trail");
    expect(trail.dependsOn).toEqual(expect.arrayContaining(["TrailBucket", "TrailLogsRolePolicy"]));
    // What the engine is told: the bucket component expands to its policy.
    expect(trail.dependencies).toEqual(expect.arrayContaining(["TrailBucketPolicy", "TrailLogsRolePolicy"]));
    expect(childrenOf("TrailBucket").map((r) => r.name)).toContain("TrailBucketPolicy");
  });

  it("has a role only CloudTrail can assume", () => {
    const trust = readPolicy(named("TrailLogsRole").inputs.assumeRolePolicy);
    expect(trust).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: ["cloudtrail.amazonaws.com"] },
        Action: ["sts:AssumeRole"],
        Resource: [],
        Condition: {},
      },
    ]);
  });

  it("lets that role create streams and put events in its log group, nothing else", () => {
    expect(named("TrailLogsRole").inputs.managedPolicyArns ?? []).toEqual([]);
    expect(named("TrailLogsRole").inputs.inlinePolicies ?? []).toEqual([]);
    const policies = ofType(T.rolePolicy);
    expect(policies.map((p) => p.name)).toEqual(["TrailLogsRolePolicy"]);
    expect(named("TrailLogsRolePolicy").inputs.role).toBe("secretwatch-dev-trail-logs");
    expect(readPolicy(named("TrailLogsRolePolicy").inputs.policy)).toEqual([
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${logsArn("/secretwatch/dev/cloudtrail")}:log-stream:*`],
        Condition: {},
      },
    ]);
  });

  it("writes to a log group with the retention setting, deleted with the stage", () => {
    const group = named("TrailLogGroup");
    expect(group.inputs.retentionInDays).toBe(DEFAULT_RETENTION_DAYS);
    expect(group.retainOnDelete).not.toBe(true);
  });
});
