/**
 * Scenario: the `prod` stage, deployed in another partition, Region and account
 * (aws-us-gov, us-gov-west-1, 444455556666), so that no ARN may assume `arn:aws:`.
 * Production keeps its evidence (bucket, log group) and is protected from `sst remove`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readPolicy } from "./harness/policy";
import { arnOf, named, ofType, recorded, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";

const ACCOUNT = "444455556666";
const REGION = "us-gov-west-1";
const PARTITION = "aws-us-gov";

let result: RunResult;
beforeAll(async () => {
  result = await runApp({
    stage: "prod",
    env: { alertEmails: "soc@example.com", retentionDays: "731", blindSpotMinutes: "30" },
    context: { account: ACCOUNT, region: REGION, partition: PARTITION },
  });
});

describe("production protection", () => {
  it("retains resources on removal and protects the stage", () => {
    expect(result.app).toMatchObject({ removal: "retain", protect: true });
    expect(result.outputs._protect).toBe(true);
    expect(result.outputs.production).toBe(true);
  });

  it("keeps the trail bucket and its logs when the stage is removed", () => {
    const bucket = named("TrailBucketBucket");
    expect(bucket.retainOnDelete).toBe(true);
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.inputs.bucket).toBe(`secretwatch-prod-trail-${ACCOUNT}`);
  });

  it("keeps the CloudTrail log group, with the configured retention", () => {
    const group = named("TrailLogGroup");
    expect(group.retainOnDelete).toBe(true);
    expect(group.inputs).toMatchObject({ name: "/secretwatch/prod/cloudtrail", retentionInDays: 731 });
    expect(named("TrailBucketLifecycle").inputs.rules[0].expiration).toEqual({ days: 731 });
  });

  it("puts the stage in every name", () => {
    // A role's inline policy is named within its role, the history table within its database:
    // the only names without the stage. Glue allows no `-`: its database is `secretwatch_prod_history`.
    const within = new Set<string>([T.rolePolicy, "aws:glue/catalogTable:CatalogTable"]);
    const withNames = recorded.filter((x) => x.custom && typeof x.inputs.name === "string" && !within.has(x.type));
    expect(withNames.length).toBeGreaterThan(15);
    for (const r of withNames) {
      expect(r.inputs.name, r.name).toMatch(/secretwatch[-/_]prod[-/_]/);
    }
    expect(named("Dashboard").inputs.dashboardName).toBe("secretwatch-prod-dashboard");
  });

  it("creates no demo secret", () => {
    expect(ofType(T.secret)).toEqual([]);
  });
});

describe("ARNs follow the deploying partition, Region and account", () => {
  const trailArn = `arn:${PARTITION}:cloudtrail:${REGION}:${ACCOUNT}:trail/secretwatch-prod-trail`;

  it("conditions the bucket policy on this trail's ARN", () => {
    expect(arnOf("Trail")).toBe(trailArn);
    const statements = readPolicy(named("TrailBucketPolicy").inputs.policy).filter((s) => s.Effect === "Allow");
    expect(statements).toHaveLength(2);
    for (const s of statements) expect(s.Condition.StringEquals?.["aws:SourceArn"]).toEqual([trailArn]);
    const put = statements.find((s) => s.Action.includes("s3:PutObject"));
    expect(put?.Resource).toEqual([`arn:${PARTITION}:s3:::secretwatch-prod-trail-${ACCOUNT}/AWSLogs/${ACCOUNT}/*`]);
  });

  it("points the trail and the Lambda permission at the log group ARN with `:*`", () => {
    const groupArn = `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:/secretwatch/prod/cloudtrail`;
    expect(named("Trail").inputs.cloudWatchLogsGroupArn).toBe(`${groupArn}:*`);
    expect(named("EnricherInvokePermission").inputs).toMatchObject({
      sourceArn: `${groupArn}:*`,
      sourceAccount: ACCOUNT,
    });
    expect(readPolicy(named("TrailLogsRolePolicy").inputs.policy)[0]?.Resource).toEqual([`${groupArn}:log-stream:*`]);
  });

  it("scopes the topic policy to this account's alarms and principals", () => {
    const statements = readPolicy(named("SecurityAlarmsPolicy").inputs.policy);
    expect(statements.map((s) => s.Principal)).toEqual([
      { Service: ["cloudwatch.amazonaws.com"] },
      { AWS: [`arn:${PARTITION}:iam::${ACCOUNT}:root`] },
    ]);
    const alarmArns = ofType(T.alarm).map((a) => arnOf(a.name));
    expect(alarmArns.length).toBeGreaterThan(5);
    for (const arn of alarmArns)
      expect(arn).toMatch(`arn:${PARTITION}:cloudwatch:${REGION}:${ACCOUNT}:alarm:secretwatch-prod-`);
    expect(statements[0]?.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": [ACCOUNT] },
      ArnLike: { "aws:SourceArn": expect.arrayContaining(alarmArns) },
    });
    expect(statements[0]?.Condition.ArnLike?.["aws:SourceArn"]).toHaveLength(alarmArns.length);
  });

  it("scopes the enricher's log permissions to its own log group", () => {
    const statements = readPolicy(named("EnricherRole").inputs.inlinePolicies[0].policy);
    const logs = statements.find((s) => s.Action.includes("logs:PutLogEvents"));
    expect(logs?.Resource).toEqual([
      `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/secretwatch-prod-enricher:*`,
    ]);
    expect(JSON.stringify(statements)).not.toContain("arn:aws:");
  });

  it("uses the configured blind-spot window", () => {
    const { inputs } = named("BlindSpotAlarm");
    expect(inputs.period * inputs.evaluationPeriods).toBe(30 * 60);
    expect(inputs.treatMissingData).toBe("missing");
  });
});
