/**
 * Physical resource names. One function names every resource, so two stages deploy side by
 * side in one account and the CLI finds a stage's resources by the same rule.
 */

export interface StageRef {
  /** The SST app name, e.g. `secretwatch`. */
  app: string;
  /** The SST stage, e.g. `prod` or `alice`. */
  stage: string;
}

/** What each named resource is called after `<app>-<stage>-`. */
export const RESOURCE_SUFFIXES = {
  trail: "trail",
  trailBucket: "trail",
  trailRole: "trail-logs",
  logGroup: "cloudtrail",
  metricFilter: "secret-access",
  secretAccessAlarm: "secret-access",
  topic: "alerts",
  /** Alarm notifications for the pager addresses (alarms carry no attributes to filter on). */
  pagerTopic: "pager",
  enricher: "enricher",
  enricherRole: "enricher",
  subscriptionFilter: "enricher",
  failureQueue: "enricher-failures",
  dashboard: "dashboard",
  demoSecret: "TopSecretInfo",
  // Self-monitoring alarms: each watches one way an alert can be lost.
  enricherErrorsAlarm: "enricher-errors",
  enricherThrottlesAlarm: "enricher-throttles",
  enricherDroppedAlarm: "enricher-events-dropped",
  enricherDestinationAlarm: "enricher-destination-failures",
  failureQueueAlarm: "enricher-failures-waiting",
  deliveryFailedAlarm: "alerts-delivery-failed",
  blindSpotAlarm: "blind-spot",
  malformedMessagesAlarm: "enricher-malformed-messages",
  policyErrorsAlarm: "enricher-policy-errors",
} as const;

export type ResourceKind = keyof typeof RESOURCE_SUFFIXES;

/** Lower-case letters, digits and single hyphens: valid in every AWS name we create. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** `<app>-<stage>-`: the start of every name {@link resourceName} gives (before truncation). */
export function stagePrefix(ref: StageRef): string {
  return `${slug(ref.app)}-${slug(ref.stage)}-`;
}

/**
 * Longest name per kind: 64 (IAM roles, Lambda functions, SQS queues, the tightest limits)
 * unless the service allows more (CloudWatch alarm names: 255).
 */
function maxLengthOf(kind: ResourceKind): number {
  return kind.endsWith("Alarm") ? 255 : 64;
}

/** `<app>-<stage>-<suffix>`, lower-cased, truncated to `maxLength` (see {@link maxLengthOf}). */
export function resourceName(ref: StageRef, kind: ResourceKind, maxLength = maxLengthOf(kind)): string {
  return `${stagePrefix(ref)}${slug(RESOURCE_SUFFIXES[kind])}`.slice(0, maxLength).replace(/-+$/, "");
}

/** Every named resource of a stage, by kind: how the CLI finds what `stacks/` created. */
export function stageResources(ref: StageRef): Record<ResourceKind, string> {
  const kinds = Object.keys(RESOURCE_SUFFIXES) as ResourceKind[];
  return Object.fromEntries(kinds.map((kind) => [kind, resourceName(ref, kind)])) as Record<ResourceKind, string>;
}

/**
 * The demo secret keeps the classic tutorial's mixed-case name `TopSecretInfo` after the
 * stage prefix (Secrets Manager names are case-sensitive and allow upper case).
 */
export function demoSecretName(ref: StageRef): string {
  return `${stagePrefix(ref)}${RESOURCE_SUFFIXES.demoSecret}`;
}

/** Name of the stage's log group (CloudWatch Logs allows `/`). */
export function logGroupName(ref: StageRef): string {
  return `/${slug(ref.app)}/${slug(ref.stage)}/cloudtrail`;
}

/**
 * S3 bucket names are global: add the account ID so the same app and stage can deploy in
 * two accounts. At most 63 characters.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function trailBucketName(ref: StageRef, accountId: string): string {
  const tail = `-${accountId}`;
  return resourceName(ref, "trailBucket", 63 - tail.length) + tail;
}

/** The metric that counts secret reads. The stage is in the name: filters take no constant dimensions. */
export function secretAccessMetricName(ref: StageRef): string {
  return `Secret is accessed (${slug(ref.app)}-${slug(ref.stage)})`;
}

/**
 * The enricher's own metrics (CloudWatch embedded metric format, through Powertools), in this
 * namespace with one dimension, `service` = the enricher's function name, so stages never mix.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const ENRICHER_METRICS_NAMESPACE = "secretwatch";

/** Names of the enricher's metrics, shared by the handler, the alarms and the dashboard. */
export const ENRICHER_METRICS = {
  recordsDecoded: "RecordsDecoded",
  malformedMessages: "MalformedMessages",
  secretAccessHits: "SecretAccessHits",
  duplicatesDropped: "DuplicatesDropped",
  messagesPublished: "MessagesPublished",
  fallbackMessagesPublished: "FallbackMessagesPublished",
  /** The configured policy could not be loaded: every read was reported at medium or above. */
  policyErrors: "PolicyErrors",
  /** Reads below the policy's `notify` severity: counted, not emailed. */
  readsBelowNotify: "ReadsBelowNotify",
  /** Reads not emailed because they repeat an alert within `repeatMinutes`. */
  repeatsSuppressed: "RepeatsSuppressed",
  /** The state store could not be read or written; alerts went out without it. */
  stateErrors: "StateErrors",
} as const;
