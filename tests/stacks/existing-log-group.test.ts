/**
 * Scenario: bring your own log group. The account already sends CloudTrail to
 * `aws-cloudtrail-logs-111122223333-abcd1234`; no trail, bucket or log group is created, and
 * the filters, the Lambda permission and the blind-spot alarm use that group.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { METRIC_FILTER_PATTERN, SUBSCRIPTION_FILTER_PATTERN } from "../../packages/core/src/events";
import { named, ofType, onlyOfType, T } from "./harness/recorder";
import { calls, type RunResult, runApp } from "./harness/sst-globals";

const GROUP = "aws-cloudtrail-logs-111122223333-abcd1234";
const GROUP_ARN = `arn:aws:logs:us-east-2:111122223333:log-group:${GROUP}`;

let result: RunResult;
beforeAll(async () => {
  result = await runApp({
    stage: "alice",
    env: { alertEmails: "alice@example.com", existingLogGroup: GROUP, retentionDays: "30", blindSpotMinutes: "15" },
  });
});

describe("existing log group", () => {
  it("creates no trail, bucket, bucket policy, trail role or CloudTrail log group", () => {
    expect(ofType(T.trail)).toEqual([]);
    expect(ofType(T.bucket)).toEqual([]);
    expect(ofType(T.bucketPolicy)).toEqual([]);
    expect(ofType(T.rolePolicy)).toEqual([]);
    expect(
      ofType(T.role)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["DigestCronRole", "DigestRole", "EnricherRole", "StateBaselineRole"]);
    expect(ofType(T.logGroup).map((r) => r.name)).toEqual(["EnricherLogGroup", "DigestLogGroup"]);
    expect(result.outputs).toMatchObject({ logGroup: GROUP, trail: "none (existing log group)" });
  });

  it("names the group rather than looking it up (so `sst remove` works after it is gone)", () => {
    expect(calls.map((c) => c.token)).not.toContain("aws:cloudwatch/getLogGroup:getLogGroup");
  });

  it("counts reads from that group", () => {
    expect(named("SecretAccessMetricFilter").inputs).toMatchObject({
      logGroupName: GROUP,
      pattern: METRIC_FILTER_PATTERN,
    });
  });

  it("subscribes the enricher to that group, allowed by a permission on its ARN with `:*`", () => {
    expect(onlyOfType(T.subscriptionFilter).inputs).toMatchObject({
      logGroup: GROUP,
      filterPattern: SUBSCRIPTION_FILTER_PATTERN,
    });
    expect(onlyOfType(T.permission).inputs).toMatchObject({
      principal: "logs.amazonaws.com",
      sourceArn: `${GROUP_ARN}:*`,
      sourceAccount: "111122223333",
    });
    expect(named("EnricherSubscription").dependencies).toContain("EnricherInvokePermission");
  });

  it("watches that group for silence, over the configured window", () => {
    const { inputs } = named("BlindSpotAlarm");
    expect(inputs.dimensions).toEqual({ LogGroupName: GROUP });
    expect(inputs.period * inputs.evaluationPeriods).toBe(15 * 60);
    expect(inputs).toMatchObject({
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "missing",
    });
  });

  it("graphs that group's incoming events", () => {
    const body = JSON.parse(named("Dashboard").inputs.dashboardBody) as { widgets: any[] };
    const metrics = body.widgets.flatMap((w) => (w.type === "metric" ? w.properties.metrics : []));
    expect(metrics).toContainEqual(["AWS/Logs", "IncomingLogEvents", "LogGroupName", GROUP]);
  });

  it("still applies the retention setting to the enricher's own logs", () => {
    expect(named("EnricherLogGroup").inputs.retentionInDays).toBe(30);
  });
});
