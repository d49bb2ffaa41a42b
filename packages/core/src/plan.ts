/**
 * Plans the SNS messages of one invocation: drops repeated events, groups hits into one alert
 * per (principal, secret, outcome), caps the alerts with one summary of the rest, and splits
 * any message that would exceed the SNS size limit. Every event ID ends up in exactly one
 * planned message, each with a minimal fallback in case SNS rejects the full one.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */

import { eventMillis } from "./assess.js";
import { isPlainEventId } from "./event-id.js";
import { isBatchRead, secretValueEventName } from "./events.js";
import {
  type AlertContext,
  type AlertGroup,
  formatBodyHeader,
  formatEventEntry,
  formatSubject,
  messageAttributes,
  type StringAttributes,
  SUBJECT_MAX,
  subjectPrefix,
} from "./format.js";
import { byRank, type GroupReason, rankedReasons } from "./next-steps.js";
import type { ReasonCode } from "./reasons.js";
import { toBodyText, toSubjectText, utf8Bytes } from "./sanitize.js";
import { atLeast, maxSeverity, type Severity, severityLabel, severityRank } from "./severity.js";
import type { AssessedAccess, Outcome, SecretAccess } from "./types.js";

export interface PlanOptions extends AlertContext {
  /** Alerts per invocation; the groups beyond go into one summary. Default 10. */
  maxMessages?: number;
  /** Largest message, subject and attributes included. Default and maximum 262,144. */
  maxMessageBytes?: number;
  /** Lowest severity published as an alert (the policy's `notify`). Default `medium`. */
  notify?: Severity;
}

interface MessageText {
  subject: string;
  message: string;
  attributes: StringAttributes;
}

export interface PlannedMessage extends MessageText {
  kind: "alert" | "summary";
  /** The events this message covers (as recorded, not sanitised). */
  eventIDs: string[];
  /** The same events in a minimal ASCII message, to publish if SNS rejects this one. */
  fallback: MessageText;
}

/** What happened to one distinct hit: the enricher logs one decision line per hit. */
export interface HitDecision {
  hit: AssessedAccess;
  /** `alert`: in an alert of its own group; `summary`: listed in the summary; the rest are not emailed. */
  outcome: "alert" | "summary" | "below-notify" | "repeat-suppressed" | "learning" | "baseline";
}

export interface Plan {
  messages: PlannedMessage[];
  duplicatesDropped: number;
  /** Groups emailed (alerts plus the ones in the summary). */
  groups: number;
  /** Distinct hits, duplicates dropped. */
  hits: number;
  /** One per distinct hit, in the order of the groups. */
  decisions: HitDecision[];
  /** The groups that were emailed (alert or summary): what repeat suppression remembers. */
  emailed: AlertGroup[];
}

/** SNS limit on message + subject + attributes. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
export const DEFAULT_MAX_MESSAGES = 10;
/** Smallest `maxMessageBytes` accepted: room for a header and the largest event entry. */
export const MIN_MESSAGE_BYTES = 4096;
/** Bytes kept free for the "Part i of n" lines, added after packing. */
const PART_SLACK = 256;

/** A message as SNS sizes it. */
type Sized = {
  subject: string;
  message: string;
  attributes: Record<string, { DataType: string; StringValue: string }>;
};

/**
 * Size SNS counts against its 256 KB limit, conservatively: UTF-8 bytes of the message and
 * subject plus every attribute's name, data type and value.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export function messageSize(m: Sized): number {
  // Each part counted on its own, no text joined to count it (a message sized, then written, is made once).
  let size = utf8Bytes(m.subject) + utf8Bytes(m.message);
  for (const name in m.attributes) {
    if (!Object.hasOwn(m.attributes, name)) continue;
    const a = m.attributes[name]!;
    size += utf8Bytes(name) + utf8Bytes(a.DataType) + utf8Bytes(a.StringValue);
  }
  return size;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Event time in ms; unparsable or missing times sort last. */
function timeOf(hit: SecretAccess): number {
  return eventMillis(hit.eventTime) ?? Infinity;
}

/** A hit with its {@link timeOf}, looked up once for a sort (not once per comparison). */
type Timed = { hit: SecretAccess; time: number };
/**
 * By event time (unparsable times last), then event time text, then event ID: a total,
 * deterministic order.
 */
const byTime = (a: Timed, b: Timed) =>
  a.time - b.time || compare(a.hit.eventTime ?? "", b.hit.eventTime ?? "") || compare(a.hit.eventID, b.hit.eventID);

/** Scratch for {@link sortByTime}: the times of the hits being sorted. */
const TIMES: number[] = [];

/**
 * Sorts a group's hits in place by {@link byTime}, each time looked up once. Hits already in
 * strictly increasing event time (they usually come so) are left as they are, unsorted.
 */
function sortByTime(hits: AssessedAccess[]): void {
  let ordered = true;
  for (let i = 0; i < hits.length; i++) {
    const time = timeOf(hits[i]!);
    // Equal times (two missing ones too: Infinity) are ordered by text and ID: left to the sort.
    if (i > 0 && !(time > TIMES[i - 1]!)) ordered = false;
    TIMES[i] = time;
  }
  if (!ordered) {
    const timed = hits.map((hit, i) => ({ hit, time: TIMES[i]! }));
    timed.sort(byTime);
    for (let i = 0; i < hits.length; i++) hits[i] = timed[i]!.hit;
  }
  if (TIMES.length > 4096) TIMES.length = 0; // a huge group's scratch is not kept, once used
}

/** Within one severity: denied first, then broad batch reads, then errors, then the rest. */
const rank = (hit: SecretAccess) =>
  hit.outcome === "denied" ? 0 : hit.batch?.broad ? 1 : hit.outcome === "error" ? 2 : 3;

/** The second an event happened in (identical batch calls within it are one alert). */
function secondOf(hit: SecretAccess): string {
  const ms = eventMillis(hit.eventTime);
  return ms === null ? `event:${hit.eventID}` : String(Math.floor(ms / 1000));
}

/**
 * Actor (the role, not the session) + secret + outcome. Identical batch calls of one actor in
 * the same second are one group; reads that crossed the rapid-retrieval threshold are one group
 * per actor (a decoy read keeps its own alert).
 */
export function groupKey(hit: AssessedAccess): string {
  const v = hit.verdict;
  if (isRapidGroupHit(hit)) return JSON.stringify(["rapid", v.actor]);
  if (isBatchRead(hit) || hit.secretId === null) {
    const request = JSON.stringify([hit.batch?.filters ?? null, hit.batch?.secretIdList ?? null]);
    return JSON.stringify([v.actor, "batch", request, secondOf(hit), hit.outcome]);
  }
  return JSON.stringify([v.actor, `secret:${hit.secretId}`, hit.outcome]);
}

/**
 * One actor's high or critical reads of more than this many secrets in one invocation (with one
 * outcome) become one alert naming them all: an actor probing hundreds of sensitive names must
 * not send hundreds of emails (nor run the function out of time publishing them).
 */
export const MAX_URGENT_GROUPS_PER_ACTOR = 10;

function mergeUrgentPerActor(
  groups: AlertGroup[],
  make: (key: string, hits: AssessedAccess[], kind: AlertGroup["kind"]) => AlertGroup,
): AlertGroup[] {
  const byActor = new Map<string, AlertGroup[]>();
  for (const g of groups) {
    const hit = g.hits[0]!;
    if (g.kind !== "read" || !atLeast(g.severity, "high") || g.hits.some((h) => h.verdict.decoy)) continue;
    const key = JSON.stringify(["many", hit.verdict.actor, hit.outcome]);
    if (!byActor.has(key)) byActor.set(key, []);
    byActor.get(key)!.push(g);
  }
  const merged = new Set<AlertGroup>();
  const out: AlertGroup[] = [];
  for (const [key, list] of byActor) {
    if (list.length <= MAX_URGENT_GROUPS_PER_ACTOR) continue;
    for (const g of list) merged.add(g);
    out.push(
      make(
        key,
        list.flatMap((g) => g.hits),
        "many",
      ),
    );
  }
  return [...groups.filter((g) => !merged.has(g)), ...out];
}

/** The reasons of a group, as its alert's "Reason" lines order them (next-steps.ts {@link rankedReasons}). */
function groupReasons(hits: readonly AssessedAccess[]): ReasonCode[] {
  if (hits.length === 1) {
    // A read's reasons are already in this order (assess.ts): told apart by a scan, without a set.
    const out: ReasonCode[] = [];
    for (const r of hits[0]!.verdict.reasons) if (!out.includes(r)) out.push(r);
    return out;
  }
  return rankedReasons(hits).map((r) => r.code);
}

/** Sets the group's `reasons` ({@link groupReasons}); the ranking of a group of several hits is kept in `kept` for {@link summaryReasons}. */
function rankGroup(group: AlertGroup, kept: Map<AlertGroup, GroupReason[]>): void {
  if (group.hits.length === 1) {
    group.reasons = groupReasons(group.hits);
    return;
  }
  const ranked = rankedReasons(group.hits);
  kept.set(group, ranked);
  group.reasons = ranked.map((r) => r.code);
}

/**
 * {@link groupReasons} of all the summary's hits together, from each group's ranking (kept by
 * the planner for the groups of several hits, made here for the others): a reason's severity in
 * the summary is the highest it has in any group, so the hits are not all gone over again.
 */
function summaryReasons(groups: readonly AlertGroup[], kept: ReadonlyMap<AlertGroup, GroupReason[]>): ReasonCode[] {
  const only = groups.length === 1 ? groups[0]! : null;
  if (only?.hits.length === 1) return groupReasons(only.hits);
  const merged: GroupReason[] = [];
  for (const group of groups) {
    for (const r of kept.get(group) ?? rankedReasons(group.hits)) {
      const known = merged.find((m) => m.code === r.code);
      if (known === undefined) merged.push({ ...r });
      else known.severity = maxSeverity(known.severity, r.severity);
    }
  }
  return merged.sort(byRank).map((r) => r.code);
}

/**
 * Hits grouped by {@link groupKey}, each group's hits sorted by time. Groups come by severity
 * (highest first), then denied, broad batch reads, errors and the rest, then by first event time.
 */
export function groupHits(hits: readonly AssessedAccess[]): AlertGroup[] {
  const groups = grouped(hits, true);
  for (const group of groups) keyOf(group);
  return groups;
}

/**
 * {@link groupHits}; with `ranked` false, each group's `reasons` are left empty for the caller
 * to fill in where it needs them (the planner ranks only the groups it emails: most of a busy
 * payload's groups are below `notify`).
 */
function grouped(hits: readonly AssessedAccess[], ranked: boolean): AlertGroup[] {
  // Lists by key, in the order their keys first appear. A plain read's key is one per actor ×
  // secret × outcome: those are looked up in nested maps (no key text per hit), the rest by key.
  const lists: AssessedAccess[][] = [];
  const byKey = new Map<string, AssessedAccess[]>();
  const plain = new Map<string, Map<string, ByOutcome>>();
  for (const hit of hits) {
    const v = hit.verdict;
    const outcome = hit.outcome;
    if (!isRapidGroupHit(hit) && !isBatchRead(hit) && hit.secretId !== null && isOutcome(outcome)) {
      let bySecret = plain.get(v.actor);
      if (bySecret === undefined) {
        bySecret = new Map();
        plain.set(v.actor, bySecret);
      }
      let byOutcome = bySecret.get(hit.secretId);
      if (byOutcome === undefined) {
        byOutcome = { success: null, denied: null, error: null };
        bySecret.set(hit.secretId, byOutcome);
      }
      const list = byOutcome[outcome];
      if (list) list.push(hit);
      else {
        const fresh = [hit];
        byOutcome[outcome] = fresh;
        lists.push(fresh);
      }
      continue;
    }
    const key = groupKey(hit);
    const list = byKey.get(key);
    if (list) list.push(hit);
    else {
      const fresh = [hit];
      byKey.set(key, fresh);
      lists.push(fresh);
    }
  }
  // A group's key is "" until {@link keyOf} makes it where it is read (groupHits, the planner's
  // emailed groups, a tie in the sort): most of a busy payload's groups are below notify.
  const make = (key: string, list: AssessedAccess[], kind?: AlertGroup["kind"]): AlertGroup => {
    if (list.length > 1) sortByTime(list);
    // The first and last hit with an event time (sorted by time, so the earliest and latest).
    let firstTime: string | null = null;
    let lastTime: string | null = null;
    for (const h of list) {
      if (!h.eventTime) continue;
      firstTime ??= h.eventTime;
      lastTime = h.eventTime;
    }
    const severity = highest(list);
    kind ??= isRapidGroupHit(list[0]!) ? "rapid" : isBatchRead(list[0]!) ? "batch" : "read";
    const reasons = ranked ? groupReasons(list) : [];
    return { key, kind, hits: list, count: list.length, firstTime, lastTime, severity, reasons };
  };
  const groups = mergeUrgentPerActor(
    lists.map((list) => make("", list)),
    make,
  );
  // Sorted on one number per group (severity, then rank), then the first event's time; the
  // comparisons that tie on both fall back to the full order.
  const sortable = groups.map((group) => {
    const hit = group.hits[0]!;
    return { group, hit, order: (SEVERITY_TOP - severityRank(group.severity)) * 4 + rank(hit), time: timeOf(hit) };
  });
  sortable.sort((a, b) => a.order - b.order || byTime(a, b) || compare(keyOf(a.group), keyOf(b.group)));
  return sortable.map((s) => s.group);
}

/** One actor's plain reads of one secret, a list per outcome (see {@link grouped}). */
type ByOutcome = Record<Outcome, AssessedAccess[] | null>;

/** The highest severity's rank. */
const SEVERITY_TOP = severityRank("critical");

/** A group's key, made the first time it is asked for (see {@link grouped}). */
function keyOf(group: AlertGroup): string {
  if (group.key === "") group.key = groupKey(group.hits[0]!);
  return group.key;
}

/** A read that crossed the rapid-retrieval threshold groups by actor ({@link groupKey}'s first case). */
const isRapidGroupHit = (hit: AssessedAccess) => hit.verdict.rapid !== null && !hit.verdict.decoy;

/** An attribute from a constant we chose, never from a record. */
const attribute = (StringValue: string) => ({ DataType: "String" as const, StringValue });
const OUTCOMES: readonly unknown[] = ["success", "denied", "error"] satisfies Outcome[];
/** One of the three outcomes (a hand-made hit may hold anything: it is grouped by its key text). */
const isOutcome = (value: unknown): value is Outcome => OUTCOMES.includes(value);
/** `1 event`, `2 events`. */
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The highest severity among hits (`info` for none). */
function highest(hits: readonly AssessedAccess[]): Severity {
  return hits.reduce<Severity>((s, h) => maxSeverity(s, h.verdict.severity), "info");
}

/** `severity` and `reasons` (comma-separated codes, cut at a code boundary to 256 characters): from our own constants. */
export function severityAttributes(severity: Severity, reasons: readonly ReasonCode[]): StringAttributes {
  const attributes: StringAttributes = { severity: attribute(severity) };
  let list = "";
  for (const code of reasons) {
    const next = list ? `${list},${code}` : code;
    if (next.length > 256) break;
    list = next;
  }
  if (list) attributes.reasons = attribute(list);
  return attributes;
}

/** Part `index` of `total` (1-based). */
type Part = [index: number, total: number];

/** `Subject (part 2/3)`, still at most 99 characters; every part keeps the same subject text. */
function withPart(subject: string, [index, total]: Part): string {
  const suffix = total > 1 ? ` (part ${index}/${total})` : "";
  const room = total > 1 ? SUBJECT_MAX - ` (part ${total}/${total})`.length : SUBJECT_MAX;
  return `${toSubjectText(subject, room)}${suffix}`;
}

/** Letters, digits and `_.-` only: the one shape of app and stage a fallback carries (event IDs: `[A-Za-z0-9-]`). */
function safeName(value: unknown): string {
  if (typeof value === "string") {
    // App and stage are the same for every message of an invocation: the last few are kept.
    const known = safeNames.get(value);
    if (known !== undefined) return known;
  }
  const name = toSubjectText(value, 64)
    .replace(/[^A-Za-z0-9_.-]/g, "")
    .slice(0, 16);
  if (typeof value === "string") {
    if (safeNames.size >= 16) safeNames.clear();
    safeNames.set(value, name);
  }
  return name;
}
const safeNames = new Map<string, string>();
/**
 * Whether the hit's event ID is plain ({@link isPlainEventId}): then it shows as it is in the full
 * message and the fallback alike (printable ASCII, nothing to trim), and is tested once for both.
 */
const plainEventId = (hit: SecretAccess) => isPlainEventId(hit.eventID);
const fallbackEntry = (hit: SecretAccess, plain = plainEventId(hit)) => {
  const id = String(hit.eventID);
  return `  - ${plain ? id : id.replace(/[^A-Za-z0-9-]/g, "").slice(0, 64) || "(unusable event ID)"}`;
};

/**
 * The minimal ASCII message for the events of `hits` of `group` (or of a summary, when null), up
 * to its event lines ({@link withEntries}). Of a group, it does not depend on `hits` (only a
 * summary's severity is theirs): an alert sizes its fallback with it and, in one part, sends it.
 */
function fallbackHead(
  group: AlertGroup | null,
  ctx: AlertContext,
  hits: readonly AssessedAccess[],
  part: Part,
): MessageText {
  const severity = group?.severity ?? highest(hits);
  const reasons = group?.reasons ?? [];
  const first = group?.hits[0]?.outcome;
  const outcome = isOutcome(first) ? first : null;
  const eventName = secretValueEventName(group?.hits[0]?.eventName) ?? null;
  const [app, stage] = [safeName(ctx.app) || "secretwatch", safeName(ctx.stage)];
  const level = severityLabel(severity);
  const title = !group ? "summary" : outcome === "denied" ? "DENIED" : "alert";
  const what = group
    ? `${count(group.count, `${eventName ?? "secret value"} event`)}, outcome ${outcome ?? "unknown"}`
    : `${count(hits.length, "event")} in groups that were not sent as separate alerts`;
  const message = [
    `${level} - secret access ${title} (details withheld)`,
    `App: ${app}${stage ? `, stage: ${stage}` : ""}`,
    "The full message could not be sent, so only the event IDs are given here.",
    `What: ${what}`,
    ...(part[1] > 1 ? [`Part: ${part[0]} of ${part[1]}`] : []),
    "Look these event IDs up in CloudTrail event history:",
  ].join("\n");
  const attributes: StringAttributes = {
    kind: attribute(group ? "alert" : "summary"),
    ...severityAttributes(severity, reasons),
  };
  if (outcome) attributes.outcome = attribute(outcome);
  if (eventName) attributes.eventName = attribute(eventName);
  const subject = withPart(
    `${level} [${app}${stage ? ` ${stage}` : ""}] secret access ${title} (details withheld)`,
    part,
  );
  return { subject, message, attributes };
}

/**
 * One event to place: its bytes in the full and the fallback message; for a summary also its
 * group (`section`), whether it is the group's first event, and the bytes of the group's line.
 */
type Unit = {
  hit: AssessedAccess;
  /** The event's line in the full message, rendered once (it is sized, then written). */
  text: string;
  /** Its line in the fallback message, also rendered once. */
  fallbackLine: string;
  normal: number;
  fallback: number;
  section: number;
  first: boolean;
  heading: number;
};
type Room = { normal: number; fallback: number };
/** A message and its {@link messageSize}. */
type SizedText = [text: MessageText, bytes: number];
type Render = (units: Unit[], part: Part, offset: number) => [full: SizedText, fallback: SizedText];

/**
 * The minimal ASCII message of some events: `head` (a {@link fallbackHead}, of `headBytes`) with
 * their {@link fallbackEntry} lines after it, and its size: the lines are ASCII, one line each.
 */
function withEntries(head: MessageText, headBytes: number, units: readonly Unit[]): SizedText {
  if (units.length === 0) return [head, headBytes];
  let bytes = headBytes;
  for (const u of units) bytes += u.fallback;
  return [{ ...head, message: `${head.message}\n${units.map((u) => u.fallbackLine).join("\n")}` }, bytes];
}

/** Consecutive runs of units within `room`; a group's heading counts where a run starts or the group changes. */
function pack(units: readonly Unit[], room: Room): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  // Plain assignments, not destructuring ones: this runs for every event of every message.
  let start = 0;
  let normal = 0;
  let fallback = 0;
  let section = -1;
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    let heading = u.section === section ? 0 : u.heading;
    if (i > start && (normal + heading + u.normal > room.normal || fallback + u.fallback > room.fallback)) {
      runs.push([start, i]);
      start = i;
      normal = 0;
      fallback = 0;
      heading = u.heading;
    }
    normal += heading + u.normal;
    fallback += u.fallback;
    section = u.section;
  }
  if (units.length > 0) runs.push([start, units.length]);
  return runs;
}

/** Packs units into parts and renders each; a full text that would not fit is replaced by its fallback. */
function split(kind: PlannedMessage["kind"], units: Unit[], room: Room, max: number, render: Render): PlannedMessage[] {
  const runs = pack(units, room);
  return runs.map(([from, to], i) => {
    const slice = units.slice(from, to);
    const [[full, fullBytes], [fallback, fallbackBytes]] = render(slice, [i + 1, runs.length], from);
    if (fallbackBytes > max) throw new Error(`secretwatch: a fallback message is over ${max} bytes`);
    const chosen = fullBytes <= max ? full : fallback;
    return { ...chosen, kind, eventIDs: slice.map((u) => u.hit.eventID), fallback };
  });
}

function unit(hit: AssessedAccess, text: string, plain: boolean, section = 0, first = false, heading = 0): Unit {
  const fallbackLine = fallbackEntry(hit, plain);
  // fallbackLine is ASCII by construction: its length is its size.
  return {
    hit,
    text,
    fallbackLine,
    normal: utf8Bytes(text) + 1,
    fallback: fallbackLine.length + 1,
    section,
    first,
    heading,
  };
}

/** One alert for the group, in parts when its event list is too big for one message. */
function planGroup(group: AlertGroup, ctx: AlertContext, max: number): PlannedMessage[] {
  const attributes: StringAttributes = {
    ...messageAttributes(group),
    kind: attribute("alert"),
    ...severityAttributes(group.severity, group.reasons),
  };
  const header = formatBodyHeader(group, ctx);
  // The header's and attributes' bytes: a one-part alert's size is these, its subject's and its event lines'.
  const headerBytes = messageSize({ subject: "", message: header, attributes });
  const fixed = SUBJECT_MAX + PART_SLACK + headerBytes;
  // A header that takes over half the room (hostile values, a tiny limit): send the fallback only.
  const compact = fixed > max / 2;
  // The fallback without events: its size leaves the room for them.
  const bare = fallbackHead(group, ctx, [], [1, 1]);
  const bareBytes = messageSize(bare);
  const fallbackRoom = max - SUBJECT_MAX - PART_SLACK - bareBytes;
  const units = group.hits.map((hit) => {
    const plain = plainEventId(hit);
    return unit(hit, compact ? "" : formatEventEntry(hit, plain), plain);
  });
  const room = { normal: compact ? Infinity : max - fixed, fallback: fallbackRoom };
  const subject = compact ? "" : formatSubject(group, ctx);
  return split("alert", units, room, max, (slice, part, offset) => {
    const hits = slice.map((u) => u.hit);
    const one = part[1] === 1;
    const head = one ? bare : fallbackHead(group, ctx, hits, part);
    const fallback = withEntries(head, one ? bareBytes : messageSize(head), slice);
    if (compact) return [fallback, fallback];
    // formatBody's text, from the header and the event lines already made (one part: the header above).
    const partHeader = one ? header : formatBodyHeader(group, ctx, { index: part[0], total: part[1], offset, hits });
    // The header is not copied into a joined text of its own: the event lines are joined after it.
    const body = slice.length === 0 ? partHeader : `${partHeader}\n${slice.map((u) => u.text).join("\n")}`;
    const full = { subject: withPart(subject, part), message: body, attributes };
    // The joined lines' bytes are each line's (`normal` counts its line break) and the header's.
    let bytes =
      utf8Bytes(full.subject) + (one ? headerBytes : messageSize({ subject: "", message: partHeader, attributes }));
    for (const u of slice) bytes += u.normal;
    return [[full, bytes], fallback];
  });
}

const show = (value: unknown, maxBytes: number) => toBodyText(value, maxBytes) || "(not recorded)";

/** What ends a group's summary line in a part that goes on with the group. */
const CONTINUED = " (continued)";

/** `  12. 3x denied | secret X | by alice (AssumedRole) | first to last` (then {@link CONTINUED}, where it goes on). */
function summaryLine(group: AlertGroup, n: number): string {
  const hit = group.hits[0];
  const secret = hit?.secretId ?? (hit && isBatchRead(hit) ? "(batch call)" : null);
  const who = `${show(hit?.identity.label, 200)} (${show(hit?.identityType, 64)})`;
  const when = `${show(group.firstTime, 64)} to ${show(group.lastTime, 64)}`;
  return `  ${n}. ${severityLabel(group.severity)} ${group.count}x ${show(hit?.outcome, 32)} | secret ${show(secret, 200)} | by ${who} | ${when}`;
}

const summaryEntry = (hit: SecretAccess, plain: boolean) =>
  `      - event ${plain ? hit.eventID : show(hit.eventID, 160)} at ${show(hit.eventTime, 64)}`;

/** One summary of the groups beyond the alert cap (numbered on from the alerts), in parts if too big. */
function planSummary(
  groups: readonly AlertGroup[],
  ctx: AlertContext,
  max: number,
  limit: number,
  ranked: ReadonlyMap<AlertGroup, GroupReason[]>,
): PlannedMessage[] {
  const events = groups.reduce((n, g) => n + g.count, 0);
  const outcomes = [...new Set(groups.map((g) => g.hits[0]?.outcome))];
  const outcome = outcomes.length === 1 && isOutcome(outcomes[0]) ? outcomes[0] : null;
  const severity = groups.reduce<Severity>((s, g) => maxSeverity(s, g.severity), "info");
  const reasons = summaryReasons(groups, ranked);
  const attributes: StringAttributes = {
    kind: attribute("summary"),
    ...(outcome && { outcome: attribute(outcome) }),
    ...severityAttributes(severity, reasons),
  };
  const header = (part: Part) =>
    [
      `Secret access summary - ${show(subjectPrefix(ctx), 64)}`,
      "",
      `This invocation found more groups of secret accesses than it sends as separate alerts (${limit}).`,
      `The other ${count(groups.length, "group")}, ${count(events, "event")} in all, are listed here, one line per group:`,
      "number. severity count x outcome | secret | principal | first to last time, then the group's event IDs.",
      ...(part[1] > 1 ? [`Part ${part[0]} of ${part[1]}; the other parts list the rest.`] : []),
      "",
      "Groups",
    ].join("\n");
  const subject = `${severityLabel(severity)} ${subjectPrefix(ctx)} summary: ${count(groups.length, "more group", "more groups")}, ${count(events, "event")}`;
  const fixed = SUBJECT_MAX + PART_SLACK + messageSize({ subject: "", message: header([1, 1]), attributes });
  const fallbackRoom = max - SUBJECT_MAX - PART_SLACK - messageSize(fallbackHead(null, ctx, [], [1, 1]));
  // Each group's line, made once: a part that goes on with a group repeats it, marked as continued.
  const groupLines = groups.map((g, section) => summaryLine(g, limit + section + 1));
  const units = groups.flatMap((g, section) => {
    const heading = utf8Bytes(groupLines[section]!) + CONTINUED.length + 1;
    return g.hits.map((hit, i) => {
      const plain = plainEventId(hit);
      return unit(hit, summaryEntry(hit, plain), plain, section, i === 0, heading);
    });
  });
  return split("summary", units, { normal: max - fixed, fallback: fallbackRoom }, max, (slice, part) => {
    const lines = [header(part)];
    slice.forEach((u, j) => {
      const line = groupLines[u.section];
      if (line !== undefined && (j === 0 || u.first)) lines.push(u.first ? line : line + CONTINUED);
      lines.push(u.text);
    });
    const full = { subject: withPart(subject, part), message: lines.join("\n"), attributes };
    const head = fallbackHead(
      null,
      ctx,
      slice.map((u) => u.hit),
      part,
    );
    return [[full, messageSize(full)], withEntries(head, messageSize(head), slice)];
  });
}

/**
 * The hits without repeats, in order, in one pass: the live ones, and the baseline ones (only
 * recorded) as decisions. A hit's identity for de-duplication is its event ID and name; a record
 * without an event ID is always distinct.
 */
function distinctHits(
  hits: readonly AssessedAccess[],
  decisions: HitDecision[],
): { live: AssessedAccess[]; distinct: number } {
  // Event ID → the one event name seen with it (almost always), or the set of them.
  const seen = new Map<string, string | Set<string>>();
  const live: AssessedAccess[] = [];
  let distinct = 0;
  for (const hit of hits) {
    if (hit.eventID) {
      const names = seen.get(hit.eventID);
      if (names === undefined) seen.set(hit.eventID, hit.eventName);
      else if (typeof names === "string") {
        if (names === hit.eventName) continue;
        seen.set(hit.eventID, new Set([names, hit.eventName]));
      } else if (names.has(hit.eventName)) continue;
      else names.add(hit.eventName);
    }
    distinct++;
    if (hit.verdict.baseline) decisions.push({ hit, outcome: "baseline" });
    else live.push(hit);
  }
  return { live, distinct };
}

/**
 * Plans the SNS messages of one invocation. Repeated events (same event ID and name) are
 * dropped; baseline hits are only recorded; hits are grouped (see {@link groupKey}); groups
 * below `notify`, or whose every hit repeats an alert sent within the repeat window, are
 * counted, not published. Of the rest, every high and critical group gets an alert of its own,
 * whatever the cap; the other groups fill up to `maxMessages` alerts, and the groups beyond go
 * into one summary. A message over `maxMessageBytes` (subject and attributes included) is split
 * into parts. Every published hit is in exactly one message, in its `eventIDs` and its text.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
export function planMessages(hits: readonly AssessedAccess[], options: PlanOptions): Plan {
  const limit = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
  const max = options.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES;
  const notify = options.notify ?? "medium";
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError("maxMessages must be an integer >= 0");
  if (!Number.isInteger(max) || max < MIN_MESSAGE_BYTES || max > SNS_MAX_MESSAGE_BYTES) {
    throw new RangeError(`maxMessageBytes must be an integer from ${MIN_MESSAGE_BYTES} to ${SNS_MAX_MESSAGE_BYTES}`);
  }
  const ctx = { app: options.app, stage: options.stage };
  const decisions: HitDecision[] = [];
  const { live, distinct } = distinctHits(hits, decisions);
  const groups = grouped(live, false);
  const mailed: AlertGroup[] = [];
  /** The rankings of the emailed groups of several hits, for the summary of those beyond the cap. */
  const ranked = new Map<AlertGroup, GroupReason[]>();
  for (const group of groups) {
    const below = !atLeast(group.severity, notify);
    // A group is left out only when every read in it is suppressed (a repeat, or learned).
    if (below || group.hits.every((h) => h.verdict.suppressed !== null)) {
      for (const hit of group.hits) {
        const outcome = below
          ? "below-notify"
          : hit.verdict.suppressed === "learning"
            ? "learning"
            : "repeat-suppressed";
        decisions.push({ hit, outcome });
      }
    } else {
      // Keyed and ranked before any text is made of it (format.ts keeps a group's text: groups
      // do not change after this).
      keyOf(group);
      rankGroup(group, ranked);
      mailed.push(group);
    }
  }
  // Groups are sorted by severity: the high and critical ones come first and are never summarised.
  const urgent = mailed.filter((g) => atLeast(g.severity, "high")).length;
  const alerts = mailed.slice(0, Math.max(urgent, limit));
  const rest = mailed.slice(alerts.length);
  const messages = alerts.flatMap((group) => planGroup(group, ctx, max));
  if (rest.length > 0) messages.push(...planSummary(rest, ctx, max, alerts.length, ranked));
  for (const group of alerts) for (const hit of group.hits) decisions.push({ hit, outcome: "alert" });
  for (const group of rest) for (const hit of group.hits) decisions.push({ hit, outcome: "summary" });
  return {
    messages,
    duplicatesDropped: hits.length - distinct,
    groups: mailed.length,
    hits: distinct,
    decisions,
    emailed: mailed,
  };
}
