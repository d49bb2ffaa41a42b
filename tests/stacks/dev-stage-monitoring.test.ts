/**
 * Dev stage (see ./dev-stage.ts): the app and its outputs, physical names, self-monitoring
 * alarms, the dashboard, and what is not deployed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { METRIC_NAMESPACE } from "../../packages/core/src/events";
import {
  ENRICHER_METRICS,
  ENRICHER_METRICS_NAMESPACE,
  logGroupName,
  resourceName,
  secretAccessMetricName,
  trailBucketName,
} from "../../packages/core/src/naming";
import { DEFAULT_BLIND_SPOT_MINUTES } from "../../packages/core/src/settings";
import { ACCOUNT, ref, topicArn } from "./dev-stage";
import { arnOf, named, ofType, recorded, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";

let result: RunResult;
beforeAll(async () => {
  result = await runApp({ stage: "dev", env: { alertEmails: "security@example.com, oncall@example.org" } });
});

describe("app and outputs", () => {
  it("is a removable, unprotected stage", () => {
    expect(result.app).toEqual({ name: "secretwatch", home: "aws", removal: "remove", protect: false });
    expect(result.outputs._protect).toBe(false);
  });

  it("outputs the topic, log group, trail, enricher and dashboard", () => {
    expect(result.outputs).toMatchObject({
      stage: "dev",
      production: false,
      alertTopicArn: topicArn(),
      logGroup: "/secretwatch/dev/cloudtrail",
      trail: "secretwatch-dev-trail",
      trailBucket: `secretwatch-dev-trail-${ACCOUNT}`,
      enricher: "secretwatch-dev-enricher",
      dashboard: "secretwatch-dev-dashboard",
    });
    expect(result.outputs.demoSecret).toBeUndefined();
  });
});

describe("names", () => {
  it("gives every resource its physical name from naming.ts, with app and stage in it", () => {
    const expected: Record<string, [field: string, value: string]> = {
      TrailBucketBucket: ["bucket", trailBucketName(ref, ACCOUNT)],
      Trail: ["name", resourceName(ref, "trail")],
      TrailLogsRole: ["name", resourceName(ref, "trailRole")],
      TrailLogGroup: ["name", logGroupName(ref)],
      SecretAccessMetricFilter: ["name", resourceName(ref, "metricFilter")],
      SecretAccessAlarm: ["name", resourceName(ref, "secretAccessAlarm")],
      SecurityAlarms: ["name", resourceName(ref, "topic")],
      EnricherFunction: ["name", resourceName(ref, "enricher")],
      EnricherRole: ["name", resourceName(ref, "enricherRole")],
      EnricherLogGroup: ["name", `/aws/lambda/${resourceName(ref, "enricher")}`],
      EnricherFailures: ["name", resourceName(ref, "failureQueue")],
      EnricherSubscription: ["name", resourceName(ref, "subscriptionFilter")],
      Dashboard: ["dashboardName", resourceName(ref, "dashboard")],
      EnricherErrorsAlarm: ["name", resourceName(ref, "enricherErrorsAlarm")],
      EnricherThrottlesAlarm: ["name", resourceName(ref, "enricherThrottlesAlarm")],
      EnricherDroppedAlarm: ["name", resourceName(ref, "enricherDroppedAlarm")],
      EnricherDestinationAlarm: ["name", resourceName(ref, "enricherDestinationAlarm")],
      EnricherFailuresAlarm: ["name", resourceName(ref, "failureQueueAlarm")],
      AlertDeliveryFailedAlarm: ["name", resourceName(ref, "deliveryFailedAlarm")],
      BlindSpotAlarm: ["name", resourceName(ref, "blindSpotAlarm")],
      EnricherMalformedMessagesAlarm: ["name", resourceName(ref, "malformedMessagesAlarm")],
      EnricherPolicyErrorsAlarm: ["name", resourceName(ref, "policyErrorsAlarm")],
      EnricherStateErrorsAlarm: ["name", resourceName(ref, "stateErrorsAlarm")],
      EnricherSubscriptionErrorsAlarm: ["name", resourceName(ref, "subscriptionErrorsAlarm")],
      EnricherSubscriptionThrottlingAlarm: ["name", resourceName(ref, "subscriptionThrottlingAlarm")],
      ReadsNotAssessedAlarm: ["name", resourceName(ref, "reconciliationAlarm")],
      StateTable: ["name", resourceName(ref, "stateTable")],
      StateBaselineRole: ["name", resourceName(ref, "stateBaselineRole")],
    };
    for (const [logical, [field, value]] of Object.entries(expected)) {
      expect(named(logical).inputs[field], logical).toBe(value);
      expect(value, logical).toMatch(/secretwatch[-/]dev[-/]/);
    }
    expect(named("SecretAccessAlarm").inputs.name).toBe("secretwatch-dev-secret-access");
    expect(named("TrailLogGroup").inputs.name).toBe("/secretwatch/dev/cloudtrail");
  });

  it("names every alarm with the stage prefix the topic policy trusts", () => {
    const alarms = ofType(T.alarm);
    expect(alarms).toHaveLength(16 + 4); // + the tamper alarms (stacks/tamper.ts)
    for (const alarm of alarms) expect(alarm.inputs.name).toMatch(/^secretwatch-dev-/);
  });
});

describe("self-monitoring", () => {
  const atLeastOnce = {
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  };

  it.each([
    ["EnricherErrorsAlarm", "Errors"],
    ["EnricherThrottlesAlarm", "Throttles"],
    ["EnricherDroppedAlarm", "AsyncEventsDropped"],
    ["EnricherDestinationAlarm", "DestinationDeliveryFailures"],
  ])("%s alarms on the enricher's %s", (name, metricName) => {
    expect(named(name).inputs).toMatchObject({
      ...atLeastOnce,
      namespace: "AWS/Lambda",
      metricName,
      dimensions: { FunctionName: "secretwatch-dev-enricher" },
      statistic: "Sum",
      alarmActions: [topicArn()],
    });
  });

  it("alarms when the enricher skips log messages that are not CloudTrail records", () => {
    expect(named("EnricherMalformedMessagesAlarm").inputs).toMatchObject({
      ...atLeastOnce,
      name: "secretwatch-dev-enricher-malformed-messages",
      namespace: "secretwatch",
      metricName: "MalformedMessages",
      // The handler's Powertools metrics carry service = AWS_LAMBDA_FUNCTION_NAME: per stage.
      dimensions: { service: "secretwatch-dev-enricher" },
      statistic: "Sum",
      alarmActions: [topicArn()],
    });
  });

  it("alarms when the enricher cannot load the deployed policy (it then reports every read)", () => {
    expect(named("EnricherPolicyErrorsAlarm").inputs).toMatchObject({
      ...atLeastOnce,
      name: "secretwatch-dev-enricher-policy-errors",
      namespace: ENRICHER_METRICS_NAMESPACE,
      metricName: ENRICHER_METRICS.policyErrors,
      dimensions: { service: "secretwatch-dev-enricher" },
      statistic: "Sum",
      period: 300,
      alarmActions: [topicArn()],
    });
    expect(ENRICHER_METRICS.policyErrors).toBe("PolicyErrors");
    expect(named("EnricherPolicyErrorsAlarm").inputs.alarmDescription).toMatch(/^secretwatch dev: .*policy/);
  });

  it("alarms when failed events wait in the queue", () => {
    expect(named("EnricherFailuresAlarm").inputs).toMatchObject({
      ...atLeastOnce,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "secretwatch-dev-enricher-failures" },
      statistic: "Maximum",
      alarmActions: [topicArn()],
    });
  });

  it("alarms when SNS fails to deliver an alert", () => {
    expect(named("AlertDeliveryFailedAlarm").inputs).toMatchObject({
      ...atLeastOnce,
      namespace: "AWS/SNS",
      metricName: "NumberOfNotificationsFailed",
      dimensions: { TopicName: "secretwatch-dev-alerts" },
      statistic: "Sum",
      alarmActions: [topicArn()],
    });
  });

  it("alarms when the log group receives nothing for the blind-spot window (no data at all: INSUFFICIENT_DATA)", () => {
    const { inputs } = named("BlindSpotAlarm");
    expect(inputs).toMatchObject({
      namespace: "AWS/Logs",
      metricName: "IncomingLogEvents",
      dimensions: { LogGroupName: "/secretwatch/dev/cloudtrail" },
      statistic: "Sum",
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "missing",
      alarmActions: [topicArn()],
      insufficientDataActions: [topicArn()],
      okActions: [],
    });
    expect(inputs.period * inputs.evaluationPeriods).toBe(DEFAULT_BLIND_SPOT_MINUTES * 60);
    expect(inputs.period % 60).toBe(0);
    expect(inputs.period * inputs.evaluationPeriods).toBeLessThanOrEqual(86400);
  });

  it("says only DestinationDeliveryFailures means alerts are lost, not AsyncEventsDropped", () => {
    const dropped = named("EnricherDroppedAlarm").inputs.alarmDescription as string;
    expect(dropped).toMatch(/sent it to the failure queue/);
    expect(dropped).not.toMatch(/\blost\b(?! unless)/);
    const lost = ofType(T.alarm).filter((a) =>
      /\blost\b|LOST/.test(a.inputs.alarmDescription.replace("not lost unless", "")),
    );
    expect(lost.map((a) => a.name)).toEqual(["EnricherDestinationAlarm"]);
    expect(named("EnricherDestinationAlarm").inputs.metricName).toBe("DestinationDeliveryFailures");
  });

  it("never averages, and every alarm notifies the topic (only: no pager addresses, no pager topic)", () => {
    for (const alarm of ofType(T.alarm)) {
      expect(alarm.inputs.statistic, alarm.name).not.toBe("Average");
      expect(alarm.inputs.alarmActions, alarm.name).toEqual([topicArn()]);
    }
    expect(ofType(T.topic).map((t) => t.name)).toEqual(["SecurityAlarms"]);
    expect(ofType(T.subscription).filter((s) => s.inputs.filterPolicy !== undefined)).toEqual([]);
    expect(result.outputs.pagerTopicArn).toMatch(/^none/);
  });
});

describe("dashboard", () => {
  const metrics = () => {
    const body = JSON.parse(named("Dashboard").inputs.dashboardBody) as { widgets: any[] };
    return body.widgets.flatMap((w) => (w.type === "metric" ? (w.properties.metrics as string[][]) : []));
  };

  it("graphs the secret-access metric the filter publishes", () => {
    const { metricTransformation } = named("SecretAccessMetricFilter").inputs;
    expect(metrics()).toContainEqual([metricTransformation.namespace, metricTransformation.name]);
    expect(metrics()).toContainEqual([METRIC_NAMESPACE, secretAccessMetricName(ref)]);
  });

  it("graphs enricher invocations and errors, queue depth and incoming log events", () => {
    expect(metrics()).toEqual(
      expect.arrayContaining([
        ["AWS/Lambda", "Invocations", "FunctionName", "secretwatch-dev-enricher"],
        ["AWS/Lambda", "Errors", "FunctionName", "secretwatch-dev-enricher"],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "secretwatch-dev-enricher-failures"],
        ["AWS/Logs", "IncomingLogEvents", "LogGroupName", "/secretwatch/dev/cloudtrail"],
      ]),
    );
  });

  it("graphs the enricher's own metrics, by the stage's function", () => {
    const service = ["service", "secretwatch-dev-enricher"];
    expect(metrics()).toEqual(
      expect.arrayContaining([
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.secretAccessHits, ...service],
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.messagesPublished, ...service],
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.malformedMessages, ...service],
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.policyErrors, ...service],
      ]),
    );
  });

  it("shows every alarm of the stage", () => {
    const body = JSON.parse(named("Dashboard").inputs.dashboardBody) as { widgets: any[] };
    const alarms = body.widgets.filter((w) => w.type === "alarm").flatMap((w) => w.properties.alarms);
    expect(alarms.sort()).toEqual(
      ofType(T.alarm)
        .map((a) => arnOf(a.name))
        .sort(),
    );
  });
});

describe("what is not deployed", () => {
  it("creates no demo secret unless asked", () => {
    expect(ofType(T.secret)).toEqual([]);
    expect(ofType(T.secretVersion)).toEqual([]);
  });

  it("registers nothing twice", () => {
    const keys = recorded.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
