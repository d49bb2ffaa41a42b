/**
 * `secretwatch doctor` against aws-sdk-client-mock (see doctor-fixtures.ts): a healthy chain,
 * the exact report, the API calls it makes, and --json.
 */
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeSubscriptionFiltersCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListSubscriptionsByTopicCommand, ListTopicsCommand } from "@aws-sdk/client-sns";
import { beforeEach, describe, expect, test } from "vitest";
import { healthyWorld, install, mocks, TOPIC_ARN, TRAIL_ARN } from "./doctor-fixtures.js";
import { doctor, repository } from "./doctor-run.js";

beforeEach(() => {
  install(healthyWorld());
});

const HEALTHY = () => `secretwatch doctor: stage dev of secretwatch in us-east-1
settings:
  ✓ settings read from ${repository()}/.env.dev (log group /secretwatch/dev/cloudtrail)
trail:
  ✓ trail secretwatch-dev-trail (multi-Region) delivers to log group /secretwatch/dev/cloudtrail
  ✓ trail secretwatch-dev-trail is logging
  ✓ trail secretwatch-dev-trail last delivered to CloudWatch Logs 4 minutes ago
  ✓ trail secretwatch-dev-trail logs Read management events (GetSecretValue)
  ✓ 2 of 5 trails in us-east-1 (AWS's limit per Region): room for 3 more
log group:
  ✓ log group /secretwatch/dev/cloudtrail received 340 events in the last hour
  ✓ subscription filter secretwatch-dev-enricher sends secret reads to function secretwatch-dev-enricher
metric filter:
  ✓ metric filter secretwatch-dev-secret-access matches GetSecretValue events of secretsmanager.amazonaws.com
  ✓ metric filter secretwatch-dev-secret-access counts each read as 1 in SecurityMetrics/Secret is accessed (secretwatch-dev)
alarm:
  ✓ alarm secretwatch-dev-secret-access fires on Sum >= 1 of SecurityMetrics/Secret is accessed (secretwatch-dev) in any 60 s of the last 25 minutes
  ✓ alarm secretwatch-dev-secret-access notifies topic secretwatch-dev-alerts
  ✓ alarm secretwatch-dev-secret-access is in state OK
  ✓ alarm secretwatch-dev-reads-not-assessed compares the hour's reads with the enricher's ReadsAssessed (FILL(reads, 0) - FILL(assessed, 0)), state OK
  ✓ tamper alarm secretwatch-dev-tamper-trail counts secretwatch-dev-tamper-trail and notifies the alert topic (state OK)
  ✓ tamper alarm secretwatch-dev-tamper-logs counts secretwatch-dev-tamper-logs and notifies the alert topic (state OK)
  ✓ tamper alarm secretwatch-dev-tamper-functions counts secretwatch-dev-tamper-enricher, secretwatch-dev-tamper-digest and notifies the alert topic (state OK)
  ✓ tamper alarm secretwatch-dev-tamper-topics counts secretwatch-dev-tamper-topics and notifies the alert topic (state OK)
topic:
  ✓ topic secretwatch-dev-alerts emails 2 confirmed addresses: alice@example.com, bob@example.com
  ✓ every address of SECRETWATCH_ALERT_EMAILS is subscribed to topic secretwatch-dev-alerts
enricher:
  ✓ enricher secretwatch-dev-enricher had no errors in the last 24 h
  ✓ failure queue secretwatch-dev-enricher-failures is empty
all 22 checks passed
`;

describe("a healthy chain", () => {
  test("prints every check as ✓ and exits 0", async () => {
    const run = await doctor();
    expect(run.stdout).toBe(HEALTHY());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  test("calls each API with the stage's names, shadow trails included, all pages read", async () => {
    await doctor();
    expect(mocks.cloudtrail.commandCalls(DescribeTrailsCommand)[0]!.args[0].input).toEqual({
      includeShadowTrails: true,
    });
    expect(mocks.cloudtrail.commandCalls(GetTrailStatusCommand)[0]!.args[0].input).toEqual({ Name: TRAIL_ARN });
    expect(mocks.cloudtrail.commandCalls(GetEventSelectorsCommand)[0]!.args[0].input).toEqual({ TrailName: TRAIL_ARN });
    expect(mocks.logs.commandCalls(DescribeSubscriptionFiltersCommand)[0]!.args[0].input).toMatchObject({
      logGroupName: "/secretwatch/dev/cloudtrail",
    });
    // One subscription per page in the fixture: two pages, both read (the paginator reuses
    // one input object, so the calls show its last state).
    const subs = mocks.sns.commandCalls(ListSubscriptionsByTopicCommand).map((c) => c.args[0].input);
    expect(subs).toHaveLength(2);
    expect(subs[1]).toEqual({ TopicArn: TOPIC_ARN, NextToken: "1" });
    // The topic's ARN comes from the alarm's account and Region: no ListTopics.
    expect(mocks.sns.commandCalls(ListTopicsCommand)).toHaveLength(0);

    const metrics = mocks.cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    const byName = Object.fromEntries(metrics.map((m) => [m.MetricDataQueries![0]!.MetricStat!.Metric!.MetricName, m]));
    const hoursOf = (name: string) =>
      (byName[name]!.EndTime!.getTime() - byName[name]!.StartTime!.getTime()) / 3_600_000;
    expect(byName.IncomingLogEvents!.MetricDataQueries![0]!.MetricStat).toMatchObject({
      Metric: { Namespace: "AWS/Logs", Dimensions: [{ Name: "LogGroupName", Value: "/secretwatch/dev/cloudtrail" }] },
      Stat: "Sum",
    });
    expect(hoursOf("IncomingLogEvents")).toBe(1);
    expect(byName.Errors!.MetricDataQueries![0]!.MetricStat).toMatchObject({
      Metric: { Namespace: "AWS/Lambda", Dimensions: [{ Name: "FunctionName", Value: "secretwatch-dev-enricher" }] },
      Stat: "Sum",
    });
    expect(hoursOf("Errors")).toBe(24);
    expect(byName.ApproximateNumberOfMessagesVisible!.MetricDataQueries![0]!.MetricStat).toMatchObject({
      Metric: { Namespace: "AWS/SQS", Dimensions: [{ Name: "QueueName", Value: "secretwatch-dev-enricher-failures" }] },
      Stat: "Maximum",
    });
    expect(hoursOf("ApproximateNumberOfMessagesVisible")).toBe(24);
  });

  test.each([["--format", "json"], ["--json"]])("%s prints the results as JSON", async (...flags) => {
    const run = await doctor(flags);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ app: "secretwatch", stage: "dev", region: "us-east-1", ok: true });
    expect(report.checks).toHaveLength(22);
    expect(report.checks[2]).toEqual({
      link: "trail",
      status: "pass",
      message: "trail secretwatch-dev-trail is logging",
    });
    expect(run.code).toBe(0);
  });
});

describe("the healthy stage's tamper alarms and filters are what doctor checks", () => {
  test.each([
    [
      "the trail's tamper filter",
      (w: ReturnType<typeof healthyWorld>) => {
        w.metricFilters = w.metricFilters.filter((f) => f.filterName !== "secretwatch-dev-tamper-trail");
      },
      "✗ tamper alarm secretwatch-dev-tamper-trail its metric filter secretwatch-dev-tamper-trail is missing from the log group → fix: npx sst deploy --stage dev",
    ],
    [
      "the topics' tamper alarm",
      (w: ReturnType<typeof healthyWorld>) => {
        w.alarms = w.alarms.filter((a) => a.AlarmName !== "secretwatch-dev-tamper-topics");
      },
      "✗ tamper alarm secretwatch-dev-tamper-topics not found: a topics change would be reported by nobody → fix: npx sst deploy --stage dev",
    ],
  ])("without %s: ✗ with the deploy fix, exit 1", async (_name, breakIt, line) => {
    const world = healthyWorld();
    breakIt(world);
    install(world);
    const run = await doctor();
    expect(run.stdout.split("\n")).toContain(`  ${line}`);
    expect(run.code).toBe(1);
  });
});
