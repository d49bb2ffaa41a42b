/**
 * decode → select → enrich → assess → plan, as one pure step shared by the enricher Lambda and
 * the CLI. Per-record problems come back as data; nothing here throws for one bad record.
 */
import { type AssessContext, alertMemoOf, assessHits, eventMillis, repeatKeyOf } from "./assess.js";
import type { DecodedLogEvent, DecodedPayload, MalformedMessage } from "./decode.js";
import { enrichRecord } from "./enrich.js";
import { type Plan, type PlanOptions, planMessages } from "./plan.js";
import { isSecretValueRetrieval } from "./select.js";
import type { StateUpdate } from "./state.js";
import type { AssessedAccess, SecretAccess } from "./types.js";

export interface ProcessOptions extends Omit<PlanOptions, "notify">, AssessContext {
  /** The time of processing, for delivery lag; null when unknown. */
  now: Date | null;
}

export interface ProcessResult {
  /** CloudTrail records decoded from the payload. */
  records: number;
  /** Messages that were not CloudTrail records (counted, skipped). */
  malformed: MalformedMessage[];
  /** Secret-value retrievals, enriched and assessed, in payload order. */
  hits: AssessedAccess[];
  /** The SNS messages to publish for `hits`. */
  plan: Plan;
  /** What to remember once the messages were published. */
  update: StateUpdate;
}

/** Selects and enriches the secret-value retrievals among decoded log events. */
export function enrichEvents(events: readonly DecodedLogEvent[], now: Date | null): SecretAccess[] {
  const hits: SecretAccess[] = [];
  for (const event of events) {
    if (isSecretValueRetrieval(event.record)) hits.push(enrichRecord(event.record, { now }));
  }
  return hits;
}

/** Assesses and plans enriched hits: the step replay, lookup and the Lambda share. */
export function assessAndPlan(
  hits: readonly SecretAccess[],
  options: Omit<ProcessOptions, "now">,
): { hits: AssessedAccess[]; plan: Plan; update: StateUpdate } {
  const { matcher, snapshot, policyUnavailable, noSuppression, baselineUntil, learning, ...planOptions } = options;
  const { assessed, update } = assessHits(hits, {
    matcher,
    snapshot,
    ...(policyUnavailable !== undefined && { policyUnavailable }),
    ...(noSuppression !== undefined && { noSuppression }),
    ...(learning !== undefined && { learning }),
    ...(baselineUntil !== undefined && { baselineUntil }),
  });
  const plan = planMessages(assessed, { ...planOptions, notify: matcher.policy.notify });
  return { hits: assessed, plan, update };
}

/**
 * Turns one decoded CloudWatch Logs subscription payload into the alerts to publish.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */
export function processPayload(payload: DecodedPayload, options: ProcessOptions): ProcessResult {
  const { now, ...rest } = options;
  const { hits, plan, update } = assessAndPlan(enrichEvents(payload.events, now), rest);
  return { records: payload.events.length, malformed: payload.malformed, hits, plan, update };
}

/**
 * The alert memos to remember once a plan's messages were published: per repeat key (actor ×
 * secret × outcome), the latest event time emailed and its severity, source class and client.
 */
export function emailedMemos(plan: Plan): StateUpdate["alerts"] {
  const memos = new Map<string, StateUpdate["alerts"][number]>();
  for (const group of plan.emailed) {
    for (const hit of group.hits) {
      const time = eventMillis(hit.eventTime);
      if (time === null) continue;
      const key = repeatKeyOf(hit);
      const old = memos.get(key);
      if (!old || old.memo.time <= time) memos.set(key, { key, memo: alertMemoOf(hit, time) });
    }
  }
  return [...memos.values()];
}
