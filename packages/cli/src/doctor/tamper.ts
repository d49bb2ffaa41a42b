/**
 * Tamper check: each tamper alarm of the stage (stacks/tamper.ts) exists, counts its group's
 * metric with the late-read timing (1 breaching minute of the last 25), notifies the alert
 * topic with its actions enabled, and each of its metric filters is on the watched log group
 * publishing that metric. Without them, a deleted subscription filter or a stopped trail is
 * reported by nobody: the event that does it arrives after the enricher is cut off.
 *
 * The names follow stacks/tamper.ts: resource kinds `tamper<Group>Alarm` and
 * `tamper<Filter>MetricFilter` (packages/core/src/naming.ts), metrics `Tamper <group> (<app>-<stage>)`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringPolicyExamples.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { MetricFilter } from "@aws-sdk/client-cloudwatch-logs";
import { type StageRef, secretAccessMetricName } from "@secretwatch/core";
import { LATE_WINDOW_MINUTES } from "./alarm.js";
import { type CheckResult, type FixHints, fail, pass } from "./report.js";

export interface TamperGroupExpectation {
  group: string;
  alarmName: string;
  metricName: string;
  /** Filters that must exist (physical names). */
  filterNames: string[];
  /** Filters that may exist (the digest's, when the digest is on). */
  optionalFilterNames: string[];
}

/** The groups and their filter kinds, as stacks/tamper.ts declares them (`kms` only with customer keys: none yet). */
const GROUPS: ReadonlyArray<{ group: string; filters: string[]; optional: string[] }> = [
  { group: "trail", filters: ["Trail"], optional: [] },
  { group: "logs", filters: ["Logs"], optional: [] },
  { group: "functions", filters: ["Enricher"], optional: ["Digest"] },
  { group: "topics", filters: ["Topics"], optional: [] },
];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `Tamper trail (secretwatch-dev)`: the stage part exactly as the secret-access metric has it. */
export function tamperMetricName(ref: StageRef, group: string): string {
  return secretAccessMetricName(ref).replace(/^Secret is accessed \(/, `Tamper ${group} (`);
}

/**
 * The stage's tamper alarms and filters, named from `names` (`stageResources(ref)`); null when
 * `names` has no tamper kinds (a CLI older than the tamper alarms' names).
 */
export function tamperExpectations(
  ref: StageRef,
  names: Readonly<Record<string, string | undefined>>,
): TamperGroupExpectation[] | null {
  const out: TamperGroupExpectation[] = [];
  for (const { group, filters, optional } of GROUPS) {
    const alarmName = names[`tamper${cap(group)}Alarm`];
    const filterNames = filters.map((f) => names[`tamper${f}MetricFilter`]);
    if (alarmName === undefined || filterNames.some((f) => f === undefined)) return null;
    out.push({
      group,
      alarmName,
      metricName: tamperMetricName(ref, group),
      filterNames: filterNames as string[],
      optionalFilterNames: optional.flatMap((f) => names[`tamper${f}MetricFilter`] ?? []),
    });
  }
  return out;
}

function checkGroup(
  expect: TamperGroupExpectation,
  filters: readonly MetricFilter[],
  alarm: MetricAlarm | undefined,
  topicArn: string | undefined,
  hints: FixHints,
): CheckResult[] {
  const label = `tamper alarm ${expect.alarmName}`;
  if (alarm === undefined) {
    return [fail("alarm", `${label} not found: a ${expect.group} change would be reported by nobody`, hints.deploy)];
  }
  const problems: string[] = [];
  if (alarm.MetricName !== expect.metricName) problems.push(`watches ${alarm.MetricName}, not ${expect.metricName}`);
  if (alarm.Statistic !== "Sum") problems.push(`uses ${alarm.Statistic ?? "no statistic"}, not Sum`);
  const window = ((alarm.Period ?? 0) * (alarm.EvaluationPeriods ?? 0)) / 60;
  if (window < LATE_WINDOW_MINUTES) problems.push(`looks back ${window} minutes (needs ${LATE_WINDOW_MINUTES})`);
  if ((alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods) !== 1) problems.push("needs more than 1 datapoint");
  if (topicArn === undefined || !(alarm.AlarmActions ?? []).includes(topicArn))
    problems.push("does not notify the alert topic");
  else if (alarm.ActionsEnabled === false) problems.push("has its actions disabled");
  const present = [...expect.filterNames, ...expect.optionalFilterNames];
  for (const name of expect.filterNames) {
    if (!filters.some((f) => f.filterName === name))
      problems.push(`its metric filter ${name} is missing from the log group`);
  }
  for (const f of filters.filter((f) => present.includes(f.filterName ?? ""))) {
    const metric = f.metricTransformations?.[0]?.metricName;
    if (metric !== expect.metricName)
      problems.push(`its metric filter ${f.filterName} publishes ${metric}, not ${expect.metricName}`);
  }
  if (problems.length > 0) return problems.map((p) => fail("alarm", `${label} ${p}`, hints.deploy));
  const counted = present.filter((n) => filters.some((f) => f.filterName === n));
  return [
    pass(
      "alarm",
      `${label} counts ${counted.join(", ")} and notifies the alert topic (state ${alarm.StateValue ?? "unknown"})`,
    ),
  ];
}

/** Checks every tamper group against DescribeMetricFilters (the watched group) and DescribeAlarms. */
export function checkTamper(
  expectations: readonly TamperGroupExpectation[],
  filters: readonly MetricFilter[],
  alarms: readonly MetricAlarm[],
  topicArn: string | undefined,
  hints: FixHints,
): CheckResult[] {
  return expectations.flatMap((e) =>
    checkGroup(
      e,
      filters,
      alarms.find((a) => a.AlarmName === e.alarmName),
      topicArn,
      hints,
    ),
  );
}
