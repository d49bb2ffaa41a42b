/**
 * Physical resource names. One function names every resource, so two stages deploy side by
 * side in one account and the CLI finds a stage's resources by the same rule.
 *
 * A name is `<app>-<stage>-<suffix>`. SST stage names allow `[a-zA-Z0-9-]`, AWS names do not
 * all allow upper case, and every kind has a length limit: when the app or stage name is not
 * already lower-case with single hyphens (`Dev`, `a--b`), or the name would not fit, that name
 * part is lower-cased, shortened and followed by `-` and 8 hex digits of the SHA-256 of the
 * raw part. So `Dev` and `dev`, `a--b` and `a-b`, or two long stage names that share a prefix
 * never share a physical name, while a canonical stage whose name fits keeps the name it has
 * always had (renaming a resource replaces it). Suffixes are never shortened.
 */
import { createHash } from "node:crypto";

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
  // Self-monitoring alarms: each watches one way an alert can be lost. Every alarm kind's key
  // ends in `Alarm`: the topic policies admit exactly these names (see stageAlarmNames).
  enricherErrorsAlarm: "enricher-errors",
  enricherThrottlesAlarm: "enricher-throttles",
  enricherDroppedAlarm: "enricher-events-dropped",
  enricherDestinationAlarm: "enricher-destination-failures",
  failureQueueAlarm: "enricher-failures-waiting",
  deliveryFailedAlarm: "alerts-delivery-failed",
  blindSpotAlarm: "blind-spot",
  malformedMessagesAlarm: "enricher-malformed-messages",
  policyErrorsAlarm: "enricher-policy-errors",
  stateErrorsAlarm: "enricher-state-errors",
  /** What the enricher remembers across invocations (see stacks/state.ts). */
  stateTable: "state",
  /** The role `secretwatch baseline` assumes to seed the state table (its one writer besides the functions). */
  stateBaselineRole: "state-baseline",
  /** The scheduled digest (see stacks/digest.ts): its function, role, schedule, the scheduler's role, its failures. */
  digest: "digest",
  digestRole: "digest",
  digestSchedule: "digest",
  digestSchedulerRole: "digest-scheduler",
  digestFailureQueue: "digest-failures",
  digestErrorsAlarm: "digest-errors",
  digestFailuresAlarm: "digest-failures-waiting",
  /** CloudWatch Logs could not deliver to, or was throttled by, the enricher (stacks/monitoring.ts). */
  subscriptionErrorsAlarm: "enricher-subscription-errors",
  subscriptionThrottlingAlarm: "enricher-subscription-throttled",
  /** The metric filter counted more reads in an hour than the enricher assessed. */
  reconciliationAlarm: "reads-not-assessed",
  /** SECRETWATCH_OPS_EMAILS: every self-monitoring alarm also goes here (stacks/ops.ts). */
  opsTopic: "ops",
  /** Tamper metric filters and their alarms (stacks/tamper.ts; logical names in packages/core/src/tamper/names.ts). */
  tamperTrailMetricFilter: "tamper-trail",
  tamperLogsMetricFilter: "tamper-logs",
  tamperEnricherMetricFilter: "tamper-enricher",
  tamperDigestMetricFilter: "tamper-digest",
  tamperTopicsMetricFilter: "tamper-topics",
  tamperTrailAlarm: "tamper-trail",
  tamperLogsAlarm: "tamper-logs",
  tamperFunctionsAlarm: "tamper-functions",
  tamperTopicsAlarm: "tamper-topics",
} as const;

export type ResourceKind = keyof typeof RESOURCE_SUFFIXES;

/**
 * The longest name AWS accepts per kind (the trail bucket's includes `-<account>`).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html (128)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (63)
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (64)
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html (512)
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html (512)
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html (512)
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (255)
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html (255)
 * @see https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html (256)
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (64)
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (80)
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html (512)
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html (64)
 */
export const NAME_LIMITS: Readonly<Record<ResourceKind, number>> = {
  trail: 128,
  trailBucket: 63,
  trailRole: 64,
  logGroup: 512,
  metricFilter: 512,
  secretAccessAlarm: 255,
  topic: 256,
  pagerTopic: 256,
  enricher: 64,
  enricherRole: 64,
  subscriptionFilter: 512,
  failureQueue: 80,
  dashboard: 255,
  demoSecret: 512,
  enricherErrorsAlarm: 255,
  enricherThrottlesAlarm: 255,
  enricherDroppedAlarm: 255,
  enricherDestinationAlarm: 255,
  failureQueueAlarm: 255,
  deliveryFailedAlarm: 255,
  blindSpotAlarm: 255,
  malformedMessagesAlarm: 255,
  policyErrorsAlarm: 255,
  stateErrorsAlarm: 255,
  // @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html (255)
  stateTable: 255,
  stateBaselineRole: 64,
  digest: 64,
  digestRole: 64,
  digestSchedule: 64,
  digestSchedulerRole: 64,
  digestFailureQueue: 80,
  digestErrorsAlarm: 255,
  digestFailuresAlarm: 255,
  subscriptionErrorsAlarm: 255,
  subscriptionThrottlingAlarm: 255,
  reconciliationAlarm: 255,
  opsTopic: 256,
  tamperTrailMetricFilter: 512,
  tamperLogsMetricFilter: 512,
  tamperEnricherMetricFilter: 512,
  tamperDigestMetricFilter: 512,
  tamperTopicsMetricFilter: 512,
  tamperTrailAlarm: 255,
  tamperLogsAlarm: 255,
  tamperFunctionsAlarm: 255,
  tamperTopicsAlarm: 255,
};

/** CloudWatch metric names: 1-255 characters. */
export const METRIC_NAME_LIMIT = 255;

/** Characters of the hash that marks a changed name part. */
const HASH_LENGTH = 8;
/** An app name part is at most this long once changed (so every kind keeps room for the stage). */
const APP_PART_LIMIT = 24;
/** `-` and the hash: the least room a changed part needs. */
const HASHED_MIN = HASH_LENGTH + 1;

/** A name or its parts cannot be made to fit (a suffix or an explicit `maxLength` too long). */
export class NamingError extends Error {
  override name = "NamingError";
}

/** Lower-case letters and digits in runs joined by single hyphens: valid in every AWS name here. */
const CANONICAL = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function shortHash(raw: string): string {
  return createHash("sha256").update(raw, "utf8").digest("hex").slice(0, HASH_LENGTH);
}

/**
 * A name part within `max` characters: `raw` itself when canonical and short enough, else its
 * slug cut to fit, `-`, and the hash of `raw` (only the hash if nothing of the slug is left).
 */
function namePart(raw: string, max: number): string {
  if (CANONICAL.test(raw) && raw.length <= max) return raw;
  if (max < HASH_LENGTH) throw new NamingError(`no room for "${raw}" in a name part of ${max} characters`);
  const kept = slug(raw)
    .slice(0, Math.max(0, max - HASHED_MIN))
    .replace(/-+$/, "");
  return kept ? `${kept}-${shortHash(raw)}` : shortHash(raw);
}

/**
 * `<app><sep><stage>` in at most `max` characters: unchanged when both parts are canonical and
 * it fits; otherwise each part through {@link namePart} (the app part first, at most 24).
 */
function stageId(ref: StageRef, sep: string, max: number): string {
  const plain = `${ref.app}${sep}${ref.stage}`;
  if (CANONICAL.test(ref.app) && CANONICAL.test(ref.stage) && plain.length <= max) return plain;
  const app = namePart(ref.app, Math.min(APP_PART_LIMIT, max));
  return `${app}${sep}${namePart(ref.stage, max - app.length - sep.length)}`;
}

/** `<app>-<stage>-<suffix>` within `maxLength` (default: the kind's AWS limit, {@link NAME_LIMITS}). */
export function resourceName(ref: StageRef, kind: ResourceKind, maxLength = NAME_LIMITS[kind]): string {
  const suffix = slug(RESOURCE_SUFFIXES[kind]);
  return `${stageId(ref, "-", maxLength - suffix.length - 1)}-${suffix}`;
}

/**
 * Every named resource of a stage, by kind: how the CLI finds what `stacks/` created. The log
 * group and the demo secret have their own rules; the trail bucket's real name also carries
 * the account ({@link trailBucketName}).
 */
export function stageResources(ref: StageRef): Record<ResourceKind, string> {
  const kinds = Object.keys(RESOURCE_SUFFIXES) as ResourceKind[];
  const names = Object.fromEntries(kinds.map((kind) => [kind, resourceName(ref, kind)])) as Record<
    ResourceKind,
    string
  >;
  return { ...names, logGroup: logGroupName(ref), demoSecret: demoSecretName(ref) };
}

/**
 * The names of every alarm of the stage (the kinds whose key ends in `Alarm`): what the topic
 * policies let CloudWatch publish for, name by name. A prefix with `*` would also admit
 * another stage whose name merely starts the same (`dev` and `dev-alice`).
 */
export function stageAlarmNames(ref: StageRef): string[] {
  const kinds = (Object.keys(RESOURCE_SUFFIXES) as ResourceKind[]).filter((k) => k.endsWith("Alarm"));
  return kinds.map((kind) => resourceName(ref, kind));
}

/**
 * The demo secret keeps the classic tutorial's mixed-case name `TopSecretInfo` after the
 * stage (Secrets Manager names are case-sensitive and allow upper case).
 */
export function demoSecretName(ref: StageRef): string {
  const suffix = RESOURCE_SUFFIXES.demoSecret;
  return `${stageId(ref, "-", NAME_LIMITS.demoSecret - suffix.length - 1)}-${suffix}`;
}

/** Name of the stage's log group, `/<app>/<stage>/cloudtrail` (CloudWatch Logs allows `/`). */
export function logGroupName(ref: StageRef): string {
  const suffix = RESOURCE_SUFFIXES.logGroup;
  return `/${stageId(ref, "/", NAME_LIMITS.logGroup - suffix.length - 2)}/${suffix}`;
}

/**
 * S3 bucket names are global: add the account ID so the same app and stage can deploy in
 * two accounts. At most 63 characters.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function trailBucketName(ref: StageRef, accountId: string): string {
  const tail = `-${accountId}`;
  return resourceName(ref, "trailBucket", NAME_LIMITS.trailBucket - tail.length) + tail;
}

/** The metric that counts secret reads. The stage is in the name: filters take no constant dimensions. */
export function secretAccessMetricName(ref: StageRef): string {
  const [start, end] = ["Secret is accessed (", ")"];
  return `${start}${stageId(ref, "-", METRIC_NAME_LIMIT - start.length - end.length)}${end}`;
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
  /** Messages a redelivered payload did not send again: an earlier delivery already had (exactly-once). */
  alertsAlreadySent: "AlertsAlreadySent",
  /**
   * `GetSecretValue` records the enricher decoded, before de-duplication and any suppression,
   * dated by their log event's minute: what the reconciliation alarm compares with the metric
   * filter's count (stacks/monitoring.ts).
   */
  readsAssessed: "ReadsAssessed",
  /** Tamper and exposure events of the stage the enricher assessed. */
  tamperHits: "TamperHits",
} as const;

/**
 * `secretwatch history` (stacks/history.ts): the Athena workgroup, the Glue database and table,
 * and the bucket of query results. Glue and Athena names allow lower-case letters, digits and
 * underscores only, so the database name is the stage ID with `_` for `-` (a canonical part has
 * no `_`, so two stages never share it).
 * @see https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
 * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html (128)
 * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-catalog-databases.html (255)
 */
export const HISTORY_NAME_LIMITS = { workgroup: 128, database: 255, resultsBucket: 63 } as const;

/** The CloudTrail table in the history database. */
export const HISTORY_TABLE_NAME = "cloudtrail";

/** `<app>-<stage>-history`: the stage's Athena workgroup. */
export function historyWorkgroupName(ref: StageRef): string {
  const suffix = "-history";
  return `${stageId(ref, "-", HISTORY_NAME_LIMITS.workgroup - suffix.length)}${suffix}`;
}

/** `<app>_<stage>_history`: the stage's Glue database. */
export function historyDatabaseName(ref: StageRef): string {
  const suffix = "-history";
  return `${stageId(ref, "-", HISTORY_NAME_LIMITS.database - suffix.length)}${suffix}`.replaceAll("-", "_");
}

/** `<app>-<stage>-history-<account>`: the bucket of Athena query results (S3 names are global). */
export function historyResultsBucketName(ref: StageRef, accountId: string): string {
  const tail = `-history-${accountId}`;
  return `${stageId(ref, "-", HISTORY_NAME_LIMITS.resultsBucket - tail.length)}${tail}`;
}

/**
 * The history table's partition keys, projected from the archive's key layout
 * `<prefix>/<account>/CloudTrail/<region>/<yyyy/MM/dd>/`: what stacks/history.ts declares and
 * the CLI's queries constrain. (`logdate`, not AWS's example `timestamp`: a type name, quoted in every query.)
 */
export const HISTORY_PARTITION_KEYS = { account: "account", region: "region", date: "logdate" } as const;
