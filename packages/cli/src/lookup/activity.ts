/**
 * A principal's activity from event history (`lookup --principal`): every event, oldest
 * first, as one compact object of AWS-set fields (never `requestParameters` or
 * `responseElements` wholesale: up to 100 KB of caller-chosen text), with the secret and the
 * verdict for Secrets Manager secret-value retrievals and the stage's tamper events. Text lines sanitise every record string;
 * JSON lines keep the values as recorded but escape everything outside printable ASCII, so a
 * line shown in a terminal cannot hide or reorder text.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import {
  type AssessedAccess,
  canonicalSecretKey,
  type DecodedLogEvent,
  eventMillis,
  identityOf,
  isJsonObject,
  isSecretValueRetrieval,
  type Outcome,
  outcomeOf,
  type ReasonCode,
  SECRETS_MANAGER_SOURCE,
  SEVERITIES,
  type Severity,
  stringOrNull,
  type TamperHit,
} from "@secretwatch/core";
import { cell } from "../report.js";

/** One event of the principal: the `--format json` line. */
export interface ActivityEvent {
  eventID: string | null;
  eventTime: string | null;
  region: string | null;
  eventSource: string;
  eventName: string;
  eventType: string | null;
  readOnly: boolean | null;
  outcome: Outcome;
  errorCode: string | null;
  errorMessage: string | null;
  sourceIPAddress: string | null;
  userAgent: string | null;
  principalArn: string | null;
  identityType: string;
  accessKeyId: string | null;
  recipientAccountId: string | null;
  /** GetSecretValue or BatchGetSecretValue. */
  secretValueRead: boolean;
  /** The secret (canonical key) of a read or another Secrets Manager call; null otherwise and for batches. */
  secretId: string | null;
  /** A tamper or exposure event of the stage (replay/tamper.ts). */
  tamper: boolean;
  /** The verdict of a secret-value retrieval or tamper event; null for every other event. */
  severity: Severity | null;
  reasons: ReasonCode[] | null;
}

/** Epoch ms of an event: its `eventTime`, else LookupEvents' `EventTime`. */
function millisOf(event: DecodedLogEvent): number {
  return eventMillis(stringOrNull(event.record.eventTime)) ?? event.timestamp;
}

/** The events oldest first (ties by event ID), a new array. */
export function oldestFirst(events: readonly DecodedLogEvent[]): DecodedLogEvent[] {
  const keyed = events.map((event) => ({ event, ms: millisOf(event) }));
  keyed.sort((a, b) => a.ms - b.ms || (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0));
  return keyed.map((k) => k.event);
}

/** The secret a Secrets Manager call other than a read names, if any. */
function namedSecret(params: unknown): string | null {
  const id = isJsonObject(params) ? stringOrNull(params.secretId) : null;
  return id === null ? null : canonicalSecretKey(id).key;
}

/**
 * The activity line of one event; `read` is its assessed hit when it retrieved a secret value,
 * `change` its tamper hit when it was one.
 */
export function activityOf(
  event: DecodedLogEvent,
  read: AssessedAccess | undefined,
  change: TamperHit | undefined = undefined,
): ActivityEvent {
  const { record } = event;
  const id = identityOf(record);
  const errorCode = stringOrNull(record.errorCode) || null;
  const isRead = isSecretValueRetrieval(record);
  const eventTime =
    stringOrNull(record.eventTime) ?? (event.timestamp > 0 ? new Date(event.timestamp).toISOString() : null);
  return {
    eventID: stringOrNull(record.eventID) || event.id || null,
    eventTime,
    region: stringOrNull(record.awsRegion),
    eventSource: record.eventSource,
    eventName: record.eventName,
    eventType: stringOrNull(record.eventType),
    readOnly: typeof record.readOnly === "boolean" ? record.readOnly : null,
    outcome: outcomeOf(errorCode),
    errorCode,
    errorMessage: stringOrNull(record.errorMessage),
    sourceIPAddress: stringOrNull(record.sourceIPAddress),
    userAgent: stringOrNull(record.userAgent),
    principalArn: id.principalArn,
    identityType: id.type,
    accessKeyId: id.accessKeyId,
    recipientAccountId: stringOrNull(record.recipientAccountId),
    secretValueRead: isRead,
    secretId: isRead
      ? (read?.secretId ?? null)
      : record.eventSource === SECRETS_MANAGER_SOURCE
        ? namedSecret(record.requestParameters)
        : null,
    tamper: change !== undefined,
    severity: read?.verdict.severity ?? change?.severity ?? null,
    reasons: read ? [...read.verdict.reasons] : change ? [...change.reasons] : null,
  };
}

/**
 * The activity of `ordered` (see {@link oldestFirst}); `reads` holds one assessed hit per
 * secret-value retrieval among them, in the same order.
 */
export function activityTimeline(
  ordered: readonly DecodedLogEvent[],
  reads: readonly AssessedAccess[],
  changes: readonly TamperHit[] = [],
): ActivityEvent[] {
  let next = 0;
  // Tamper hits by event ID (the collector dropped repeats; a record without one is never a hit here).
  const byId = new Map(changes.filter((c) => c.eventID !== "").map((c) => [c.eventID, c]));
  return ordered.map((event) => {
    const read = isSecretValueRetrieval(event.record) ? reads[next++] : undefined;
    const id = stringOrNull(event.record.eventID) ?? "";
    return activityOf(event, read, id === "" ? undefined : byId.get(id));
  });
}

/** `\uNNNN` for every UTF-16 unit outside printable ASCII: still the same JSON value. */
const asciiJson = (json: string) =>
  json.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** One NDJSON line (with its newline), printable ASCII only. */
export function activityJsonLine(event: ActivityEvent): string {
  return `${asciiJson(JSON.stringify(event))}\n`;
}

const HEADER = ["TIME", "REGION", "SOURCE", "EVENT", "OUTCOME", "SOURCE IP", "SECRET", "SEVERITY"];

/** The sanitised cells of one text line. */
function textCells(e: ActivityEvent): string[] {
  const outcome = e.errorCode === null ? e.outcome : `${e.outcome} ${e.errorCode}`;
  const secret = e.secretId ?? (e.secretValueRead ? `(${e.eventName})` : null);
  return [
    cell(e.eventTime, 64),
    cell(e.region, 32),
    cell(e.eventSource, 128),
    cell(e.eventName, 128),
    cell(outcome, 160),
    cell(e.sourceIPAddress, 128),
    cell(secret, 300),
    cell(e.severity),
  ];
}

/** A header and one aligned line per event; empty without events. */
export function formatActivityText(events: readonly ActivityEvent[]): string {
  if (events.length === 0) return "";
  const rows = events.map(textCells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(HEADER), ...rows.map(line)].join("\n")}\n`;
}

export interface EventCount {
  eventSource: string;
  eventName: string;
  count: number;
}

/** Events per source × name, most frequent first (then by source and name). */
export function countEvents(events: readonly ActivityEvent[]): EventCount[] {
  const byPair = new Map<string, EventCount>();
  for (const { eventSource, eventName } of events) {
    const key = JSON.stringify([eventSource, eventName]);
    const entry = byPair.get(key) ?? { eventSource, eventName, count: 0 };
    entry.count++;
    byPair.set(key, entry);
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byPair.values()].sort(
    (a, b) => b.count - a.count || order(a.eventSource, b.eventSource) || order(a.eventName, b.eventName),
  );
}

/** The `top` most frequent source × name pairs as an aligned table, and how many pairs are left out. */
export function formatEventCounts(counts: readonly EventCount[], top = 10): string {
  if (counts.length === 0) return "";
  const shown = counts.slice(0, top);
  const rows = shown.map((c) => [`${c.count}`, cell(c.eventSource, 128), cell(c.eventName, 128)]);
  const header = ["COUNT", "SOURCE", "EVENT"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (c: string[]) =>
    `  ${c.map((v, i) => (i === 0 ? v.padStart(widths[0] ?? 0) : v.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd();
  const more = counts.length - shown.length;
  const title = `Events by source and name (top ${shown.length} of ${counts.length}):`;
  return `${[title, line(header), ...rows.map(line), ...(more > 0 ? [`  (${more} more)`] : [])].join("\n")}\n`;
}

/** `2 critical, 1 high`: the reads per severity, highest first; empty without reads. */
export function severityCounts(events: readonly ActivityEvent[]): string {
  const counts = new Map<Severity, number>();
  for (const e of events) if (e.severity !== null) counts.set(e.severity, (counts.get(e.severity) ?? 0) + 1);
  return [...SEVERITIES]
    .reverse()
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(", ");
}
