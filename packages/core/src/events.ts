/**
 * The one source of truth for which CloudTrail events are secret-value retrievals, and the
 * CloudWatch Logs filter patterns built from them. The infra (metric and subscription
 * filters), the enricher and the CLI all import these.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */

/** `eventSource` of every Secrets Manager API call. */
export const SECRETS_MANAGER_SOURCE = "secretsmanager.amazonaws.com";

/** Reading one secret's value. Also logged once per secret returned by a batch call. */
export const GET_SECRET_VALUE = "GetSecretValue";

/** Reading many secrets at once; each returned secret is also logged as a GetSecretValue. */
export const BATCH_GET_SECRET_VALUE = "BatchGetSecretValue";

/** Every event name that retrieves a secret value. */
export const SECRET_VALUE_EVENTS = [GET_SECRET_VALUE, BATCH_GET_SECRET_VALUE] as const;

export type SecretValueEventName = (typeof SECRET_VALUE_EVENTS)[number];

/** CloudWatch namespace of the secret-access metric. */
export const METRIC_NAMESPACE = "SecurityMetrics";

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

/** Subscription filter pattern: the enricher sees reads and the batch calls themselves. */
export const SUBSCRIPTION_FILTER_PATTERN = jsonFilterPattern(SECRET_VALUE_EVENTS);
