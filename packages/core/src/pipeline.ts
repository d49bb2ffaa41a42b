/**
 * decode → select → enrich → plan, as one pure step shared by the enricher Lambda and the
 * CLI's replay. Per-record problems come back as data; nothing here throws for one bad record.
 */
import type { DecodedLogEvent, DecodedPayload, MalformedMessage } from "./decode.js";
import { enrichRecord } from "./enrich.js";
import { type Plan, type PlanOptions, planMessages } from "./plan.js";
import { isSecretValueRetrieval } from "./select.js";
import type { SecretAccess } from "./types.js";

export interface ProcessOptions extends PlanOptions {
  /** The time of processing, for delivery lag. */
  now: Date;
}

export interface ProcessResult {
  /** CloudTrail records decoded from the payload. */
  records: number;
  /** Messages that were not CloudTrail records (counted, skipped). */
  malformed: MalformedMessage[];
  /** Secret-value retrievals, enriched, in payload order. */
  hits: SecretAccess[];
  /** The SNS messages to publish for `hits`. */
  plan: Plan;
}

/** Selects and enriches the secret-value retrievals among decoded log events. */
export function enrichEvents(events: readonly DecodedLogEvent[], now: Date): SecretAccess[] {
  const hits: SecretAccess[] = [];
  for (const event of events) {
    if (isSecretValueRetrieval(event.record)) hits.push(enrichRecord(event.record, { now }));
  }
  return hits;
}

/**
 * Turns one decoded CloudWatch Logs subscription payload into the alerts to publish.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */
export function processPayload(payload: DecodedPayload, options: ProcessOptions): ProcessResult {
  const { now, ...planOptions } = options;
  const hits = enrichEvents(payload.events, now);
  return { records: payload.events.length, malformed: payload.malformed, hits, plan: planMessages(hits, planOptions) };
}
