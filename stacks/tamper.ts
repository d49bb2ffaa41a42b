/**
 * Tamper metric filters and their alarms: the path that reports a change to the chain without
 * the enricher. The event that deletes or replaces the enricher's subscription filter, or changes
 * or deletes the enricher itself, arrives after the change: only a metric filter on the log group
 * and an alarm to the topics can still report it. The trail's own changes are counted here too
 * (the enricher also reports them in detail). Patterns and event names come from
 * packages/core/src/events.ts and the tamper catalog; each names this stage's resources exactly.
 *
 * - `TamperTrailAlarm`: StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors on the stage's
 *   trail (on any trail when the stage watches an existing log group: the trail is not known).
 * - `TamperLogsAlarm`: DeleteSubscriptionFilter, PutSubscriptionFilter, DeleteMetricFilter on the
 *   watched log group. (DeleteLogGroup takes its filters with it: the blind-spot alarm notices.)
 * - `TamperFunctionsAlarm`: Lambda's changes to the enricher and the digest (one filter each).
 * - `TamperTopicsAlarm`: DeleteTopic, SetTopicAttributes, RemovePermission on the alert, pager and
 *   ops topics; it can only reach someone through a topic that still works (pager, ops).
 *
 * Every alarm notifies what a self-monitoring alarm does: the alert topic, the pager topic and the
 * ops topic (SECRETWATCH_OPS_EMAILS) when they exist.
 *
 * Timing as the secret-access alarm's (stacks/detection.ts): Sum over 60 s periods, 1 breaching
 * datapoint of the last 25, so an event CloudTrail delivers up to 20 minutes late still sets the
 * alarm; missing data is not breaching, so a fresh deploy sends nothing.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringPolicyExamples.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
 */
import { METRIC_NAMESPACE, tamperMetricPattern } from "../packages/core/src/events";
import type { ResourceKind } from "../packages/core/src/naming";
import type { TamperMetricGroup } from "../packages/core/src/tamper/catalog";
import { TAMPER_ALARM_TIMING, TAMPER_LOGICAL_NAMES, tamperMetricName } from "../packages/core/src/tamper/names";
import { securityAlarms } from "./alerts";
import { digest, digestFunctionName } from "./digest";
import { enricherFunctionName } from "./enricher";
import { opsTopic, selfAlarmActions } from "./ops";
import { pagerTopic } from "./pager";
import { accountId, nameOf, partition, region, stageRef } from "./settings";
import { trail, trailArn, trailName, watchedLogGroup } from "./trail";

type Input<T> = $util.Input<T>;

/** What each alarm says, and what to do. */
const DESCRIPTIONS: Record<keyof typeof TAMPER_LOGICAL_NAMES, string> = {
  trail:
    "the stage's trail was stopped, deleted or changed: secret reads may no longer be recorded. Run secretwatch doctor and secretwatch lookup to see who did it; sst deploy restores the trail",
  logs: "a subscription or metric filter on the watched log group was deleted or replaced: the enricher or the secret-access alarm may be blind. Run secretwatch doctor; sst deploy restores them; secretwatch replay covers the gap",
  functions:
    "the enricher or the digest function was changed or deleted (code, configuration, permissions, concurrency, async settings): alerts may no longer be sent. If this was not a deploy, run sst deploy and secretwatch replay",
  topics:
    "the alert or pager topic was deleted or its attributes or permissions changed: alerts may no longer be delivered. Run secretwatch doctor; sst deploy restores the topics, secretwatch resubscribe the subscriptions",
};

/** The three forms Lambda's `functionName` takes: name, partial ARN, full ARN. */
function functionForms(name: string): $util.Output<string[]> {
  return $resolve([accountId, region, partition]).apply(([account, r, p]) => [
    name,
    `${account}:function:${name}`,
    `arn:${p}:lambda:${r}:${account}:function:${name}`,
  ]);
}

function metricFilter(
  logicalName: string,
  kind: ResourceKind,
  group: TamperMetricGroup,
  resources: Input<string[] | null>,
) {
  return new aws.cloudwatch.LogMetricFilter(logicalName, {
    name: nameOf(kind),
    logGroupName: watchedLogGroup.name,
    // Fails the deploy (FilterPatternError) if the stage's names make it longer than 1,024.
    pattern: $output(resources).apply((list) => tamperMetricPattern(group, list)),
    metricTransformation: {
      name: tamperMetricName(stageRef, group),
      namespace: METRIC_NAMESPACE,
      value: "1",
      unit: "Count",
    },
  });
}

function alarm(
  group: keyof typeof TAMPER_LOGICAL_NAMES,
  kind: ResourceKind,
  filters: aws.cloudwatch.LogMetricFilter[],
) {
  return new aws.cloudwatch.MetricAlarm(
    TAMPER_LOGICAL_NAMES[group].alarm,
    {
      name: nameOf(kind),
      alarmDescription: `secretwatch ${stageRef.stage}: ${DESCRIPTIONS[group]}.`,
      namespace: METRIC_NAMESPACE,
      metricName: tamperMetricName(stageRef, group),
      statistic: "Sum",
      ...TAMPER_ALARM_TIMING,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      // The alert and pager topics, and the ops topic when set: a second path when the alert topic is the one changed.
      alarmActions: selfAlarmActions(),
    },
    { dependsOn: filters },
  );
}

const trailFilter = metricFilter(
  "TamperTrailMetricFilter",
  "tamperTrailMetricFilter",
  "trail",
  // An existing log group is fed by a trail we do not know: any trail's change counts.
  trail ? trailArn.apply((arn) => [trailName, arn]) : null,
);
export const tamperTrailAlarm = alarm("trail", "tamperTrailAlarm", [trailFilter]);

const logsFilter = metricFilter(
  "TamperLogsMetricFilter",
  "tamperLogsMetricFilter",
  "logs",
  watchedLogGroup.name.apply((name) => [name]),
);
export const tamperLogsAlarm = alarm("logs", "tamperLogsAlarm", [logsFilter]);

const functionFilters = [
  metricFilter(
    "TamperEnricherMetricFilter",
    "tamperEnricherMetricFilter",
    "functions",
    functionForms(enricherFunctionName),
  ),
  ...(digest
    ? [
        metricFilter(
          "TamperDigestMetricFilter",
          "tamperDigestMetricFilter",
          "functions",
          functionForms(digestFunctionName),
        ),
      ]
    : []),
];
export const tamperFunctionsAlarm = alarm("functions", "tamperFunctionsAlarm", functionFilters);

const topicsFilter = metricFilter(
  "TamperTopicsMetricFilter",
  "tamperTopicsMetricFilter",
  "topics",
  $resolve([securityAlarms.arn, ...[pagerTopic, opsTopic].flatMap((t) => (t ? [t.arn] : []))]),
);
export const tamperTopicsAlarm = alarm("topics", "tamperTopicsAlarm", [topicsFilter]);

export const tamperMetricFilters = [trailFilter, logsFilter, ...functionFilters, topicsFilter];
export const tamperAlarms = [tamperTrailAlarm, tamperLogsAlarm, tamperFunctionsAlarm, tamperTopicsAlarm];
