/**
 * Watching the watcher: an alarm for each way an alert can be lost (enricher errors,
 * throttles, dropped events, undeliverable failures, failures waiting in the queue, emails
 * SNS could not deliver, log messages the enricher could not read, a detection policy it could
 * not load, a state table it could not use, a log group that stopped receiving CloudTrail, and
 * a digest that failed), and a dashboard. Every alarm also notifies the pager topic when pager
 * addresses are set (see ./pager.ts).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
import { METRIC_NAMESPACE } from "../packages/core/src/events";
import { ENRICHER_METRICS, ENRICHER_METRICS_NAMESPACE, type ResourceKind } from "../packages/core/src/naming";
import { securityAlarms } from "./alerts";
import { secretAccessAlarm, secretAccessMetric } from "./detection";
import { digest } from "./digest";
import { enricher, enricherFailures } from "./enricher";
import { alarmActions } from "./pager";
import { nameOf, region, settings, stageRef } from "./settings";
import { stateTable } from "./state";
import { watchedLogGroup } from "./trail";

type Input<T> = $util.Input<T>;

interface AlarmSpec {
  kind: ResourceKind;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, Input<string>>;
  statistic: "Sum" | "Maximum";
  period: number;
}

/** Alarms when the metric is at least 1 in a period; a metric with no data is fine. */
function atLeastOnce(logicalName: string, spec: AlarmSpec) {
  return new aws.cloudwatch.MetricAlarm(logicalName, {
    name: nameOf(spec.kind),
    alarmDescription: `secretwatch ${stageRef.stage}: ${spec.description}`,
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensions: spec.dimensions,
    statistic: spec.statistic,
    period: spec.period,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: alarmActions(),
  });
}

const lambda = (metricName: string) => ({
  namespace: "AWS/Lambda",
  metricName,
  dimensions: { FunctionName: enricher.name },
  statistic: "Sum" as const,
  period: 60,
});

export const enricherErrorsAlarm = atLeastOnce("EnricherErrorsAlarm", {
  kind: "enricherErrorsAlarm",
  description: "the enricher failed; the event is retried, then kept in the failure queue",
  ...lambda("Errors"),
});

export const enricherThrottlesAlarm = atLeastOnce("EnricherThrottlesAlarm", {
  kind: "enricherThrottlesAlarm",
  description: "the enricher was throttled; alerts are delayed",
  ...lambda("Throttles"),
});

export const enricherDroppedAlarm = atLeastOnce("EnricherDroppedAlarm", {
  kind: "enricherDroppedAlarm",
  description: "Lambda dropped events for the enricher; their alerts are lost",
  ...lambda("AsyncEventsDropped"),
});

export const enricherDestinationAlarm = atLeastOnce("EnricherDestinationAlarm", {
  kind: "enricherDestinationAlarm",
  description: "a failed event could not be sent to the failure queue; its alert is lost",
  ...lambda("DestinationDeliveryFailures"),
});

/** Enricher metrics (EMF) carry one dimension: `service`, the function's name. */
const enricherMetric = (metricName: string) => ({
  namespace: ENRICHER_METRICS_NAMESPACE,
  metricName,
  dimensions: { service: enricher.name },
  statistic: "Sum" as const,
  period: 300,
});

export const malformedMessagesAlarm = atLeastOnce("EnricherMalformedMessagesAlarm", {
  kind: "malformedMessagesAlarm",
  description:
    "the enricher received log messages that are not CloudTrail records (truncated, or written by something else); they were skipped",
  ...enricherMetric(ENRICHER_METRICS.malformedMessages),
});

export const policyErrorsAlarm = atLeastOnce("EnricherPolicyErrorsAlarm", {
  kind: "policyErrorsAlarm",
  description:
    "the enricher could not load the deployed detection policy (missing, unreadable or not the deployed hash); it reports every read at medium or above until it can",
  ...enricherMetric(ENRICHER_METRICS.policyErrors),
});

/** The enricher fails open without its state: no alert is lost, but repeats may be emailed again. */
export const stateErrorsAlarm = atLeastOnce("EnricherStateErrorsAlarm", {
  kind: "stateErrorsAlarm",
  description:
    "the enricher could not read or write its state table (throttled, denied, unreachable or too slow); it sent every alert without it, marked state-unavailable, and may send repeats",
  ...enricherMetric(ENRICHER_METRICS.stateErrors),
});

export const failureQueueAlarm = atLeastOnce("EnricherFailuresAlarm", {
  kind: "failureQueueAlarm",
  description: "events the enricher could not process are waiting in the failure queue",
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  dimensions: { QueueName: enricherFailures.name },
  statistic: "Maximum",
  period: 300,
});

export const deliveryFailedAlarm = atLeastOnce("AlertDeliveryFailedAlarm", {
  kind: "deliveryFailedAlarm",
  description: "SNS could not deliver an alert to a subscriber",
  namespace: "AWS/SNS",
  metricName: "NumberOfNotificationsFailed",
  dimensions: { TopicName: securityAlarms.name },
  statistic: "Sum",
  period: 300,
});

/**
 * No CloudTrail record at all for `blindSpotMinutes`: the trail stopped, delivery broke, or
 * someone redirected it. No data counts as breaching. One period of the whole window (a
 * multiple of 60 s; period times evaluation periods may not exceed a day).
 */
export const blindSpotAlarm = new aws.cloudwatch.MetricAlarm("BlindSpotAlarm", {
  name: nameOf("blindSpotAlarm"),
  alarmDescription: `secretwatch ${stageRef.stage}: no CloudTrail event reached the log group for ${settings.blindSpotMinutes} minutes; secret reads may go unseen`,
  namespace: "AWS/Logs",
  metricName: "IncomingLogEvents",
  dimensions: { LogGroupName: watchedLogGroup.name },
  statistic: "Sum",
  period: settings.blindSpotMinutes * 60,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  threshold: 1,
  comparisonOperator: "LessThanThreshold",
  treatMissingData: "breaching",
  alarmActions: alarmActions(),
  // Recovery is news too (events are flowing again), but not worth a page.
  okActions: [securityAlarms.arn],
});

/** The digest (when on): a failed run is retried, then kept in its failure queue; both alarm. */
export const digestErrorsAlarm =
  digest &&
  atLeastOnce("DigestErrorsAlarm", {
    kind: "digestErrorsAlarm",
    description: "the digest function failed; it is retried, then kept in the digest's failure queue",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: digest.fn.name },
    statistic: "Sum",
    period: 300,
  });

export const digestFailuresAlarm =
  digest &&
  atLeastOnce("DigestFailuresAlarm", {
    kind: "digestFailuresAlarm",
    description:
      "a digest run failed after its retries (or the scheduler could not start it); it is waiting in the digest's failure queue and no digest was sent for its period",
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: digest.failures.name },
    statistic: "Maximum",
    period: 300,
  });

const digestAlarms = digestErrorsAlarm && digestFailuresAlarm ? [digestErrorsAlarm, digestFailuresAlarm] : [];

export const selfAlarms = [
  enricherErrorsAlarm,
  enricherThrottlesAlarm,
  enricherDroppedAlarm,
  enricherDestinationAlarm,
  malformedMessagesAlarm,
  policyErrorsAlarm,
  stateErrorsAlarm,
  failureQueueAlarm,
  deliveryFailedAlarm,
  blindSpotAlarm,
  ...digestAlarms,
];

function metricWidget(x: number, y: number, title: string, stat: string, period: number, metrics: Input<string>[][]) {
  return {
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, stat, period, view: "timeSeries", stacked: false, metrics },
  };
}

export const dashboard = new aws.cloudwatch.Dashboard("Dashboard", {
  dashboardName: nameOf("dashboard"),
  dashboardBody: $jsonStringify({
    widgets: [
      metricWidget(0, 0, "Secret value reads", "Sum", 60, [[METRIC_NAMESPACE, secretAccessMetric]]),
      metricWidget(12, 0, "Enricher", "Sum", 60, [
        ["AWS/Lambda", "Invocations", "FunctionName", enricher.name],
        ["AWS/Lambda", "Errors", "FunctionName", enricher.name],
        ["AWS/Lambda", "Throttles", "FunctionName", enricher.name],
        ["AWS/Lambda", "AsyncEventsDropped", "FunctionName", enricher.name],
        ["AWS/Lambda", "DestinationDeliveryFailures", "FunctionName", enricher.name],
      ]),
      metricWidget(0, 18, "Enricher records", "Sum", 300, [
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.secretAccessHits, "service", enricher.name],
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.messagesPublished, "service", enricher.name],
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.malformedMessages, "service", enricher.name],
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.fallbackMessagesPublished, "service", enricher.name],
      ]),
      metricWidget(12, 18, "Detection policy", "Sum", 300, [
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.policyErrors, "service", enricher.name],
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.readsBelowNotify, "service", enricher.name],
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.repeatsSuppressed, "service", enricher.name],
      ]),
      metricWidget(0, 24, "State table", "Sum", 300, [
        [ENRICHER_METRICS_NAMESPACE, ENRICHER_METRICS.stateErrors, "service", enricher.name],
        ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", stateTable.name],
        ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", stateTable.name],
        ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", stateTable.name],
        ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", stateTable.name],
      ]),
      metricWidget(0, 6, "Failure queue depth", "Maximum", 300, [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", enricherFailures.name],
      ]),
      metricWidget(12, 6, "CloudTrail events arriving", "Sum", 300, [
        ["AWS/Logs", "IncomingLogEvents", "LogGroupName", watchedLogGroup.name],
      ]),
      metricWidget(0, 12, "Alert emails", "Sum", 300, [
        ["AWS/SNS", "NumberOfMessagesPublished", "TopicName", securityAlarms.name],
        ["AWS/SNS", "NumberOfNotificationsDelivered", "TopicName", securityAlarms.name],
        ["AWS/SNS", "NumberOfNotificationsFailed", "TopicName", securityAlarms.name],
      ]),
      ...(digest
        ? [
            metricWidget(12, 24, "Digest", "Sum", 3600, [
              ["AWS/Lambda", "Invocations", "FunctionName", digest.fn.name],
              ["AWS/Lambda", "Errors", "FunctionName", digest.fn.name],
              ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", digest.failures.name],
            ]),
          ]
        : []),
      {
        type: "alarm",
        x: 12,
        y: 12,
        width: 12,
        height: 6,
        properties: { title: "Alarms", alarms: [secretAccessAlarm, ...selfAlarms].map((a) => a.arn) },
      },
    ],
  }),
});
