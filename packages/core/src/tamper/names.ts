/**
 * Names of the tamper metric filters, their metrics and alarms (stacks/tamper.ts), shared with
 * `doctor`. Physical names come from naming.ts's resource kinds (the topic policies admit exactly
 * the stage's alarm kinds); the metric names carry the stage like the secret-access metric's
 * (a metric filter with no dimensions needs the stage in the name).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringPolicyExamples.html
 */
import { type StageRef, secretAccessMetricName } from "../naming.js";
import type { TamperMetricGroup } from "./catalog.js";

/** The groups a stage deploys: `kms` only once the stage uses customer managed keys (none yet). */
export const DEPLOYED_TAMPER_GROUPS = [
  "trail",
  "logs",
  "functions",
  "topics",
] as const satisfies readonly TamperMetricGroup[];

export type DeployedTamperGroup = (typeof DEPLOYED_TAMPER_GROUPS)[number];

/** `Tamper trail (secretwatch-dev)`: the stage part exactly as the secret-access metric has it. */
export function tamperMetricName(ref: StageRef, group: TamperMetricGroup): string {
  return secretAccessMetricName(ref).replace(/^Secret is accessed \(/, `Tamper ${group} (`);
}

/** Logical names (PascalCase: a public contract) of each group's alarm and metric filters. */
export const TAMPER_LOGICAL_NAMES: Readonly<
  Record<DeployedTamperGroup, { alarm: string; filters: readonly string[] }>
> = {
  trail: { alarm: "TamperTrailAlarm", filters: ["TamperTrailMetricFilter"] },
  logs: { alarm: "TamperLogsAlarm", filters: ["TamperLogsMetricFilter"] },
  // One filter per function (each pattern then fits in 1,024 characters), one metric and alarm.
  functions: { alarm: "TamperFunctionsAlarm", filters: ["TamperEnricherMetricFilter", "TamperDigestMetricFilter"] },
  topics: { alarm: "TamperTopicsAlarm", filters: ["TamperTopicsMetricFilter"] },
};

/**
 * Period, evaluation periods and datapoints to alarm of every tamper alarm: Sum of 60 s periods,
 * 1 breaching datapoint of the last 25, so an event CloudTrail delivers up to 20 minutes late
 * still sets it (the secret-access alarm's reasoning: stacks/detection.ts).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 */
export const TAMPER_ALARM_TIMING = { period: 60, evaluationPeriods: 25, datapointsToAlarm: 1 } as const;
