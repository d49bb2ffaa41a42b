/**
 * Tamper and exposure events for the CLI (replay, lookup, history): the stage's scope as the
 * enricher builds it (`stageTamperScope`), classified and planned by the enricher's own core
 * functions (`classifyTamperOrBare`, `planTamper`). Only the topic ARNs differ: the enricher knows them
 * from its environment, the CLI does not know the stage's account or Region, so a topic of the
 * stage is matched by its name (`<app>-<stage>-alerts`, `-pager`, `-ops`) in any account and
 * Region, as scope.ts already does for every other kind (over-reporting, never under-reporting).
 *
 * Without a stage, the scope is empty: only Secrets Manager events, which concern every secret.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html (TopicArn)
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
import {
  type CloudTrailRecord,
  classifyTamperOrBare,
  EMPTY_SCOPE,
  isJsonObject,
  planTamper,
  resourceName,
  resourceRef,
  SECRETS_SOURCE,
  type Severity,
  SNS_SOURCE,
  type StageRef,
  stageTamperScope,
  TAMPER_EVENTS,
  type TamperEventSpec,
  type TamperHit,
  type TamperPlan,
  type TamperScope,
  tamperSpecFor,
} from "@secretwatch/core";

/** What the CLI classifies tamper records with; plain data (it goes to replay's worker threads). */
export interface TamperSettings {
  scope: TamperScope;
  /** Names of the stage's topics, matched in any account and Region. */
  topicNames: string[];
  /** The policy's notify: the deploy-tool notice never goes below it. */
  notify: Severity;
}

/** The stage's names, or none (null): only Secrets Manager events. */
export function tamperSettings(
  ref: StageRef | null,
  options: { existingLogGroup?: string | null; notify?: Severity } = {},
): TamperSettings {
  const notify = options.notify ?? "medium";
  if (ref === null) return { scope: EMPTY_SCOPE, topicNames: [], notify };
  return {
    scope: stageTamperScope(ref, { existingLogGroup: options.existingLogGroup ?? null }),
    topicNames: (["topic", "pagerTopic", "opsTopic"] as const).map((kind) => resourceName(ref, kind)),
    notify,
  };
}

/**
 * The event names, as CloudTrail writes them, that can be hits with these settings (the catalog
 * entries whose resource kind has something in scope: only Secrets Manager's without a stage):
 * what lookup and history query for. A name shared by two services (`RemovePermission`) is
 * listed once.
 */
export function tamperEventNames(settings: TamperSettings): string[] {
  const specs = TAMPER_EVENTS.filter((spec) => canMatch(spec, settings));
  return [...new Set(specs.flatMap((spec) => spec.recorded))];
}

/** The tamper event names of one event source, for a query (history's SQL). */
export interface TamperQueryEvents {
  source: string;
  names: string[];
}

/** {@link tamperEventNames} grouped by event source, in catalog order. */
export function tamperQueryEvents(settings: TamperSettings): TamperQueryEvents[] {
  const bySource = new Map<string, Set<string>>();
  for (const spec of TAMPER_EVENTS) {
    if (!canMatch(spec, settings)) continue;
    const names = bySource.get(spec.source) ?? new Set<string>();
    for (const name of spec.recorded) names.add(name);
    bySource.set(spec.source, names);
  }
  return [...bySource].map(([source, names]) => ({ source, names: [...names] }));
}

/**
 * Whether some event that is not Secrets Manager's can be a hit (a stage is given): only then
 * must replay's S3 fast path look at event names (Secrets Manager records pass its source needle).
 */
export function needsEventNames(settings: TamperSettings): boolean {
  return TAMPER_EVENTS.some((spec) => spec.source !== SECRETS_SOURCE && canMatch(spec, settings));
}

/** Whether a catalog entry can give a hit: its resource kind has something in scope (KMS keys: none yet). */
function canMatch(spec: TamperEventSpec, settings: TamperSettings): boolean {
  const { scope } = settings;
  switch (spec.scope) {
    case "secret":
      return true;
    case "trail":
      return scope.trails === null || scope.trails.length > 0;
    case "topic":
      return scope.topics.length + settings.topicNames.length > 0;
    case "logGroup":
      return scope.logGroups.length > 0;
    case "alarm":
      return scope.alarms.length > 0;
    case "function":
      return scope.functions.length > 0;
    case "table":
      return scope.tables.length > 0;
    case "kmsKey":
      return scope.kmsKeys.length > 0;
  }
}

/** `arn:aws:sns:us-east-1:111122223333:name` → `name` (the part after the fifth colon). */
const topicName = (arn: string) => arn.split(":").slice(5).join(":");

/** The topic ARNs named by SNS records that carry one of the stage's topic names. */
function stageTopicArns(records: Iterable<CloudTrailRecord>, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const arns = new Set<string>();
  for (const record of records) {
    if (record.eventSource !== SNS_SOURCE) continue;
    const spec = tamperSpecFor(record.eventSource, record.eventName);
    const params = isJsonObject(record.requestParameters) ? record.requestParameters : {};
    for (const key of spec?.target ?? []) {
      const topic = resourceRef("topic", params[key])?.name;
      if (topic?.startsWith("arn:") && names.includes(topicName(topic))) arns.add(topic);
    }
  }
  return [...arns];
}

/** The scope for these records: the settings' scope plus the stage's topics as these records name them. */
export function scopeFor(settings: TamperSettings, records: Iterable<CloudTrailRecord>): TamperScope {
  const topics = stageTopicArns(records, settings.topicNames);
  return topics.length === 0 ? settings.scope : { ...settings.scope, topics: [...settings.scope.topics, ...topics] };
}

/** The tamper hit of one record for this stage, or null (as the enricher would classify it). */
export function tamperHitOf(record: CloudTrailRecord, settings: TamperSettings): TamperHit | null {
  if (tamperSpecFor(record.eventSource, record.eventName) === null) return null;
  return classifyTamperOrBare(record, scopeFor(settings, [record]), settings.notify);
}

/** The enricher's tamper plan for one delivery unit's records. */
export function planTamperRecords(
  records: readonly CloudTrailRecord[],
  settings: TamperSettings,
  ctx: { app: string; stage: string; maxMessages?: number },
): TamperPlan {
  return planTamper(records, {
    scope: scopeFor(settings, records),
    notify: settings.notify,
    app: ctx.app,
    stage: ctx.stage,
    ...(ctx.maxMessages !== undefined && { maxMessages: ctx.maxMessages }),
  });
}

/** Whether a tamper hit was emailed (its own alert or in a summary). */
export function tamperEmailed(plan: TamperPlan): Map<TamperHit, boolean> {
  return new Map(plan.decisions.map((d) => [d.hit, d.outcome !== "below-notify"]));
}
