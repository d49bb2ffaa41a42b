/**
 * The integration hook: the tamper hits of one batch of decoded events, and the SNS messages to
 * publish for them, in the planner's {@link PlannedMessage} shape (subject, message, attributes,
 * event IDs, fallback), so the enricher publishes them through the same publish and exactly-once
 * path as read alerts. One alert per hit at or above `notify`; high and critical always get their
 * own, the rest fill up to `maxMessages`, and the hits beyond go into summaries (every published
 * hit is in exactly one message). Repeated events (same event ID) are dropped.
 *
 * Attributes: `kind` (alert|summary), `category` = `tamper`, `eventName` (the catalog's API name),
 * `outcome`, `severity`, `reasons`: all constants of ours, never record text.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import { type AlertContext, type StringAttributes, SUBJECT_MAX, subjectPrefix } from "../format.js";
import { messageSize, type PlannedMessage, SNS_MAX_MESSAGE_BYTES, severityAttributes } from "../plan.js";
import { toBodyText, toSubjectText } from "../sanitize.js";
import { atLeast, maxSeverity, type Severity, severityLabel, severityRank } from "../severity.js";
import type { CloudTrailRecord } from "../types.js";
import { classifyTamperOrBare, type TamperHit } from "./classify.js";
import { tamperBody, tamperFallback, tamperSubject, tamperTitle } from "./message.js";
import type { TamperScope } from "./scope.js";

export interface TamperPlanOptions extends AlertContext {
  scope: TamperScope;
  /** The policy's notify (default medium): lower hits are counted, not published. */
  notify?: Severity;
  /** Alerts per invocation before the rest (medium and lower) go into a summary. Default 10. */
  maxMessages?: number;
}

export interface TamperDecision {
  hit: TamperHit;
  outcome: "alert" | "summary" | "below-notify";
}

export interface TamperPlan {
  /** Distinct tamper hits, in payload order. */
  hits: TamperHit[];
  messages: PlannedMessage[];
  decisions: TamperDecision[];
  duplicatesDropped: number;
}

const DEFAULT_MAX_MESSAGES = 10;
/** Hits per summary message: far below the SNS limit at ~700 bytes a line. */
const SUMMARY_CHUNK = 100;
const attribute = (StringValue: string) => ({ DataType: "String" as const, StringValue });

/** The distinct tamper hits among records (a record without an event ID is always distinct). */
export function tamperHits(records: readonly CloudTrailRecord[], scope: TamperScope, notify: Severity = "medium") {
  const seen = new Set<string>();
  const hits: TamperHit[] = [];
  let duplicates = 0;
  for (const record of records) {
    const hit = classifyTamperOrBare(record, scope, notify);
    if (hit === null) continue;
    if (hit.eventID !== "" && seen.has(hit.eventID)) {
      duplicates++;
      continue;
    }
    if (hit.eventID !== "") seen.add(hit.eventID);
    hits.push(hit);
  }
  return { hits, duplicates };
}

function attributesOf(kind: "alert" | "summary", hits: readonly TamperHit[]): StringAttributes {
  const severity = hits.reduce<Severity>((s, h) => maxSeverity(s, h.severity), "info");
  const reasons = [...new Set(hits.flatMap((h) => h.reasons))];
  const attributes: StringAttributes = {
    kind: attribute(kind),
    category: attribute("tamper"),
    ...severityAttributes(severity, reasons),
  };
  const apis = new Set(hits.map((h) => h.api));
  const outcomes = new Set(hits.map((h) => h.outcome));
  if (apis.size === 1) attributes.eventName = attribute([...apis][0]!);
  if (outcomes.size === 1) attributes.outcome = attribute([...outcomes][0]!);
  return attributes;
}

/** A full message, or its fallback when the full one would be over the SNS limit. */
function message(kind: "alert" | "summary", hits: TamperHit[], subject: string, body: string, ctx: AlertContext) {
  const attributes = attributesOf(kind, hits);
  const fallback = { ...tamperFallback(hits, ctx), attributes };
  const full = { subject, message: body, attributes };
  const chosen = messageSize(full) <= SNS_MAX_MESSAGE_BYTES ? full : fallback;
  return { ...chosen, kind, eventIDs: hits.map((h) => h.eventID), fallback } satisfies PlannedMessage;
}

const show = (value: unknown, bytes: number) => toBodyText(value, bytes) || "(not recorded)";

function summary(hits: TamperHit[], ctx: AlertContext, part: [number, number]): PlannedMessage {
  const severity = hits.reduce<Severity>((s, h) => maxSeverity(s, h.severity), "info");
  const label = part[1] > 1 ? ` (part ${part[0]}/${part[1]})` : "";
  const subject = toSubjectText(
    `${severityLabel(severity)} ${subjectPrefix(ctx)} tamper summary: ${hits.length} more change(s)${label}`,
    SUBJECT_MAX,
  );
  const lines = [
    `Tamper summary - ${hits.length} more change(s) than this invocation sends as separate alerts${label}`,
    "number. severity | what | API on resource | by principal | time | event ID | reasons",
    "",
    ...hits.map(
      (h, i) =>
        `  ${i + 1}. ${severityLabel(h.severity)} | ${tamperTitle(h)}${h.notice ? ` (notice: ${h.deployTool})` : ""} | ${h.api} on ${show(h.resource, 200)} | by ${show(h.identity.label, 160)} | ${show(h.eventTime, 64)} | ${show(h.eventID, 100)} | ${h.reasons.join(",")}`,
    ),
  ];
  return message("summary", hits, subject, lines.join("\n"), ctx);
}

/**
 * The tamper hits of `records` for this stage and the messages to publish for them.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function planTamper(records: readonly CloudTrailRecord[], options: TamperPlanOptions): TamperPlan {
  const notify = options.notify ?? "medium";
  const limit = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError("maxMessages must be an integer >= 0");
  const ctx = { app: options.app, stage: options.stage };
  const { hits, duplicates } = tamperHits(records, options.scope, notify);
  const decisions: TamperDecision[] = [];
  const mailed: TamperHit[] = [];
  for (const hit of hits) {
    if (atLeast(hit.severity, notify)) mailed.push(hit);
    else decisions.push({ hit, outcome: "below-notify" });
  }
  // Highest severity first (stable: payload order among equals).
  mailed.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const urgent = mailed.filter((h) => atLeast(h.severity, "high")).length;
  const alerts = mailed.slice(0, Math.max(urgent, limit));
  const rest = mailed.slice(alerts.length);
  const messages = alerts.map((hit) => message("alert", [hit], tamperSubject(hit, ctx), tamperBody(hit, ctx), ctx));
  const chunks = Math.ceil(rest.length / SUMMARY_CHUNK);
  for (let i = 0; i < chunks; i++) {
    messages.push(summary(rest.slice(i * SUMMARY_CHUNK, (i + 1) * SUMMARY_CHUNK), ctx, [i + 1, chunks]));
  }
  for (const hit of alerts) decisions.push({ hit, outcome: "alert" });
  for (const hit of rest) decisions.push({ hit, outcome: "summary" });
  return { hits, messages, decisions, duplicatesDropped: duplicates };
}
