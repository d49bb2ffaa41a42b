/**
 * doctor's tamper check (packages/cli/src/doctor/tamper.ts) on DescribeMetricFilters and
 * DescribeAlarms answers in their documented shapes: each tamper alarm exists with the late-read
 * timing and the topic, each of its filters publishes its metric. Names follow stacks/tamper.ts.
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { MetricFilter } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import { checkTamper, tamperExpectations, tamperMetricName } from "../../packages/cli/src/doctor/tamper.js";
import { stageResources } from "../../packages/core/src/naming.js";
import { tamperMetricName as coreTamperMetricName } from "../../packages/core/src/tamper/names.js";
import { ACCOUNT, LOG_GROUP, REGION, TOPIC_ARN } from "./doctor-fixtures.js";

const ref = { app: "secretwatch", stage: "dev" };
const hints = { deploy: "npx sst deploy --stage dev", cli: (c: string) => `secretwatch ${c} --stage dev` };
/** The stage's names once naming.ts has the tamper kinds (stacks/tamper.ts uses them). */
const names = {
  ...stageResources(ref),
  tamperTrailAlarm: "secretwatch-dev-tamper-trail",
  tamperLogsAlarm: "secretwatch-dev-tamper-logs",
  tamperFunctionsAlarm: "secretwatch-dev-tamper-functions",
  tamperTopicsAlarm: "secretwatch-dev-tamper-topics",
  tamperTrailMetricFilter: "secretwatch-dev-tamper-trail",
  tamperLogsMetricFilter: "secretwatch-dev-tamper-logs",
  tamperEnricherMetricFilter: "secretwatch-dev-tamper-enricher",
  tamperDigestMetricFilter: "secretwatch-dev-tamper-digest",
  tamperTopicsMetricFilter: "secretwatch-dev-tamper-topics",
};
const expected = () => tamperExpectations(ref, names)!;

function filter(name: string, group: string): MetricFilter {
  return {
    filterName: name,
    filterPattern: '{$.eventSource="cloudtrail.amazonaws.com"&&$.eventName="StopLogging"}',
    metricTransformations: [
      { metricName: tamperMetricName(ref, group), metricNamespace: "SecurityMetrics", metricValue: "1", unit: "Count" },
    ],
    creationTime: 1_719_824_400_000,
    logGroupName: LOG_GROUP,
  };
}

function alarm(name: string, group: string): MetricAlarm {
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
    ActionsEnabled: true,
    AlarmActions: [TOPIC_ARN],
    StateValue: "OK",
    MetricName: tamperMetricName(ref, group),
    Namespace: "SecurityMetrics",
    Statistic: "Sum",
    Dimensions: [],
    Period: 60,
    EvaluationPeriods: 25,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    TreatMissingData: "notBreaching",
  };
}

function deployed() {
  const filters = [
    filter(names.tamperTrailMetricFilter, "trail"),
    filter(names.tamperLogsMetricFilter, "logs"),
    filter(names.tamperEnricherMetricFilter, "functions"),
    filter(names.tamperDigestMetricFilter, "functions"),
    filter(names.tamperTopicsMetricFilter, "topics"),
  ];
  const alarms = expected().map((e) => alarm(e.alarmName, e.group));
  return { filters, alarms };
}

describe("tamper check", () => {
  it("names the metrics as the stacks do", () => {
    for (const group of ["trail", "logs", "functions", "topics"] as const) {
      expect(tamperMetricName(ref, group)).toBe(coreTamperMetricName(ref, group));
    }
  });

  it("is skipped only while naming.ts has no tamper kinds; checks all four groups once it has", () => {
    const live = tamperExpectations(ref, stageResources(ref));
    expect(live === null).toBe(!("tamperTrailAlarm" in stageResources(ref)));
    expect(expected().map((e) => e.group)).toEqual(["trail", "logs", "functions", "topics"]);
  });

  it("passes a deployed stage, one line per alarm", () => {
    const { filters, alarms } = deployed();
    const results = checkTamper(expected(), filters, alarms, TOPIC_ARN, hints);
    expect(results.map((r) => r.status)).toEqual(["pass", "pass", "pass", "pass"]);
    expect(results[2]?.message).toBe(
      "tamper alarm secretwatch-dev-tamper-functions counts secretwatch-dev-tamper-enricher, secretwatch-dev-tamper-digest and notifies the alert topic (state OK)",
    );
  });

  it("fails a deleted filter, a deleted alarm, a short window and a missing topic", () => {
    const { filters, alarms } = deployed();
    const noLogsFilter = filters.filter((f) => f.filterName !== names.tamperLogsMetricFilter);
    const shortTrail = alarms.map((a) => (a.AlarmName === names.tamperTrailAlarm ? { ...a, EvaluationPeriods: 1 } : a));
    const noTopicsAlarm = shortTrail.filter((a) => a.AlarmName !== names.tamperTopicsAlarm);
    const failures = checkTamper(expected(), noLogsFilter, noTopicsAlarm, TOPIC_ARN, hints)
      .filter((r) => r.status === "fail")
      .map((r) => r.message);
    expect(failures).toEqual([
      "tamper alarm secretwatch-dev-tamper-trail looks back 1 minutes (needs 25)",
      "tamper alarm secretwatch-dev-tamper-logs its metric filter secretwatch-dev-tamper-logs is missing from the log group",
      "tamper alarm secretwatch-dev-tamper-topics not found: a topics change would be reported by nobody",
    ]);
    const elsewhere = checkTamper(expected(), filters, alarms, "arn:aws:sns:us-east-1:123456789012:other", hints);
    expect(elsewhere.every((r) => r.status === "fail" && /does not notify the alert topic/.test(r.message))).toBe(true);
  });

  it("the digest's filter is optional (digest off), the enricher's is not", () => {
    const { filters, alarms } = deployed();
    const noDigest = filters.filter((f) => f.filterName !== names.tamperDigestMetricFilter);
    expect(checkTamper(expected(), noDigest, alarms, TOPIC_ARN, hints).every((r) => r.status === "pass")).toBe(true);
    const noEnricher = filters.filter((f) => f.filterName !== names.tamperEnricherMetricFilter);
    expect(
      checkTamper(expected(), noEnricher, alarms, TOPIC_ARN, hints).filter((r) => r.status === "fail"),
    ).toHaveLength(1);
  });
});
