/**
 * Which CloudTrail records are secret-value retrievals. Fields are compared exactly, never
 * searched as text: a policy document that mentions `secretsmanager:GetSecretValue` is not a read.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import { SECRET_VALUE_EVENTS, SECRETS_MANAGER_SOURCE } from "./events.js";
import type { CloudTrailRecord } from "./types.js";

const SECRET_VALUE_EVENT_NAMES: ReadonlySet<unknown> = new Set<string>(SECRET_VALUE_EVENTS);

/**
 * True when `record` is a Secrets Manager `GetSecretValue` or `BatchGetSecretValue` call
 * (successful or not).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html
 */
export function isSecretValueRetrieval(record: CloudTrailRecord): boolean {
  return record.eventSource === SECRETS_MANAGER_SOURCE && SECRET_VALUE_EVENT_NAMES.has(record.eventName);
}

/**
 * Keeps the entries whose record is a secret-value retrieval, in their original order.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html
 */
export function selectSecretValueRetrievals<T extends { record: CloudTrailRecord }>(events: T[]): T[] {
  return events.filter((event) => isSecretValueRetrieval(event.record));
}
