/**
 * decode → select → enrich → assess → plan, as one pure step shared by the enricher Lambda and
 * the CLI. Per-record problems come back as data; nothing here throws for one bad record.
 */
import { type AssessContext, alertMemoOf, assessHits, eventMillis, repeatKeyOf } from "./assess.js";
import { type DecodedLogEvent, type DecodedPayload, decodeSubscriptionData, type MalformedMessage } from "./decode.js";
import { enrichOrBare } from "./enrich.js";
import { GET_SECRET_VALUE, SECRETS_MANAGER_SOURCE } from "./events.js";
import { type Plan, type PlanOptions, planMessages } from "./plan.js";
import { isSecretValueRetrieval } from "./select.js";
import type { StateUpdate } from "./state.js";
import { tamperSpecFor } from "./tamper/catalog.js";
import { planTamper, type TamperPlan } from "./tamper/pipeline.js";
import { EMPTY_SCOPE, type TamperScope } from "./tamper/scope.js";
import type { AssessedAccess, CloudTrailRecord, SecretAccess } from "./types.js";

export interface ProcessOptions extends Omit<PlanOptions, "notify">, AssessContext {
  /** The time of processing, for delivery lag; null when unknown. */
  now: Date | null;
  /** This stage's resources, for tamper alerts (default: none, so only Secrets Manager's, which concern every secret). */
  tamperScope?: TamperScope;
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
  /** Tamper and exposure events of the stage, and their messages (published like `plan.messages`). */
  tamper: TamperPlan;
}

/** Selects and enriches the secret-value retrievals among decoded log events. */
export function enrichEvents(events: readonly DecodedLogEvent[], now: Date | null): SecretAccess[] {
  const hits: SecretAccess[] = [];
  for (const event of events) {
    if (isSecretValueRetrieval(event.record)) hits.push(enrichOrBare(event.record, { now }));
  }
  return hits;
}

/**
 * The `GetSecretValue` records among decoded log events, counted per minute of their log
 * event's timestamp (epoch ms of the minute → count), before de-duplication and suppression:
 * the enricher's side of the reconciliation alarm, which compares it with the metric filter's
 * count of the same records over an hour.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html
 */
export function readsByMinute(events: readonly DecodedLogEvent[]): Map<number, number> {
  const minutes = new Map<number, number>();
  for (const { record, timestamp } of events) {
    if (record.eventSource !== SECRETS_MANAGER_SOURCE || record.eventName !== GET_SECRET_VALUE) continue;
    if (!Number.isFinite(timestamp)) continue;
    const minute = Math.floor(timestamp / 60_000) * 60_000;
    minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
  }
  return minutes;
}

/** What the enricher keeps of one decoded payload (see {@link decodeAndSelect}). */
export interface SelectedPayload {
  logGroup: string;
  messageType: string;
  /** CloudTrail records decoded. */
  records: number;
  malformed: MalformedMessage[];
  /** The secret-value retrievals, enriched. */
  hits: SecretAccess[];
  /** Records of a tamper event kind (the catalog's sources and names), for `planTamper`. */
  tamperRecords: CloudTrailRecord[];
  /** {@link readsByMinute} of the payload. */
  readsByMinute: Map<number, number>;
  /** The earliest event time among `hits` (epoch ms), null when none has one: whether the payload came late. */
  earliestHitMs: number | null;
}

/**
 * Decodes `awslogs.data` in one pass and keeps only what the enricher uses: the enriched reads,
 * the tamper candidates, the per-minute read counts and the counts. The decoded records are
 * garbage as soon as it returns: a handler that held the payload until it was done had every
 * young-generation collection copy a megabyte of records. Throws what `decodeSubscriptionData` throws.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */
export function decodeAndSelect(data: string, now: Date | null): SelectedPayload {
  const payload = decodeSubscriptionData(data);
  const hits: SecretAccess[] = [];
  const tamperRecords: CloudTrailRecord[] = [];
  const ctx = { now };
  let earliest = Infinity;
  for (const { record } of payload.events) {
    if (isSecretValueRetrieval(record)) {
      const hit = enrichOrBare(record, ctx);
      hits.push(hit);
      // While the read is at hand: the handler asks whether any came late.
      const time = eventMillis(hit.eventTime);
      if (time !== null && time < earliest) earliest = time;
    } else if (tamperSpecFor(record.eventSource, record.eventName) !== null) tamperRecords.push(record);
  }
  return {
    logGroup: payload.logGroup,
    messageType: payload.messageType,
    records: payload.events.length,
    malformed: payload.malformed,
    hits,
    tamperRecords,
    readsByMinute: readsByMinute(payload.events),
    earliestHitMs: earliest === Infinity ? null : earliest,
  };
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
  const { now, tamperScope, ...rest } = options;
  const { hits, plan, update } = assessAndPlan(enrichEvents(payload.events, now), rest);
  const tamper = planTamper(
    payload.events.map((e) => e.record),
    {
      scope: tamperScope ?? EMPTY_SCOPE,
      notify: options.matcher.policy.notify,
      app: options.app,
      stage: options.stage,
      ...(options.maxMessages !== undefined && { maxMessages: options.maxMessages }),
    },
  );
  return { records: payload.events.length, malformed: payload.malformed, hits, plan, update, tamper };
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
