/**
 * The fast, coarse signal: a metric filter counts secret reads in the CloudTrail log group
 * and an alarm emails when there is at least one in a minute. (An alarm notifies on state
 * changes only; the enricher sends one detailed email per read.)
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringPolicyExamples.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
import { METRIC_FILTER_PATTERN, METRIC_NAMESPACE } from "../packages/core/src/events";
import { secretAccessMetricName } from "../packages/core/src/naming";
import { alarmActions } from "./pager";
import { nameOf, stageRef } from "./settings";
import { watchedLogGroup } from "./trail";

/** Metric name, stage included (a filter with a default value takes no dimensions). */
export const secretAccessMetric = secretAccessMetricName(stageRef);

export const secretAccessMetricFilter = new aws.cloudwatch.LogMetricFilter("SecretAccessMetricFilter", {
  name: nameOf("metricFilter"),
  logGroupName: watchedLogGroup.name,
  // JSON pattern on eventSource and eventName: a bare term would also count policy documents
  // that mention the action. GetSecretValue only: a batch read logs one per secret returned.
  pattern: METRIC_FILTER_PATTERN,
  metricTransformation: {
    name: secretAccessMetric,
    namespace: METRIC_NAMESPACE,
    value: "1",
    defaultValue: "0",
    unit: "Count",
  },
});

export const secretAccessAlarm = new aws.cloudwatch.MetricAlarm(
  "SecretAccessAlarm",
  {
    name: nameOf("secretAccessAlarm"),
    alarmDescription: `A secret value was read (stage ${stageRef.stage}). The enricher emails who read which secret.`,
    namespace: METRIC_NAMESPACE,
    metricName: secretAccessMetric,
    // Sum, not Average: the average of a 0/1 metric rarely reaches 1.
    statistic: "Sum",
    period: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    // The alert topic, and the pager topic when pager addresses are set.
    alarmActions: alarmActions(),
  },
  { dependsOn: [secretAccessMetricFilter] },
);
