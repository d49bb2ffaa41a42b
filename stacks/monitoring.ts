/**
 * Watching the watcher: an alarm for each way an alert can be delayed or lost (enricher
 * errors, throttles, events given up on, undeliverable failures, failures waiting in the queue,
 * CloudWatch Logs unable to invoke the enricher, emails SNS could not deliver, log messages the
 * enricher could not read, a detection policy it could not load, a state table it could not
 * use, reads the enricher never assessed, a log group that stopped receiving CloudTrail, and a
 * digest that failed), and a dashboard. Every alarm also notifies the pager topic when pager
 * addresses are set (./pager.ts), and the ops topic when ops addresses are set (./ops.ts).
 * The README's self-monitoring table says what each one means and what to do.
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
import { enricher, enricherFailures, enricherSubscription } from "./enricher";
import { selfAlarmActions } from "./ops";
import { nameOf, region, settings, stageRef } from "./settings";
import { stateTable } from "./state";
import { tamperAlarms } from "./tamper";
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

/**
 * How the self-monitoring alarms fire: at least 1 in one period, no data being fine, emailing
 * every self-monitoring topic.
 */
function onceInAPeriod() {
  return {
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: selfAlarmActions(),
  } as const;
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
    ...onceInAPeriod(),
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

/**
 * AsyncEventsDropped also counts the events Lambda sent to the on-failure destination ("sent
 * there before being dropped"): not a loss by itself. Only DestinationDeliveryFailures (next)
 * means an event, and its alert, is lost. Logical and physical names are kept (renaming
 * replaces the alarm).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#async-invocation-metrics
 */
export const enricherDroppedAlarm = atLeastOnce("EnricherDroppedAlarm", {
  kind: "enricherDroppedAlarm",
  description:
    "Lambda gave up on an enricher event (retries or its maximum age used up) and sent it to the failure queue, where it waits for `secretwatch redrive`; not lost unless the destination-failures alarm fires too",
  ...lambda("AsyncEventsDropped"),
});

export const enricherDestinationAlarm = atLeastOnce("EnricherDestinationAlarm", {
  kind: "enricherDestinationAlarm",
  description:
    "ALERTS LOST: a failed enricher event could not be sent to the failure queue; replay the hour with `secretwatch replay` or `lookup`",
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
 * No CloudTrail record at all for `blindSpotMinutes`: the trail stopped, delivery broke, the
 * log group was deleted, or someone redirected the trail. `IncomingLogEvents` has a datapoint
 * only when events arrive, so each of these shows as no data, never as a low value.
 *
 * - `treatMissingData: missing`: when every datapoint of the evaluation range is missing the
 *   alarm goes to INSUFFICIENT_DATA, and `insufficientDataActions` email it. After data (OK),
 *   that is the transition OK -> INSUFFICIENT_DATA: "delivery stopped" and "group deleted"
 *   both fire it (a deleted group's metric simply stops).
 * - A new alarm starts in INSUFFICIENT_DATA: on a fresh deploy with nothing delivered yet it
 *   stays there (no transition, no email), and the first events move it to OK, which has no
 *   action: a deploy sends nothing. (`breaching` would go to ALARM at once and email ALARM,
 *   then OK, on every deploy.)
 * - Blind from the start (a group that never receives anything) stays INSUFFICIENT_DATA
 *   without an email: `secretwatch doctor` reports it (IncomingLogEvents of the last hour).
 *
 * One period of the whole window (a multiple of 60 s; at most a day).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 */
export const blindSpotAlarm = new aws.cloudwatch.MetricAlarm("BlindSpotAlarm", {
  name: nameOf("blindSpotAlarm"),
  alarmDescription: `secretwatch ${stageRef.stage}: no CloudTrail event reached the log group for ${settings.blindSpotMinutes} minutes (state INSUFFICIENT_DATA: no data at all); secret reads may go unseen. Check the trail is logging and the log group exists: secretwatch doctor --stage ${stageRef.stage}`,
  namespace: "AWS/Logs",
  metricName: "IncomingLogEvents",
  dimensions: { LogGroupName: watchedLogGroup.name },
  statistic: "Sum",
  period: settings.blindSpotMinutes * 60,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  threshold: 1,
  comparisonOperator: "LessThanThreshold",
  treatMissingData: "missing",
  alarmActions: selfAlarmActions(),
  insufficientDataActions: selfAlarmActions(),
  // No OK action: INSUFFICIENT_DATA -> OK is also what every fresh deploy does.
  okActions: [],
});

/**
 * CloudWatch Logs could not invoke the enricher (permission removed, function deleted: nothing
 * moves in AWS/Lambda then) or was throttled by it (it retries for up to 24 hours). These
 * metrics carry `DestinationType`, whose value for Lambda AWS does not list: a Metrics Insights
 * query on the schema selects by log group and filter name, whatever the destination type.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-alarm-create.html
 */
function subscriptionAlarm(logicalName: string, kind: ResourceKind, metricName: string, description: string) {
  return new aws.cloudwatch.MetricAlarm(logicalName, {
    name: nameOf(kind),
    alarmDescription: `secretwatch ${stageRef.stage}: ${description}`,
    metricQueries: [
      {
        id: "delivery",
        expression: $interpolate`SELECT SUM(${metricName}) FROM SCHEMA("AWS/Logs", DestinationType, FilterName, LogGroupName) WHERE LogGroupName = '${watchedLogGroup.name}' AND FilterName = '${enricherSubscription.name}'`,
        period: 300,
        returnData: true,
      },
    ],
    ...onceInAPeriod(),
  });
}

export const subscriptionErrorsAlarm = subscriptionAlarm(
  "EnricherSubscriptionErrorsAlarm",
  "subscriptionErrorsAlarm",
  "DeliveryErrors",
  "CloudWatch Logs could not deliver secret reads to the enricher (its permission or the function is gone?); their alerts are not sent. Run secretwatch doctor, redeploy, then replay the gap",
);

export const subscriptionThrottlingAlarm = subscriptionAlarm(
  "EnricherSubscriptionThrottlingAlarm",
  "subscriptionThrottlingAlarm",
  "DeliveryThrottling",
  "CloudWatch Logs was throttled delivering secret reads to the enricher; alerts are delayed (it retries for up to 24 hours)",
);

/** What the enricher counts as assessed: proposed as ENRICHER_METRICS.readsAssessed (naming.ts). */
export const READS_ASSESSED_METRIC = "ReadsAssessed";
/** The reconciliation window. */
export const RECONCILIATION_PERIOD_SECONDS = 3600;

/**
 * The one check of the enricher that does not rely on the enricher: over an hour, the metric
 * filter counted more secret reads (`GetSecretValue` log events) than the enricher reports
 * having assessed (`ReadsAssessed`: the `GetSecretValue` records it decoded, before
 * de-duplication, policy or repeat suppression). An enricher that runs but emails nothing (a
 * bug, a bad rule, a subscription pattern gone wrong) is otherwise invisible, and with
 * SECRETWATCH_ALARM_EMAILS=false it is the only path independent of the Lambda. In every stage.
 * Both counts take the log event's time (the enricher stamps its count with the log events'
 * `timestamp`), so a late delivery moves both into the same hour.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */
export const reconciliationAlarm = new aws.cloudwatch.MetricAlarm("ReadsNotAssessedAlarm", {
  name: nameOf("reconciliationAlarm"),
  alarmDescription: `secretwatch ${stageRef.stage}: in an hour, CloudTrail logged more secret reads than the enricher assessed; reads went unexamined and unalerted. Compare with secretwatch replay or lookup for the hour, and check the enricher's logs`,
  metricQueries: [
    {
      id: "reads",
      metric: {
        namespace: METRIC_NAMESPACE,
        metricName: secretAccessMetric,
        period: RECONCILIATION_PERIOD_SECONDS,
        stat: "Sum",
      },
      returnData: false,
    },
    {
      id: "assessed",
      metric: {
        namespace: ENRICHER_METRICS_NAMESPACE,
        metricName: READS_ASSESSED_METRIC,
        dimensions: { service: enricher.name },
        period: RECONCILIATION_PERIOD_SECONDS,
        stat: "Sum",
      },
      returnData: false,
    },
    {
      id: "unassessed",
      expression: "FILL(reads, 0) - FILL(assessed, 0)",
      label: "Secret reads the enricher did not assess",
      returnData: true,
    },
  ],
  ...onceInAPeriod(),
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
  subscriptionErrorsAlarm,
  subscriptionThrottlingAlarm,
  reconciliationAlarm,
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
      metricWidget(12, 30, "Reads counted vs assessed", "Sum", RECONCILIATION_PERIOD_SECONDS, [
        [METRIC_NAMESPACE, secretAccessMetric],
        [ENRICHER_METRICS_NAMESPACE, READS_ASSESSED_METRIC, "service", enricher.name],
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
        properties: { title: "Alarms", alarms: [secretAccessAlarm, ...selfAlarms, ...tamperAlarms].map((a) => a.arn) },
      },
    ],
  }),
});
