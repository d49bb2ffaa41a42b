/**
 * The one source of truth for which CloudTrail events are secret-value retrievals, and the
 * CloudWatch Logs filter patterns built from them and from the tamper catalog
 * (tamper/catalog.ts). The infra (metric and subscription filters), the enricher and the CLI
 * all import these.
 *
 * Every pattern compares fields (`$.eventName = "..."`): a bare term would also match a record
 * that merely mentions the text, such as a policy document granting `secretsmanager:GetSecretValue`.
 * A pattern holds at most 1,024 characters ({@link FILTER_PATTERN_MAX}); a log group takes two
 * subscription filters and 100 metric filters.
 *
 * Which tamper events go where: the enricher's one subscription filter carries the events it can
 * still report in detail; the events after which it may not (its subscription filter deleted or
 * replaced, its own function changed or deleted, the topic deleted) and the trail's own changes
 * also go to tamper metric filters with their own alarms, independent of the Lambda. The
 * patterns of the tamper filters name this stage's resources exactly (no wildcards: a wildcard
 * is documented only at the end of a value).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import { TAMPER_EVENTS, type TamperMetricGroup } from "./tamper/catalog.js";
import type { SecretAccess } from "./types.js";

/** `eventSource` of every Secrets Manager API call. */
export const SECRETS_MANAGER_SOURCE = "secretsmanager.amazonaws.com";

/** Reading one secret's value. Also logged once per secret returned by a batch call. */
export const GET_SECRET_VALUE = "GetSecretValue";

/** Reading many secrets at once; each returned secret is also logged as a GetSecretValue. */
export const BATCH_GET_SECRET_VALUE = "BatchGetSecretValue";

/** Every event name that retrieves a secret value. */
export const SECRET_VALUE_EVENTS = [GET_SECRET_VALUE, BATCH_GET_SECRET_VALUE] as const;

export type SecretValueEventName = (typeof SECRET_VALUE_EVENTS)[number];

/** `name` as one of {@link SECRET_VALUE_EVENTS}, or undefined (a loop, not a closure: it runs per read). */
export function secretValueEventName(name: unknown): SecretValueEventName | undefined {
  for (const known of SECRET_VALUE_EVENTS) if (known === name) return known;
  return undefined;
}

/**
 * A read made by a BatchGetSecretValue call (by its name, or by the batch details only such a
 * call has): the one test of it for assessment, grouping, the alert text and the JSON lines.
 */
export function isBatchRead(hit: Pick<SecretAccess, "eventName" | "batch">): boolean {
  return hit.eventName === BATCH_GET_SECRET_VALUE || hit.batch !== null;
}

/** CloudWatch namespace of the secret-access metric (and of the tamper metrics). */
export const METRIC_NAMESPACE = "SecurityMetrics";

/** Longest `filterPattern` CloudWatch Logs accepts. */
export const FILTER_PATTERN_MAX = 1024;

/** A filter pattern would be over {@link FILTER_PATTERN_MAX}, or a value cannot go into one. */
export class FilterPatternError extends Error {
  override name = "FilterPatternError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `pattern`, or a {@link FilterPatternError} when it is longer than CloudWatch Logs accepts. */
export function checkedPattern(pattern: string, what: string): string {
  if (pattern.length > FILTER_PATTERN_MAX) {
    throw new FilterPatternError(
      `The ${what} filter pattern is ${pattern.length} characters; CloudWatch Logs accepts at most ${FILTER_PATTERN_MAX}`,
    );
  }
  return pattern;
}

/**
 * JSON filter pattern that matches records whose `eventSource` is Secrets Manager and whose
 * `eventName` is one of `names`. A JSON pattern compares fields; a bare term such as
 * `GetSecretValue` would also match a policy document that merely mentions the action.
 */
export function jsonFilterPattern(names: readonly string[]): string {
  if (names.length === 0) throw new RangeError("jsonFilterPattern needs at least one event name");
  const byName = names.map((name) => `($.eventName = "${name}")`).join(" || ");
  const namePart = names.length > 1 ? `(${byName})` : byName;
  return `{ ($.eventSource = "${SECRETS_MANAGER_SOURCE}") && ${namePart} }`;
}

/**
 * Metric filter pattern: counts each secret read once. BatchGetSecretValue is left out
 * because Secrets Manager logs one GetSecretValue per secret it returns.
 */
export const METRIC_FILTER_PATTERN = jsonFilterPattern([GET_SECRET_VALUE]);

/** `$.<path>="<value>"`, written compactly (the syntax allows no spaces) to fit more in 1,024. */
function eq(path: string, value: string): string {
  if (/["\\]/.test(value) || value === "")
    throw new FilterPatternError(`cannot put ${JSON.stringify(value)} in a filter pattern`);
  return `$.${path}="${value}"`;
}
const anyOf = (parts: readonly string[]) => (parts.length === 1 ? parts[0]! : `(${parts.join("||")})`);
const distinct = (names: readonly string[]) => [...new Set(names)];

/** Event names of the tamper events in the enricher's subscription filter (catalog order, once each). */
export const TAMPER_SUBSCRIPTION_EVENTS: readonly string[] = distinct(
  TAMPER_EVENTS.filter((e) => e.subscription).flatMap((e) => e.recorded),
);

/**
 * Sources whose tamper event names are common elsewhere (Glue's UpdateTable and DeleteTable, from
 * every crawler and DROP TABLE): the pattern compares their source too, where the room allows.
 */
const SOURCE_CHECKED = ["dynamodb.amazonaws.com"];

/** The tamper part of the subscription pattern: names by source for SOURCE_CHECKED, bare names for the rest. */
function tamperSubscriptionPart(): string {
  const specs = TAMPER_EVENTS.filter((e) => e.subscription);
  const names = (source: string) => distinct(specs.filter((e) => e.source === source).flatMap((e) => e.recorded));
  const elsewhere = new Set(specs.filter((e) => !SOURCE_CHECKED.includes(e.source)).flatMap((e) => e.recorded));
  const parts: string[] = [];
  for (const name of TAMPER_SUBSCRIPTION_EVENTS) {
    const source = SOURCE_CHECKED.find((s) => names(s).includes(name));
    if (source === undefined || elsewhere.has(name)) parts.push(eq("eventName", name));
  }
  for (const source of SOURCE_CHECKED) {
    const only = names(source).filter((n) => !elsewhere.has(n));
    if (only.length > 0) parts.push(`(${eq("eventSource", source)}&&${anyOf(only.map((n) => eq("eventName", n)))})`);
  }
  return parts.join("||");
}

/**
 * Subscription filter pattern: the enricher sees reads, batch reads (Secrets Manager only) and the
 * tamper events of {@link TAMPER_SUBSCRIPTION_EVENTS} by event name (DynamoDB's by source and name;
 * the classifier checks the source and the stage's resources of all). Within 1,024 characters (tested).
 */
export const SUBSCRIPTION_FILTER_PATTERN = checkedPattern(
  `{(${eq("eventSource", SECRETS_MANAGER_SOURCE)}&&${anyOf(SECRET_VALUE_EVENTS.map((n) => eq("eventName", n)))})||${tamperSubscriptionPart()}}`,
  "subscription",
);

/** What each tamper metric filter compares the resource with: the request parameters, in order of use. */
export const TAMPER_METRIC_TARGET_KEYS: Readonly<Record<TamperMetricGroup, readonly string[]>> = {
  trail: ["name", "trailName"],
  logs: ["logGroupName"],
  functions: ["functionName"],
  topics: ["topicArn"],
  kms: ["keyId"],
};

/** The event source and recorded event names a tamper metric filter counts (from the catalog). */
export function tamperMetricEvents(group: TamperMetricGroup): { source: string; names: string[] } {
  const specs = TAMPER_EVENTS.filter((e) => e.metric === group);
  const source = specs[0]?.source;
  if (source === undefined || specs.some((e) => e.source !== source)) {
    throw new FilterPatternError(`tamper metric group ${group} must have events of exactly one source`);
  }
  return { source, names: distinct(specs.flatMap((e) => e.recorded)) };
}

/**
 * The pattern of one tamper metric filter: the group's events whose resource parameter is exactly
 * one of `resources` (names and ARNs, in every form the APIs accept: the caller lists them). With
 * `resources` null (a trail we do not know, for an existing log group), any resource counts.
 */
export function tamperMetricPattern(group: TamperMetricGroup, resources: readonly string[] | null): string {
  const { source, names } = tamperMetricEvents(group);
  if (resources !== null && resources.length === 0) {
    throw new FilterPatternError(`the ${group} tamper metric filter needs at least one resource`);
  }
  const parts = [eq("eventSource", source), anyOf(names.map((n) => eq("eventName", n)))];
  if (resources !== null) {
    const keys = TAMPER_METRIC_TARGET_KEYS[group];
    parts.push(anyOf(distinct(resources).flatMap((r) => keys.map((k) => eq(`requestParameters.${k}`, r)))));
  }
  return checkedPattern(`{${parts.join("&&")}}`, `${group} tamper metric`);
}
