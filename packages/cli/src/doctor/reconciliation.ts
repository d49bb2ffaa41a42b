/**
 * The reconciliation alarm (stacks/monitoring.ts): metric math comparing, per hour, the metric
 * filter's secret reads with the reads the enricher reports having assessed. Checked for
 * presence, both metrics, its actions and their being enabled.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { type CheckResult, type FixHints, fail, pass } from "./report.js";

export interface ReconciliationExpectation {
  alarmName: string;
  /** The metric filter's metric and the enricher's assessed-reads metric. */
  readsMetric: string;
  assessedMetric: string;
  topicArn: string | undefined;
  topicName: string;
  hints: FixHints;
}

export function checkReconciliation(alarm: MetricAlarm | undefined, expect: ReconciliationExpectation): CheckResult[] {
  const { hints } = expect;
  if (alarm === undefined) {
    return [
      fail(
        "alarm",
        `alarm ${expect.alarmName} not found: an enricher that runs but assesses nothing would go unnoticed`,
        hints.deploy,
      ),
    ];
  }
  const label = `alarm ${expect.alarmName}`;
  const metrics = (alarm.Metrics ?? []).map((q) => q.MetricStat?.Metric?.MetricName);
  const expression = (alarm.Metrics ?? []).find((q) => q.ReturnData !== false && q.Expression)?.Expression;
  if (!metrics.includes(expect.readsMetric) || !metrics.includes(expect.assessedMetric) || !expression) {
    return [
      fail(
        "alarm",
        `${label} does not compare ${expect.readsMetric} with ${expect.assessedMetric} (found: ${metrics.filter(Boolean).join(", ") || "no metrics"})`,
        hints.deploy,
      ),
    ];
  }
  const actions = alarm.AlarmActions ?? [];
  if (expect.topicArn === undefined || !actions.includes(expect.topicArn)) {
    return [fail("alarm", `${label} does not notify topic ${expect.topicName}`, hints.deploy)];
  }
  if (alarm.ActionsEnabled === false) {
    return [
      fail(
        "alarm",
        `${label} has its actions disabled`,
        `aws cloudwatch enable-alarm-actions --alarm-names ${alarm.AlarmName}`,
      ),
    ];
  }
  if (alarm.StateValue === "ALARM") {
    return [
      fail(
        "alarm",
        `${label} is in ALARM: in an hour, CloudTrail logged more secret reads than the enricher assessed`,
        `compare with ${hints.cli("lookup")} for that hour, and read the enricher's log group`,
      ),
    ];
  }
  return [
    pass(
      "alarm",
      `${label} compares the hour's reads with the enricher's ${expect.assessedMetric} (${expression}), state ${alarm.StateValue ?? "unknown"}`,
    ),
  ];
}
