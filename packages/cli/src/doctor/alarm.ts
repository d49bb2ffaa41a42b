/**
 * Alarm check: the secret-access alarm counts reads with Sum >= 1 (an Average of a sparse 0/1
 * metric never reaches 1), watches the metric filter's metric, looks back far enough that a
 * read CloudTrail delivers 20 minutes late still sets it (1 breaching datapoint of the last
 * 25 minutes: stacks/detection.ts says why), notifies the alert topic with its actions enabled
 * (unless SECRETWATCH_ALARM_EMAILS=false); its current state is reported.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { type CheckResult, type FixHints, fail, pass, warn } from "./report.js";

/** A read delivered this late must still set the alarm: 20 minutes of delivery, 5 of evaluation (stacks/detection.ts). */
export const LATE_WINDOW_MINUTES = 25;

export interface AlarmExpectation {
  /** `stageResources(ref).secretAccessAlarm` */
  alarmName: string;
  /** METRIC_NAMESPACE and `secretAccessMetricName(ref)`: what the metric filter publishes. */
  namespace: string;
  metricName: string;
  /** The alert topic's ARN, when known. */
  topicArn: string | undefined;
  topicName: string;
  /** SECRETWATCH_ALARM_EMAILS: false means the alarm is meant to have no action. */
  alarmEmails: boolean;
  hints: FixHints;
}

/**
 * The topic's ARN in the alarm's account and Region: `arn:<partition>:sns:<region>:<account>:<name>`
 * from `arn:<partition>:cloudwatch:<region>:<account>:alarm:<alarm name>`.
 */
export function topicArnFromAlarmArn(alarmArn: string | undefined, topicName: string): string | undefined {
  const parts = alarmArn?.split(":") ?? [];
  if (parts.length < 7 || parts[0] !== "arn" || parts[2] !== "cloudwatch") return undefined;
  return `arn:${parts[1]}:sns:${parts[3]}:${parts[4]}:${topicName}`;
}

/** Checks DescribeAlarms' `MetricAlarms` entry for the stage's alarm (undefined: not found). */
export function checkAlarm(alarm: MetricAlarm | undefined, expect: AlarmExpectation): CheckResult[] {
  const { hints } = expect;
  if (alarm === undefined) return [fail("alarm", `alarm ${expect.alarmName} not found`, hints.deploy)];

  const label = `alarm ${alarm.AlarmName}`;
  const results: CheckResult[] = [];
  const restore = `set it back to Sum >= 1 per 60 s: ${hints.deploy}`;

  const statistic =
    alarm.Statistic ?? alarm.ExtendedStatistic ?? (alarm.Metrics ? "a metric math expression" : "no statistic");
  if (statistic === "Average") {
    results.push(fail("alarm", `${label} uses Average: for sparse events it never reaches the threshold`, restore));
  } else if (statistic !== "Sum") {
    results.push(fail("alarm", `${label} uses ${statistic}, not Sum`, restore));
  }
  if (alarm.Threshold !== 1 || alarm.ComparisonOperator !== "GreaterThanOrEqualToThreshold") {
    results.push(
      fail(
        "alarm",
        `${label} fires on ${alarm.ComparisonOperator ?? "(no operator)"} ${alarm.Threshold ?? "(no threshold)"}, not >= 1`,
        restore,
      ),
    );
  }
  if (alarm.Namespace !== expect.namespace || alarm.MetricName !== expect.metricName) {
    results.push(
      fail(
        "alarm",
        `${label} watches ${alarm.Namespace}/${alarm.MetricName}, not the metric filter's ${expect.namespace}/${expect.metricName}`,
        hints.deploy,
      ),
    );
  }
  results.push(...checkTiming(alarm, label, restore));
  if (results.length === 0) {
    results.push(
      pass(
        "alarm",
        `${label} fires on Sum >= 1 of ${alarm.Namespace}/${alarm.MetricName} in any ${alarm.Period} s of the last ${windowMinutes(alarm)} minutes`,
      ),
    );
  }

  const actions = alarm.AlarmActions ?? [];
  if (!expect.alarmEmails) {
    results.push(
      actions.length === 0
        ? pass("alarm", `${label} emails nobody, as SECRETWATCH_ALARM_EMAILS=false asks (the enricher still alerts)`)
        : warn("alarm", `${label} has actions although SECRETWATCH_ALARM_EMAILS=false`, hints.deploy),
    );
  } else if (expect.topicArn === undefined || !actions.includes(expect.topicArn)) {
    const has = actions.length === 0 ? "no alarm actions" : `actions ${actions.join(", ")}`;
    results.push(fail("alarm", `${label} does not notify topic ${expect.topicName} (${has})`, hints.deploy));
  } else if (alarm.ActionsEnabled === false) {
    results.push(
      fail(
        "alarm",
        `${label} has its actions disabled: it notifies nobody`,
        `aws cloudwatch enable-alarm-actions --alarm-names ${alarm.AlarmName}`,
      ),
    );
  } else {
    results.push(pass("alarm", `${label} notifies topic ${expect.topicName}`));
  }

  if (alarm.StateValue === "ALARM") {
    const since = alarm.StateUpdatedTimestamp ? ` since ${alarm.StateUpdatedTimestamp.toISOString()}` : "";
    results.push(
      warn(
        "alarm",
        `${label} is in ALARM${since}: it emails again only after returning to OK`,
        "nothing to do if reads are expected; the enricher still emails each read",
      ),
    );
  } else {
    results.push(pass("alarm", `${label} is in state ${alarm.StateValue ?? "unknown"}`));
  }
  return results;
}

function windowMinutes(alarm: MetricAlarm): number {
  return ((alarm.Period ?? 0) * (alarm.EvaluationPeriods ?? 0)) / 60;
}

/** The look-back of the alarm: long enough for a late read, and one datapoint of them is enough. */
function checkTiming(alarm: MetricAlarm, label: string, restore: string): CheckResult[] {
  const results: CheckResult[] = [];
  const window = windowMinutes(alarm);
  if (window < LATE_WINDOW_MINUTES) {
    results.push(
      fail(
        "alarm",
        `${label} looks back ${window} minutes: a read CloudTrail delivers 20 minutes late may never set it (needs ${LATE_WINDOW_MINUTES})`,
        restore.replace("per 60 s", `per 60 s over ${LATE_WINDOW_MINUTES} periods`),
      ),
    );
  }
  // Absent DatapointsToAlarm means all of EvaluationPeriods must breach.
  const needed = alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods ?? 1;
  if (needed !== 1) {
    results.push(
      fail(
        "alarm",
        `${label} needs ${needed} of ${alarm.EvaluationPeriods ?? "?"} datapoints: a single read never sets it`,
        restore.replace("per 60 s", "per 60 s, 1 datapoint to alarm"),
      ),
    );
  }
  return results;
}
