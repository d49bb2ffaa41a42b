/**
 * The fast, coarse signal: a metric filter counts secret reads in the CloudTrail log group
 * and an alarm emails when there is at least one. (An alarm notifies on state changes only;
 * the enricher sends one detailed email per read.)
 *
 * Timing, and why the alarm looks back 25 minutes (see {@link SECRET_ACCESS_ALARM_TIMING}):
 *
 * - CloudTrail delivers a record to CloudWatch Logs about 5 minutes after the call, sometimes
 *   15 or more; the log event's `timestamp` is "the time the event occurred", apart from its
 *   `ingestionTime` (FilteredLogEvent), and a subscription's `logEvents[].timestamp` is that
 *   same field.
 * - A metric filter publishes datapoints "for events that happen after the filter was
 *   created", and hides results "if the timestamp ... is earlier than the metric creation
 *   time" (MonitoringLogData): that reads as the datapoint taking the log event's timestamp,
 *   i.e. a late record lands in a past minute. AWS does not say so in as many words, so the
 *   settings work either way: a datapoint stamped at ingestion is simply on time.
 * - An alarm evaluates only the most recent `EvaluationPeriods` periods (its evaluation range,
 *   a little more than that); with 60 s x 1, a datapoint that arrives for a minute already
 *   evaluated is never seen. With `DatapointsToAlarm` 1 of `EvaluationPeriods` N ("M out of
 *   N"), any one breaching minute among the last N sets ALARM, whenever it arrived.
 * - So N x 60 s covers the latest delivery we design for (20 minutes) plus the time from
 *   ingestion to the datapoint being visible and evaluated (5 minutes of slack): 25 minutes.
 *   Missing minutes are not breaching (the filter's default 0 is published only while other
 *   log events arrive). The cost: ALARM lasts 25 minutes after the last read, and a read in
 *   that time sends no second alarm email (the enricher still emails each read).
 *
 * Prove it on a deploy: `secretwatch test-alarm --late --stage <stage>` puts a datapoint
 * back-dated 15 minutes on this metric and reports whether the alarm changed state.
 *
 * With SECRETWATCH_ALARM_EMAILS=false the metric and the alarm stay (dashboard, doctor,
 * reconciliation) and the alarm has no action: it emails nobody.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilteredLogEvent.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html
 */
import { METRIC_FILTER_PATTERN, METRIC_NAMESPACE } from "../packages/core/src/events";
import { secretAccessMetricName } from "../packages/core/src/naming";
import { alarmSettings } from "./ops";
import { alarmActions } from "./pager";
import { nameOf, stageRef } from "./settings";
import { watchedLogGroup } from "./trail";

/** The latest CloudTrail delivery the alarm must still see, in minutes. */
export const LATE_DELIVERY_MINUTES = 20;
/** From ingestion to a datapoint being visible to the alarm's evaluation, with margin. */
export const EVALUATION_SLACK_MINUTES = 5;

/** Period, evaluation periods and datapoints to alarm of the secret-access alarm. */
export const SECRET_ACCESS_ALARM_TIMING = {
  period: 60,
  evaluationPeriods: LATE_DELIVERY_MINUTES + EVALUATION_SLACK_MINUTES,
  datapointsToAlarm: 1,
} as const;

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

const emails = alarmSettings.alarmEmails;

export const secretAccessAlarm = new aws.cloudwatch.MetricAlarm(
  "SecretAccessAlarm",
  {
    name: nameOf("secretAccessAlarm"),
    alarmDescription: emails
      ? `A secret value was read (stage ${stageRef.stage}), possibly up to ${LATE_DELIVERY_MINUTES} minutes ago. The enricher emails who read which secret.`
      : `A secret value was read (stage ${stageRef.stage}). SECRETWATCH_ALARM_EMAILS=false: this alarm emails nobody; the enricher's alerts and the reconciliation alarm remain.`,
    namespace: METRIC_NAMESPACE,
    metricName: secretAccessMetric,
    // Sum, not Average: the average of a 0/1 metric rarely reaches 1.
    statistic: "Sum",
    ...SECRET_ACCESS_ALARM_TIMING,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    // The alert topic, and the pager topic when pager addresses are set; none when emails are off.
    alarmActions: emails ? alarmActions() : [],
  },
  { dependsOn: [secretAccessMetricFilter] },
);
