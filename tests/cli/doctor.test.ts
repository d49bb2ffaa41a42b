/**
 * `secretwatch doctor` against aws-sdk-client-mock: a healthy chain, then each way a link
 * breaks, asserting the exact ✓ / ✗ / ! lines and the exit code.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeMetricFiltersCommand, DescribeSubscriptionFiltersCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListSubscriptionsByTopicCommand, ListTopicsCommand } from "@aws-sdk/client-sns";
import { beforeEach, describe, expect, test } from "vitest";
import {
  ACCOUNT,
  accessDenied,
  healthyWorld,
  install,
  minutesAgo,
  mocks,
  stageTrail,
  TOPIC_ARN,
  TRAIL_ARN,
  type World,
} from "./doctor-fixtures.js";
import { runCli } from "./run-cli.js";

let world: World;

beforeEach(() => {
  world = healthyWorld();
  install(world);
});

async function doctor(args: string[] = [], options: Parameters<typeof runCli>[1] = {}) {
  const run = await runCli(["doctor", "--stage", "dev", ...args], options);
  const lines = run.stdout.split("\n").map((l) => l.trim());
  return { ...run, lines };
}

const HEALTHY = `secretwatch doctor: stage dev of secretwatch in us-east-1
trail:
  ✓ trail secretwatch-dev-trail (multi-Region) delivers to log group /secretwatch/dev/cloudtrail
  ✓ trail secretwatch-dev-trail is logging
  ✓ trail secretwatch-dev-trail last delivered to CloudWatch Logs 4 minutes ago
  ✓ trail secretwatch-dev-trail logs Read management events (GetSecretValue)
log group:
  ✓ log group /secretwatch/dev/cloudtrail received 340 events in the last hour
  ✓ subscription filter secretwatch-dev-enricher sends secret reads to function secretwatch-dev-enricher
metric filter:
  ✓ metric filter secretwatch-dev-secret-access matches GetSecretValue events of secretsmanager.amazonaws.com
  ✓ metric filter secretwatch-dev-secret-access counts each read as 1 in SecurityMetrics/Secret is accessed (secretwatch-dev)
alarm:
  ✓ alarm secretwatch-dev-secret-access fires on Sum >= 1 of SecurityMetrics/Secret is accessed (secretwatch-dev) per 60 s
  ✓ alarm secretwatch-dev-secret-access notifies topic secretwatch-dev-alerts
  ✓ alarm secretwatch-dev-secret-access is in state OK
topic:
  ✓ topic secretwatch-dev-alerts emails 2 confirmed addresses: alice@example.com, bob@example.com
enricher:
  ✓ enricher secretwatch-dev-enricher had no errors in the last 24 h
  ✓ failure queue secretwatch-dev-enricher-failures is empty
all 14 checks passed
`;

const DEPLOY = "npx sst deploy --stage dev";

describe("a healthy chain", () => {
  test("prints every check as ✓ and exits 0", async () => {
    const run = await doctor();
    expect(run.stdout).toBe(HEALTHY);
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

  test("--json prints the results as JSON", async () => {
    const run = await doctor(["--json"]);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ app: "secretwatch", stage: "dev", region: "us-east-1", ok: true });
    expect(report.checks).toHaveLength(14);
    expect(report.checks[1]).toEqual({
      link: "trail",
      status: "pass",
      message: "trail secretwatch-dev-trail is logging",
    });
    expect(run.code).toBe(0);
  });
});

describe("trail", () => {
  test("missing: ✗ with the deploy fix, the other links still checked", async () => {
    world.trails = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail not found in us-east-1 → fix: deploy the stage: ${DEPLOY}`,
    );
    expect(run.lines.filter((l) => l.startsWith("✓"))).toHaveLength(10);
    expect(run.code).toBe(1);
  });

  test("not logging", async () => {
    world.status.IsLogging = false;
    world.status.StopLoggingTime = minutesAgo(90);
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail is not logging → fix: aws cloudtrail start-logging --name ${TRAIL_ARN} --region us-east-1`,
    );
    expect(run.code).toBe(1);
  });

  test("stale CloudWatch Logs delivery (older than 15 minutes); --max-delivery-age raises the bar", async () => {
    world.status.LatestCloudWatchLogsDeliveryTime = minutesAgo(42);
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail last delivered to CloudWatch Logs 42 minutes ago (more than 15 minutes) → fix: make sure arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-trail-logs may call logs:CreateLogStream and logs:PutLogEvents on /secretwatch/dev/cloudtrail, and that the group exists`,
    );
    expect(run.code).toBe(1);

    const relaxed = await doctor(["--max-delivery-age", "60"]);
    expect(relaxed.lines).toContain("✓ trail secretwatch-dev-trail last delivered to CloudWatch Logs 42 minutes ago");
    expect(relaxed.code).toBe(0);
  });

  test("exactly 15 minutes is still fresh", async () => {
    world.status.LatestCloudWatchLogsDeliveryTime = minutesAgo(15);
    expect((await doctor()).code).toBe(0);
  });

  test("never delivered", async () => {
    delete world.status.LatestCloudWatchLogsDeliveryTime;
    const run = await doctor();
    expect(
      run.lines.some((l) =>
        l.startsWith("✗ trail secretwatch-dev-trail has never delivered to CloudWatch Logs → fix:"),
      ),
    ).toBe(true);
    expect(run.code).toBe(1);
  });

  test("delivery error", async () => {
    world.status.LatestCloudWatchLogsDeliveryError = "AccessDenied";
    world.status.LatestCloudWatchLogsDeliveryTime = minutesAgo(300);
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail failed to deliver to CloudWatch Logs: AccessDenied → fix: make sure arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-trail-logs may call logs:CreateLogStream and logs:PutLogEvents on /secretwatch/dev/cloudtrail, and that the group exists`,
    );
    expect(
      run.lines.some((l) =>
        l.startsWith("✗ trail secretwatch-dev-trail last delivered to CloudWatch Logs 5 hours ago"),
      ),
    ).toBe(true);
    expect(run.code).toBe(1);
  });

  test("basic selectors logging only Write events", async () => {
    world.selectors = {
      TrailARN: TRAIL_ARN,
      EventSelectors: [
        {
          ReadWriteType: "WriteOnly",
          IncludeManagementEvents: true,
          DataResources: [],
          ExcludeManagementEventSources: [],
        },
      ],
    };
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail logs only Write management events (ReadWriteType WriteOnly), but GetSecretValue is a Read event → fix: restore its event selectors: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("basic selectors with Read and Write pass", async () => {
    world.selectors = {
      TrailARN: TRAIL_ARN,
      EventSelectors: [
        { ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
      ],
    };
    const run = await doctor();
    expect(run.lines).toContain("✓ trail secretwatch-dev-trail logs Read management events (GetSecretValue)");
    expect(run.code).toBe(0);
  });

  test("advanced selectors with readOnly equals false", async () => {
    world.selectors = {
      TrailARN: TRAIL_ARN,
      AdvancedEventSelectors: [
        {
          Name: "Write-only management events",
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Management"] },
            { Field: "readOnly", Equals: ["false"] },
          ],
        },
      ],
    };
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail logs only Write management events (selector "Write-only management events"), but GetSecretValue is a Read event → fix: restore its event selectors: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("secretsmanager.amazonaws.com excluded", async () => {
    world.selectors.AdvancedEventSelectors![0]!.FieldSelectors![1]!.NotEquals = [
      "kms.amazonaws.com",
      "secretsmanager.amazonaws.com",
    ];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail excludes secretsmanager.amazonaws.com from its management events (selector "Management events (Read and Write) except KMS and RDS Data API"): no secret read is recorded → fix: restore its event selectors: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("in the wrong Region: the stage's trail seen as a shadow trail", async () => {
    const run = await doctor(["--region", "eu-west-1"]);
    expect(run.lines).toContain(
      "✗ trail secretwatch-dev-trail delivers to /secretwatch/dev/cloudtrail in us-east-1, not in eu-west-1 → fix: run doctor in the stage's Region: --region us-east-1",
    );
    expect(run.code).toBe(1);
  });

  test("an AccessDenied on one API fails that check only; the others still run", async () => {
    world.failures.GetEventSelectorsCommand = accessDenied("cloudtrail:GetEventSelectors");
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ cannot read the event selectors of trail secretwatch-dev-trail (cloudtrail:GetEventSelectors): access denied by AWS: User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: cloudtrail:GetEventSelectors because no identity-based policy allows the cloudtrail:GetEventSelectors action → fix: allow cloudtrail:GetEventSelectors to your AWS identity`,
    );
    expect(run.lines.filter((l) => l.startsWith("✓"))).toHaveLength(13);
    expect(run.lines.at(-2)).toBe("1 of 14 checks failed");
    expect(run.code).toBe(1);
  });
});

describe("bring-your-own log group (SECRETWATCH_EXISTING_LOG_GROUP)", () => {
  function byoDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "secretwatch-doctor-"));
    writeFileSync(
      path.join(dir, ".env.dev"),
      "SECRETWATCH_ALERT_EMAILS=alice@example.com\nSECRETWATCH_EXISTING_LOG_GROUP=aws-controltower/CloudTrailLogs\n",
    );
    return dir;
  }
  const orgTrailArn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/aws-controltower-BaselineCloudTrail`;

  test("finds the trail by its log group ARN (an organization trail) and checks that group", async () => {
    world.trails = [
      {
        ...stageTrail(),
        Name: "aws-controltower-BaselineCloudTrail",
        TrailARN: orgTrailArn,
        IsOrganizationTrail: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-controltower/CloudTrailLogs:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-controltower-CloudWatchLogsRole`,
      },
    ];
    world.selectors = {
      TrailARN: orgTrailArn,
      EventSelectors: [
        { ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
      ],
    };
    const run = await doctor([], { cwd: byoDir() });
    expect(run.lines).toContain(
      "✓ trail aws-controltower-BaselineCloudTrail (organization, multi-Region) delivers to log group aws-controltower/CloudTrailLogs",
    );
    expect(run.lines).toContain("✓ trail aws-controltower-BaselineCloudTrail is logging");
    expect(run.lines).toContain("✓ log group aws-controltower/CloudTrailLogs received 340 events in the last hour");
    expect(mocks.cloudtrail.commandCalls(GetTrailStatusCommand)[0]!.args[0].input).toEqual({ Name: orgTrailArn });
    expect(mocks.logs.commandCalls(DescribeSubscriptionFiltersCommand)[0]!.args[0].input.logGroupName).toBe(
      "aws-controltower/CloudTrailLogs",
    );
    expect(mocks.logs.commandCalls(DescribeMetricFiltersCommand)[0]!.args[0].input.logGroupName).toBe(
      "aws-controltower/CloudTrailLogs",
    );
    expect(run.code).toBe(0);
  });

  test("no trail delivers to the group", async () => {
    const run = await doctor([], { cwd: byoDir() });
    expect(run.lines).toContain(
      "✗ no trail delivers to log group aws-controltower/CloudTrailLogs in us-east-1 → fix: point a trail that logs Read management events at aws-controltower/CloudTrailLogs (CloudTrail console → trail → CloudWatch Logs), or remove SECRETWATCH_EXISTING_LOG_GROUP so the stage creates its own trail",
    );
    expect(mocks.cloudtrail.commandCalls(GetTrailStatusCommand)).toHaveLength(0);
    expect(run.code).toBe(1);
  });
});

describe("log group", () => {
  test("no incoming log events in the last hour", async () => {
    world.incoming = { Timestamps: [], Values: [] };
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ log group /secretwatch/dev/cloudtrail received no events in the last hour → fix: CloudTrail is not delivering to it: fix the trail checks above",
    );
    expect(run.code).toBe(1);
  });

  test("subscription filter missing", async () => {
    world.subscriptionFilters = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ subscription filter secretwatch-dev-enricher is missing from log group /secretwatch/dev/cloudtrail: the enricher receives nothing → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  const siem = {
    filterName: "splunk-forwarder",
    logGroupName: "/secretwatch/dev/cloudtrail",
    filterPattern: "",
    destinationArn: `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/splunk`,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/cwl-to-firehose`,
    distribution: "ByLogStream" as const,
    creationTime: 1_700_000_000_000,
  };

  test("group at the 2-filter limit: a warning, not a failure (both pages read)", async () => {
    world.subscriptionFilters.unshift(siem);
    const run = await doctor();
    expect(run.lines).toContain(
      "✓ subscription filter secretwatch-dev-enricher sends secret reads to function secretwatch-dev-enricher",
    );
    expect(run.lines).toContain(
      "! log group /secretwatch/dev/cloudtrail has 2 subscription filters (splunk-forwarder, secretwatch-dev-enricher), the limit: no other subscription can be added",
    );
    expect(run.lines.at(-2)).toBe("all 15 checks passed (1 warning)");
    expect(run.code).toBe(0);
  });

  test("group full of others' filters: ours cannot be added", async () => {
    world.subscriptionFilters = [siem, { ...siem, filterName: "datadog" }];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ subscription filter secretwatch-dev-enricher is missing, and log group /secretwatch/dev/cloudtrail already has 2 subscription filters (the limit): splunk-forwarder, datadog → fix: delete one of them (aws logs delete-subscription-filter --log-group-name /secretwatch/dev/cloudtrail --filter-name <name>), then ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("subscription filter with another pattern or destination", async () => {
    world.subscriptionFilters[0]!.filterPattern = "GetSecretValue";
    world.subscriptionFilters[0]!.destinationArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:old-enricher`;
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ subscription filter secretwatch-dev-enricher has pattern GetSecretValue, expected { ($.eventSource = "secretsmanager.amazonaws.com") && (($.eventName = "GetSecretValue") || ($.eventName = "BatchGetSecretValue")) } → fix: ${DEPLOY}`,
    );
    expect(run.lines).toContain(
      `✗ subscription filter secretwatch-dev-enricher sends to arn:aws:lambda:us-east-1:${ACCOUNT}:function:old-enricher, not to function secretwatch-dev-enricher → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });
});

describe("metric filter", () => {
  test("missing", async () => {
    world.metricFilters = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ metric filter secretwatch-dev-secret-access is missing from log group /secretwatch/dev/cloudtrail: the alarm never fires → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("bare-term pattern", async () => {
    world.metricFilters[0]!.filterPattern = "GetSecretValue";
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ metric filter secretwatch-dev-secret-access uses the bare-term pattern "GetSecretValue": it matches policy documents that mention GetSecretValue → fix: use the JSON pattern { ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") } (${DEPLOY})`,
    );
    expect(run.code).toBe(1);
  });

  test("another metric than the alarm watches", async () => {
    world.metricFilters[0]!.metricTransformations![0]!.metricNamespace = "CloudTrailMetrics";
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ metric filter secretwatch-dev-secret-access publishes CloudTrailMetrics/Secret is accessed (secretwatch-dev), but the alarm watches SecurityMetrics/Secret is accessed (secretwatch-dev) → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });
});

describe("alarm", () => {
  test("Average alarm is flagged", async () => {
    world.alarms[0]!.Statistic = "Average";
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ alarm secretwatch-dev-secret-access uses Average: for sparse events it never reaches the threshold → fix: set it back to Sum >= 1 per 60 s: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("threshold other than >= 1", async () => {
    world.alarms[0]!.Threshold = 5;
    world.alarms[0]!.ComparisonOperator = "GreaterThanThreshold";
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ alarm secretwatch-dev-secret-access fires on GreaterThanThreshold 5, not >= 1 → fix: set it back to Sum >= 1 per 60 s: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("alarm without the topic as an action", async () => {
    world.alarms[0]!.AlarmActions = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ alarm secretwatch-dev-secret-access does not notify topic secretwatch-dev-alerts (no alarm actions) → fix: ${DEPLOY}`,
    );
    // The topic is still checked, its ARN built from the alarm's.
    expect(run.lines).toContain(
      "✓ topic secretwatch-dev-alerts emails 2 confirmed addresses: alice@example.com, bob@example.com",
    );
    expect(run.code).toBe(1);
  });

  test("actions disabled", async () => {
    world.alarms[0]!.ActionsEnabled = false;
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ alarm secretwatch-dev-secret-access has its actions disabled: it notifies nobody → fix: aws cloudwatch enable-alarm-actions --alarm-names secretwatch-dev-secret-access",
    );
  });

  test("in ALARM: reported as a warning", async () => {
    world.alarms[0]!.StateValue = "ALARM";
    world.alarms[0]!.StateUpdatedTimestamp = new Date("2024-07-31T23:50:00Z");
    const run = await doctor();
    expect(run.lines).toContain(
      "! alarm secretwatch-dev-secret-access is in ALARM since 2024-07-31T23:50:00.000Z: it emails again only after returning to OK → fix: nothing to do if reads are expected; the enricher still emails each read",
    );
    expect(run.code).toBe(0);
  });

  test("missing alarm: ✗, and the topic is found with ListTopics (paginated)", async () => {
    world.alarms = [];
    const run = await doctor();
    expect(run.lines).toContain(`✗ alarm secretwatch-dev-secret-access not found → fix: ${DEPLOY}`);
    expect(run.lines).toContain(
      "✓ topic secretwatch-dev-alerts emails 2 confirmed addresses: alice@example.com, bob@example.com",
    );
    expect(mocks.sns.commandCalls(ListTopicsCommand)).toHaveLength(2);
    expect(run.code).toBe(1);
  });
});

describe("topic", () => {
  test("a pending subscription is flagged with its address", async () => {
    world.subscriptions[1]!.SubscriptionArn = "PendingConfirmation";
    const run = await doctor();
    expect(run.lines).toContain("✓ topic secretwatch-dev-alerts emails 1 confirmed address: alice@example.com");
    expect(run.lines).toContain(
      '✗ email subscription bob@example.com is pending confirmation: it receives nothing → fix: click the link in the confirmation email sent to bob@example.com (subject "AWS Notification - Subscription Confirmation"; check spam)',
    );
    expect(run.code).toBe(1);
  });

  test("no subscriptions", async () => {
    world.subscriptions = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ topic secretwatch-dev-alerts has no subscriptions: alerts reach nobody → fix: list the addresses in SECRETWATCH_ALERT_EMAILS (.env.<stage>) and run ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("only non-email subscriptions", async () => {
    world.subscriptions = [
      {
        SubscriptionArn: `${TOPIC_ARN}:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`,
        Owner: ACCOUNT,
        Protocol: "sqs",
        Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:audit`,
        TopicArn: TOPIC_ARN,
      },
    ];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ topic secretwatch-dev-alerts has no email subscription: alerts reach no inbox → fix: list the addresses in SECRETWATCH_ALERT_EMAILS (.env.<stage>) and run ${DEPLOY}`,
    );
  });

  test("topic gone", async () => {
    world.topics = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ cannot list the subscriptions of topic secretwatch-dev-alerts (sns:ListSubscriptionsByTopic): NotFoundException: Topic does not exist → fix: deploy the stage: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });
});

describe("enricher", () => {
  test("errors in the last 24 h", async () => {
    world.lambdaErrors.Values = [0, 2, 1];
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ enricher secretwatch-dev-enricher failed 3 times in the last 24 h → fix: read its logs (/aws/lambda/secretwatch-dev-enricher); events that still fail after retries wait in the failure queue for secretwatch redrive --stage dev",
    );
    expect(run.code).toBe(1);
  });

  test("failure queue not empty", async () => {
    world.queueDepth = { Timestamps: [minutesAgo(5), minutesAgo(10), minutesAgo(15)], Values: [2, 2, 0] };
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ failure queue secretwatch-dev-enricher-failures holds 2 messages: their alerts were not sent → fix: run secretwatch redrive --stage dev",
    );
    expect(run.code).toBe(1);
  });

  test("failure queue emptied since: a warning (newest datapoint wins, whatever the order)", async () => {
    world.queueDepth = { Timestamps: [minutesAgo(300), minutesAgo(5)], Values: [4, 0] };
    const run = await doctor();
    expect(run.lines).toContain(
      "! failure queue secretwatch-dev-enricher-failures held up to 4 messages in the last 24 h; it is empty now",
    );
    expect(run.code).toBe(0);
  });

  test("the redrive fix keeps --app and --region", async () => {
    world.queueDepth = { Timestamps: [minutesAgo(5)], Values: [1] };
    const run = await doctor(["--region", "us-east-1"]);
    expect(run.lines).toContain(
      "✗ failure queue secretwatch-dev-enricher-failures holds 1 message: their alerts were not sent → fix: run secretwatch redrive --stage dev --region us-east-1",
    );
  });
});

describe("errors", () => {
  test("no credentials at all: one clear line, no report", async () => {
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    for (const name of [
      "DescribeTrailsCommand",
      "DescribeSubscriptionFiltersCommand",
      "DescribeMetricFiltersCommand",
      "DescribeAlarmsCommand",
      "GetMetricDataCommand",
      "ListTopicsCommand",
      "ListSubscriptionsByTopicCommand",
    ]) {
      world.failures[name] = noCredentials;
    }
    const run = await doctor();
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "secretwatch: no usable AWS credentials (Could not load credentials from any providers); set AWS_PROFILE or run `aws sso login`\n",
    );
    expect(run.code).toBe(2);
  });

  test("a bad --max-delivery-age is refused", async () => {
    const run = await doctor(["--max-delivery-age", "soon"]);
    expect(run.stderr).toContain("expected a positive number of minutes");
    expect(run.code).not.toBe(0);
    expect(mocks.cloudtrail.commandCalls(DescribeTrailsCommand)).toHaveLength(0);
  });

  test("--help documents the options", async () => {
    const run = await runCli(["doctor", "--help"]);
    expect(run.stdout).toContain("--max-delivery-age <minutes>");
    expect(run.stdout).toContain("--json");
    expect(run.stdout).toContain("--stage <name>");
    expect(run.code).toBe(0);
  });
});
