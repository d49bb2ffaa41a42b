/**
 * The one source of truth of tamper and exposure events: the calls that blind the chain
 * (CloudTrail → CloudWatch Logs → filters → enricher → SNS) or widen access to secrets. For each:
 * its event source and API, the event names CloudTrail writes for it, which of the stage's
 * resources it must touch (the scope list, and the request parameters that name the resource),
 * the request parameters shown as "what changed", its reason code (severity: reasons.ts), and the
 * live path that reports it: the enricher's subscription filter, a tamper metric filter with its
 * own alarm (independent of the Lambda), both, or neither (replay and lookup still report it).
 *
 * Lambda records its event names with the API version appended (`UpdateFunctionCode20150331v2`,
 * `DeleteFunction20150331`, `PutFunctionConcurrency20171031`; the event invoke config calls have
 * none): the classifier matches the API name followed by a version suffix, never a bare prefix
 * (`DeleteFunction` must not match `DeleteFunctionConcurrency20171031`). Metric filter patterns
 * cannot use a mid-value wildcard, so they list the recorded names below.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import type { ReasonCode } from "../reasons.js";
import type { ScopeKind } from "./scope.js";

export const CLOUDTRAIL_SOURCE = "cloudtrail.amazonaws.com";
export const LOGS_SOURCE = "logs.amazonaws.com";
export const CLOUDWATCH_SOURCE = "monitoring.amazonaws.com";
export const SNS_SOURCE = "sns.amazonaws.com";
export const LAMBDA_SOURCE = "lambda.amazonaws.com";
export const DYNAMODB_SOURCE = "dynamodb.amazonaws.com";
export const KMS_SOURCE = "kms.amazonaws.com";
export const SECRETS_SOURCE = "secretsmanager.amazonaws.com";

/** The tamper metric filters (one alarm each); `kms` is created only for a stage that uses keys. */
export type TamperMetricGroup = "trail" | "logs" | "functions" | "topics" | "kms";

export interface TamperEventSpec {
  source: string;
  /** The API's documented name. */
  api: string;
  /** Event names as CloudTrail writes them (the API name, or it with Lambda's version suffix). */
  recorded: readonly string[];
  scope: ScopeKind;
  /** `requestParameters` keys that name the resource (a value may be an array, e.g. `alarmNames`). */
  target: readonly string[];
  /** `requestParameters` keys shown, sanitised, as what changed. */
  changes: readonly string[];
  /** The reason code when no severity rule refines it (classify.ts). */
  reason: TamperReasonCode;
  /** In the enricher's subscription filter (events.ts keeps it within 1,024 characters). */
  subscription: boolean;
  /** The tamper metric filter that counts it, if any. */
  metric: TamperMetricGroup | null;
}

type Entry = Omit<TamperEventSpec, "recorded"> & { recorded?: readonly string[] };

const sub = { subscription: true, metric: null } as const;
const metric = (group: TamperMetricGroup, subscription = false) => ({ subscription, metric: group });

const trail = (api: string, reason: TamperReasonCode, target: string, changes: string[]): Entry => ({
  source: CLOUDTRAIL_SOURCE,
  api,
  scope: "trail",
  target: [target],
  changes,
  reason,
  ...metric("trail", true),
});

const fn = (api: string, recorded: string[], reason: TamperReasonCode, changes: string[]): Entry => ({
  source: LAMBDA_SOURCE,
  api,
  recorded,
  scope: "function",
  target: ["functionName"],
  changes: ["functionName", "qualifier", ...changes],
  reason,
  // The enricher cannot be trusted to report a change to itself: a metric filter and alarm do.
  ...metric("functions"),
});

const ENTRIES: Entry[] = [
  // CloudTrail: the trail that feeds the watched log group. The StopLogging record is the last one
  // the trail delivers; both paths report it.
  trail("StopLogging", "trail-stopped", "name", ["name"]),
  trail("DeleteTrail", "trail-stopped", "name", ["name"]),
  trail("UpdateTrail", "trail-changed", "name", [
    "name",
    "cloudWatchLogsLogGroupArn",
    "cloudWatchLogsRoleArn",
    "s3BucketName",
    "isMultiRegionTrail",
    "includeGlobalServiceEvents",
  ]),
  trail("PutEventSelectors", "trail-changed", "trailName", ["trailName", "eventSelectors", "advancedEventSelectors"]),
  // CloudWatch Logs on the watched group. DeleteLogGroup takes the group's filters with it (only the
  // blind-spot alarm notices); a subscription filter's deletion or replacement arrives after it
  // changed, so only a metric filter can report it.
  {
    source: LOGS_SOURCE,
    api: "DeleteLogGroup",
    scope: "logGroup",
    target: ["logGroupName"],
    changes: ["logGroupName"],
    reason: "log-group-deleted",
    subscription: false,
    metric: null,
  },
  ...["DeleteSubscriptionFilter", "PutSubscriptionFilter"].map(
    (api): Entry => ({
      source: LOGS_SOURCE,
      api,
      scope: "logGroup",
      target: ["logGroupName"],
      changes: ["logGroupName", "filterName", "filterPattern", "destinationArn"],
      reason: "log-filter-changed",
      ...metric("logs"),
    }),
  ),
  {
    source: LOGS_SOURCE,
    api: "DeleteMetricFilter",
    scope: "logGroup",
    target: ["logGroupName"],
    changes: ["logGroupName", "filterName"],
    reason: "log-filter-changed",
    ...metric("logs", true),
  },
  {
    source: LOGS_SOURCE,
    api: "PutRetentionPolicy",
    scope: "logGroup",
    target: ["logGroupName"],
    changes: ["logGroupName", "retentionInDays"],
    reason: "log-retention-changed",
    ...sub,
  },
  // CloudWatch alarms of this stage.
  ...[
    ["DeleteAlarms", "alarm-silenced"],
    ["DisableAlarmActions", "alarm-silenced"],
  ].map(
    ([api, reason]): Entry => ({
      source: CLOUDWATCH_SOURCE,
      api: api!,
      scope: "alarm",
      target: ["alarmNames"],
      changes: ["alarmNames"],
      reason: reason as TamperReasonCode,
      ...sub,
    }),
  ),
  {
    source: CLOUDWATCH_SOURCE,
    api: "PutMetricAlarm",
    scope: "alarm",
    target: ["alarmName"],
    changes: [
      "alarmName",
      "metricName",
      "namespace",
      "statistic",
      "threshold",
      "comparisonOperator",
      "evaluationPeriods",
      "alarmActions",
      "actionsEnabled",
    ],
    reason: "alarm-changed",
    ...sub,
  },
  {
    source: CLOUDWATCH_SOURCE,
    api: "SetAlarmState",
    scope: "alarm",
    target: ["alarmName"],
    // stateReason is the caller's text: shown, labelled as such, never used to decide.
    changes: ["alarmName", "stateValue", "stateReason"],
    reason: "alarm-state-set",
    ...sub,
  },
  // SNS on this stage's topics. DeleteTopic: the enricher's publish to it fails; the topics metric
  // filter alarms through the other topics (pager, ops) when there are any.
  {
    source: SNS_SOURCE,
    api: "DeleteTopic",
    scope: "topic",
    target: ["topicArn"],
    changes: ["topicArn"],
    reason: "topic-deleted",
    ...metric("topics"),
  },
  {
    source: SNS_SOURCE,
    api: "SetTopicAttributes",
    scope: "topic",
    target: ["topicArn"],
    changes: ["topicArn", "attributeName", "attributeValue"],
    reason: "topic-changed",
    ...metric("topics", true),
  },
  {
    source: SNS_SOURCE,
    api: "RemovePermission",
    scope: "topic",
    target: ["topicArn"],
    changes: ["topicArn", "label"],
    reason: "topic-changed",
    ...metric("topics", true),
  },
  {
    source: SNS_SOURCE,
    api: "Unsubscribe",
    scope: "topic",
    target: ["subscriptionArn"],
    changes: ["subscriptionArn"],
    reason: "topic-changed",
    ...sub,
  },
  {
    source: SNS_SOURCE,
    api: "SetSubscriptionAttributes",
    scope: "topic",
    target: ["subscriptionArn"],
    changes: ["subscriptionArn", "attributeName", "attributeValue"],
    reason: "topic-changed",
    ...sub,
  },
  // Lambda: the enricher and the digest.
  fn("DeleteFunction", ["DeleteFunction20150331"], "function-disabled", []),
  fn("UpdateFunctionCode", ["UpdateFunctionCode20150331v2"], "function-changed", ["s3Bucket", "s3Key", "imageUri"]),
  fn("UpdateFunctionConfiguration", ["UpdateFunctionConfiguration20150331v2"], "function-changed", [
    "role",
    "handler",
    "runtime",
    "timeout",
    "layers",
    "environment",
  ]),
  fn("RemovePermission", ["RemovePermission20150331v2", "RemovePermission20150331"], "function-changed", [
    "statementId",
  ]),
  fn("PutFunctionConcurrency", ["PutFunctionConcurrency20171031"], "function-changed", [
    "reservedConcurrentExecutions",
  ]),
  ...["PutFunctionEventInvokeConfig", "UpdateFunctionEventInvokeConfig", "DeleteFunctionEventInvokeConfig"].map((api) =>
    fn(api, [api], "function-changed", ["maximumRetryAttempts", "maximumEventAgeInSeconds", "destinationConfig"]),
  ),
  // DynamoDB: the state table.
  ...["DeleteTable", "UpdateTable", "UpdateTimeToLive"].map(
    (api): Entry => ({
      source: DYNAMODB_SOURCE,
      api,
      scope: "table",
      target: ["tableName"],
      changes: ["tableName", "timeToLiveSpecification", "deletionProtectionEnabled", "billingMode"],
      reason: "state-table-changed",
      ...sub,
    }),
  ),
  ...["PutResourcePolicy", "DeleteResourcePolicy"].map(
    (api): Entry => ({
      source: DYNAMODB_SOURCE,
      api,
      scope: "table",
      target: ["resourceArn"],
      changes: ["resourceArn", "policy"],
      reason: "state-table-changed",
      ...sub,
    }),
  ),
  // KMS: customer managed keys of the stage (none yet). Not in the subscription filter (no room, and
  // no key to watch); a `kms` metric filter is made once the stage has keys.
  ...[
    ["DisableKey", "kms-key-disabled"],
    ["ScheduleKeyDeletion", "kms-key-disabled"],
    ["PutKeyPolicy", "kms-key-policy-changed"],
  ].map(
    ([api, reason]): Entry => ({
      source: KMS_SOURCE,
      api: api!,
      scope: "kmsKey",
      target: ["keyId"],
      changes: ["keyId", "pendingWindowInDays", "policyName", "policy"],
      reason: reason as TamperReasonCode,
      ...metric("kms"),
    }),
  ),
  // Secrets Manager: every secret. UpdateSecret counts only when it changes the KMS key, and
  // UpdateSecretVersionStage only when it moves AWSCURRENT (classify.ts).
  ...[
    ["PutResourcePolicy", "secret-policy-changed", ["secretId", "resourcePolicy", "blockPublicPolicy"]],
    ["DeleteResourcePolicy", "secret-policy-changed", ["secretId"]],
    ["DeleteSecret", "secret-deleted", ["secretId", "recoveryWindowInDays", "forceDeleteWithoutRecovery"]],
    ["RestoreSecret", "secret-restored", ["secretId"]],
    ["UpdateSecret", "secret-key-changed", ["secretId", "kmsKeyId"]],
    ["ReplicateSecretToRegions", "secret-replicated", ["secretId", "addReplicaRegions", "forceOverwriteReplicaSecret"]],
    ["StopReplicationToReplica", "secret-replicated", ["secretId"]],
    ["CancelRotateSecret", "secret-rotation-cancelled", ["secretId"]],
    [
      "UpdateSecretVersionStage",
      "secret-current-moved",
      ["secretId", "versionStage", "moveToVersionId", "removeFromVersionId"],
    ],
  ].map(
    ([api, reason, changes]): Entry => ({
      source: SECRETS_SOURCE,
      api: api as string,
      scope: "secret",
      target: ["secretId"],
      changes: changes as string[],
      reason: reason as TamperReasonCode,
      ...sub,
    }),
  ),
];

/** Every tamper event, in the order of the README's table. */
export const TAMPER_EVENTS: readonly TamperEventSpec[] = ENTRIES.map((e) => ({
  ...e,
  recorded: e.recorded ?? [e.api],
}));

/** Every reason code a tamper hit can carry, in the reason table's order (tests check both). */
export const TAMPER_REASON_CODES = [
  "trail-stopped",
  "trail-blinded",
  "trail-changed",
  "log-group-deleted",
  "log-filter-changed",
  "log-retention-changed",
  "alarm-silenced",
  "alarm-changed",
  "alarm-state-set",
  "topic-deleted",
  "topic-changed",
  "function-disabled",
  "function-changed",
  "state-table-changed",
  "kms-key-disabled",
  "kms-key-policy-changed",
  "secret-policy-public",
  "secret-policy-changed",
  "secret-deleted",
  "secret-restored",
  "secret-key-changed",
  "secret-replicated",
  "secret-rotation-cancelled",
  "secret-current-moved",
  "secret-current-moved-by-workload",
  "tamper-unreadable",
  "tamper-attempt",
  "deploy-tool",
] as const satisfies readonly ReasonCode[];

export type TamperReasonCode = (typeof TAMPER_REASON_CODES)[number];

/** True for a reason code of a tamper hit (not of a secret read). */
export function isTamperReason(code: string): boolean {
  return (TAMPER_REASON_CODES as readonly string[]).includes(code);
}

/** Lambda's `<API><yyyymmdd>[v<n>]`: the API name followed by a version, nothing else. */
const VERSION_SUFFIX = /^\d{8}(?:v\d+)?$/;

const bySource = new Map<string, TamperEventSpec[]>();
for (const spec of TAMPER_EVENTS) {
  const list = bySource.get(spec.source) ?? [];
  list.push(spec);
  bySource.set(spec.source, list);
}

/** The catalog entry for a record's source and event name, or null. */
export function tamperSpecFor(eventSource: unknown, eventName: unknown): TamperEventSpec | null {
  if (typeof eventSource !== "string" || typeof eventName !== "string") return null;
  for (const spec of bySource.get(eventSource) ?? []) {
    if (eventName === spec.api || spec.recorded.includes(eventName)) return spec;
    if (spec.source === LAMBDA_SOURCE && eventName.startsWith(spec.api)) {
      if (VERSION_SUFFIX.test(eventName.slice(spec.api.length))) return spec;
    }
  }
  return null;
}
