/**
 * The digest: what policy keeps out of the inbox, in one summary per period. Each enricher
 * invocation reduces its decisions to one small {@link DigestEntry} (counts, and the top names
 * as recorded text, never a secret value or a raw record); the scheduled digest merges a
 * period's entries ({@link mergeDigests}) and formats one SNS message ({@link formatDigest})
 * within 256 KB, sanitised like the alerts. It is the only place lower reads appear, and its
 * health line shows that the pipeline ran even on a quiet day.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (cron expressions)
 */
import { type AlertContext, type StringAttributes, SUBJECT_MAX, subjectPrefix } from "./format.js";
import { type HitDecision, messageSize, SNS_MAX_MESSAGE_BYTES } from "./plan.js";
import { toBodyText, toSubjectText, utf8Bytes } from "./sanitize.js";
import { type DigestSetting, SETTING_NAMES, SettingsError } from "./settings.js";
import { SEVERITIES, type Severity, severityLabel } from "./severity.js";

/** What happened to a read, as the digest counts it. */
export type DigestDecision = "emailed" | "belowNotify" | "repeatSuppressed" | "learning" | "baseline";
export const DIGEST_DECISIONS: readonly DigestDecision[] = [
  "emailed",
  "belowNotify",
  "repeatSuppressed",
  "learning",
  "baseline",
];

/** A plan outcome by name (outcomes the plan may add later, such as `learning`, map here too). */
const DECISION_OF: Readonly<Record<string, DigestDecision>> = {
  alert: "emailed",
  summary: "emailed",
  "below-notify": "belowNotify",
  "repeat-suppressed": "repeatSuppressed",
  learning: "learning",
  baseline: "baseline",
};

/** `[name, count]`, most first, then by name. */
export type Tally = Array<[name: string, count: number]>;
export interface ExpectedTally {
  id: string;
  note: string | null;
  count: number;
}

/** One invocation's counters: the item the enricher writes to the state table. */
export interface DigestEntry {
  v: 1;
  records: number;
  malformed: number;
  /** Messages SNS accepted (alerts and summaries). */
  published: number;
  /** Distinct reads (secret-value retrievals, duplicates dropped). */
  reads: number;
  /** 1 when the state table could not be used in this invocation. */
  stateErrors: number;
  /** 1 when the configured policy could not be loaded. */
  policyErrors: number;
  bySeverity: Record<Severity, number>;
  byDecision: Record<DigestDecision, number>;
  /** Reads an expected-reader rule matched, by rule (at most {@link ENTRY_RULES}). */
  expected: ExpectedTally[];
  /** Expected reads of rules beyond that cap. */
  expectedOther: number;
  /** Distinct actor × secret pairs first seen. */
  firstSeen: number;
  /** Some of them (at most {@link ENTRY_TOP}). */
  newPairs: Array<[actor: string, secret: string]>;
  /** Reads by actor and by secret, top {@link ENTRY_TOP}. */
  actors: Tally;
  secrets: Tally;
}

/** The merged entries of one period. */
export interface DigestTotals extends Omit<DigestEntry, "v"> {
  /** Entries merged: enricher invocations that recorded their counters. */
  invocations: number;
}

export const ENTRY_TOP = 20;
export const ENTRY_RULES = 100;
export const DIGEST_TOP = 10;
/** First-seen pairs the digest names (it counts them all). */
export const DIGEST_PAIRS = 50;
/** A name (actor, secret, rule id or note) is kept to this many characters. */
export const NAME_MAX = 512;
/** How batch reads appear among the secrets (Secrets Manager names cannot hold parentheses). */
export const BATCH_SECRET = "(batch call)";

const cap = (s: string): string => (s.length <= NAME_MAX ? s : Array.from(s).slice(0, NAME_MAX).join(""));
const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const byCount = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const top = (counts: Map<string, number>, n: number): Tally => [...counts].sort(byCount).slice(0, n);
const add = (counts: Map<string, number>, key: string, n = 1) => counts.set(key, (counts.get(key) ?? 0) + n);

/**
 * One invocation's entry from the plan's decisions (one per distinct read), the records
 * decoded, the malformed messages, and what was published.
 */
export function invocationDigest(
  decisions: readonly HitDecision[],
  records: number,
  malformed: number,
  extra: { published?: number; stateErrors?: number; policyErrors?: number } = {},
): DigestEntry {
  const bySeverity = zeros(SEVERITIES);
  const byDecision = zeros(DIGEST_DECISIONS);
  const [actors, secrets] = [new Map<string, number>(), new Map<string, number>()];
  const rules = new Map<string, ExpectedTally>();
  const pairs = new Map<string, [string, string]>();
  for (const { hit, outcome } of decisions) {
    const v = hit.verdict;
    bySeverity[v.severity]++;
    const decision = DECISION_OF[outcome as string];
    if (decision) byDecision[decision]++;
    const [actor, secret] = [cap(v.actor), cap(hit.secretId ?? BATCH_SECRET)];
    add(actors, actor);
    add(secrets, secret);
    if (v.expected) {
      const id = cap(v.expected.id);
      const rule = rules.get(id) ?? { id, note: v.expected.note === null ? null : cap(v.expected.note), count: 0 };
      rule.count++;
      rules.set(id, rule);
    }
    if (v.firstSeen === true && hit.secretId !== null) pairs.set(JSON.stringify([actor, secret]), [actor, secret]);
  }
  const expected = [...rules.values()].sort((a, b) => byCount([a.id, a.count], [b.id, b.count]));
  const kept = expected.slice(0, ENTRY_RULES);
  return {
    v: 1,
    records,
    malformed,
    published: extra.published ?? 0,
    reads: decisions.length,
    stateErrors: extra.stateErrors ?? 0,
    policyErrors: extra.policyErrors ?? 0,
    bySeverity,
    byDecision,
    expected: kept,
    expectedOther: expected.slice(ENTRY_RULES).reduce((n, r) => n + r.count, 0),
    firstSeen: pairs.size,
    newPairs: [...pairs.keys()]
      .sort()
      .slice(0, ENTRY_TOP)
      .map((k) => pairs.get(k)!),
    actors: top(actors, ENTRY_TOP),
    secrets: top(secrets, ENTRY_TOP),
  };
}

/** Names tracked at most while merging (memory stays bounded): past this, the least read are dropped. */
export const MERGE_NAMES = 20_000;
const prune = (counts: Map<string, number>) => {
  if (counts.size <= MERGE_NAMES) return;
  const kept = top(counts, MERGE_NAMES / 4);
  counts.clear();
  for (const [name, n] of kept) counts.set(name, n);
};

/**
 * The period's totals. Actor and secret counts are summed over each entry's top 20 (and, past
 * {@link MERGE_NAMES} names, over the most read), so a name counts at most what it read: the
 * digest says "at least".
 */
export function mergeDigests(entries: readonly DigestEntry[]): DigestTotals {
  const totals: DigestTotals = {
    invocations: entries.length,
    ...{ records: 0, malformed: 0, published: 0, reads: 0, stateErrors: 0, policyErrors: 0 },
    ...{ bySeverity: zeros(SEVERITIES), byDecision: zeros(DIGEST_DECISIONS), expected: [], expectedOther: 0 },
    ...{ firstSeen: 0, newPairs: [], actors: [], secrets: [] },
  };
  const [actors, secrets] = [new Map<string, number>(), new Map<string, number>()];
  const rules = new Map<string, ExpectedTally>();
  const pairs = new Map<string, [string, string]>();
  for (const e of entries) {
    for (const k of ["records", "malformed", "published", "reads", "stateErrors", "policyErrors"] as const) {
      totals[k] += e[k];
    }
    for (const s of SEVERITIES) totals.bySeverity[s] += e.bySeverity[s];
    for (const d of DIGEST_DECISIONS) totals.byDecision[d] += e.byDecision[d];
    for (const r of e.expected) {
      const rule = rules.get(r.id) ?? { id: r.id, note: r.note, count: 0 };
      rule.count += r.count;
      rules.set(r.id, rule);
    }
    totals.expectedOther += e.expectedOther;
    totals.firstSeen += e.firstSeen;
    for (const p of e.newPairs) if (pairs.size < DIGEST_PAIRS) pairs.set(JSON.stringify(p), p);
    for (const [name, n] of e.actors) add(actors, name, n);
    for (const [name, n] of e.secrets) add(secrets, name, n);
    prune(actors);
    prune(secrets);
  }
  totals.expected = [...rules.values()].sort((a, b) => byCount([a.id, a.count], [b.id, b.count]));
  totals.newPairs = [...pairs.values()];
  totals.actors = top(actors, DIGEST_TOP);
  totals.secrets = top(secrets, DIGEST_TOP);
  return totals;
}

const count = (value: unknown): number | null =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
const isText = (value: unknown): value is string => typeof value === "string";

function tally(value: unknown): Tally | null {
  if (!Array.isArray(value)) return null;
  const out: Tally = [];
  for (const item of value) {
    if (!Array.isArray(item) || !isText(item[0]) || count(item[1]) === null) return null;
    out.push([cap(item[0]), item[1] as number]);
  }
  return out;
}

/** An entry as stored (JSON text), checked field by field; null when it is not one. */
export function parseDigestEntry(text: string): DigestEntry | null {
  let raw: any;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== "object" || raw.v !== 1) return null;
  const nums = ["records", "malformed", "published", "reads", "stateErrors", "policyErrors", "expectedOther"];
  const counts = nums.map((k) => count(raw[k]));
  const sev = SEVERITIES.map((s) => count(raw.bySeverity?.[s] ?? 0));
  const dec = DIGEST_DECISIONS.map((d) => count(raw.byDecision?.[d] ?? 0));
  const [actors, secrets] = [tally(raw.actors), tally(raw.secrets)];
  const expected = Array.isArray(raw.expected) ? raw.expected : null;
  const pairs = Array.isArray(raw.newPairs) ? raw.newPairs : null;
  if ([...counts, ...sev, ...dec, count(raw.firstSeen)].includes(null) || !actors || !secrets) return null;
  if (!expected?.every((r: any) => isText(r?.id) && (r.note === null || isText(r.note)) && count(r.count) !== null))
    return null;
  if (!pairs?.every((p: any) => Array.isArray(p) && isText(p[0]) && isText(p[1]))) return null;
  const [records, malformed, published, reads, stateErrors, policyErrors, expectedOther] = counts as number[];
  return {
    v: 1,
    ...{ records: records!, malformed: malformed!, published: published!, reads: reads! },
    ...{ stateErrors: stateErrors!, policyErrors: policyErrors!, expectedOther: expectedOther! },
    bySeverity: Object.fromEntries(SEVERITIES.map((s, i) => [s, sev[i]])) as Record<Severity, number>,
    byDecision: Object.fromEntries(DIGEST_DECISIONS.map((d, i) => [d, dec[i]])) as Record<DigestDecision, number>,
    expected: expected.map((r: ExpectedTally) => ({
      id: cap(r.id),
      note: r.note === null ? null : cap(r.note),
      count: r.count,
    })),
    firstSeen: raw.firstSeen,
    newPairs: pairs.map((p: [string, string]) => [cap(p[0]), cap(p[1])]),
    actors,
    secrets,
  };
}

/** `SECRETWATCH_DIGEST`. */
export type DigestMode = DigestSetting;

/** The period a digest covers: a UTC day or hour, `[start, end)` in epoch ms. */
export interface DigestPeriod {
  mode: "daily" | "hourly";
  /** `2024-05-14` or `2024-05-14T09`: also how entries' sort keys start. */
  label: string;
  start: number;
  end: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The UTC day (`YYYY-MM-DD`) or hour (`YYYY-MM-DDTHH`) that contains `ms`. */
export function periodOf(mode: DigestPeriod["mode"], ms: number): DigestPeriod {
  const size = mode === "daily" ? DAY_MS : HOUR_MS;
  const start = Math.floor(ms / size) * size;
  const iso = new Date(start).toISOString();
  return { mode, label: mode === "daily" ? iso.slice(0, 10) : iso.slice(0, 13), start, end: start + size };
}

/** The last full day or hour before `at` (the scheduled time): what a digest run covers. */
export function previousPeriod(mode: DigestPeriod["mode"], at: Date): DigestPeriod {
  return periodOf(mode, periodOf(mode, at.getTime()).start - 1);
}

/**
 * The EventBridge Scheduler expression (UTC) of a digest: five minutes past the hour, so the
 * invocations of the period just ended (the enricher runs up to 60 s) have written their entries.
 */
export function digestSchedule(mode: DigestMode, hour: number): `cron(${string})` | null {
  if (mode === "off") return null;
  return mode === "hourly" ? "cron(5 * * * ? *)" : `cron(5 ${hour} * * ? *)`;
}

/**
 * `off` is refused unless the policy's `notify` is `info`: reads below `notify` are emailed
 * nowhere else. Throws a {@link SettingsError} naming both settings.
 */
export function refuseDigestOff(mode: DigestMode, notify: Severity): void {
  if (mode !== "off" || notify === "info") return;
  throw new SettingsError(
    `${SETTING_NAMES.digest}=off is refused: the policy's notify is "${notify}", so reads below ${notify} are shown only in the digest. ` +
      `Set notify: info in the policy file, or ${SETTING_NAMES.digest} to daily or hourly.`,
    SETTING_NAMES.digest,
  );
}

/** What the digest function itself saw, beside the entries. */
export interface DigestHealth {
  /** Events waiting in the enricher's failure queue; null when it could not be read. */
  failureQueueDepth: number | null;
  /** Why it could not be read (an error name). */
  failureQueueError?: string | null;
  /** Stored entries that could not be read. */
  unreadable?: number;
}

export interface DigestMessage {
  subject: string;
  message: string;
  attributes: StringAttributes;
}

const show = (value: unknown, bytes = NAME_MAX) => toBodyText(value, bytes) || "(empty)";
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const row = (label: string, value: string) => `  ${`${label}:`.padEnd(20)} ${value}`;
const DECISION_LABELS: Record<DigestDecision, string> = {
  emailed: "Emailed",
  belowNotify: "Below notify",
  repeatSuppressed: "Repeat suppressed",
  learning: "Learning",
  baseline: "Baseline",
};

/** The highest severity with reads; `info` when there are none. */
export function digestSeverity(totals: Pick<DigestTotals, "bySeverity">): Severity {
  return [...SEVERITIES].reverse().find((s) => totals.bySeverity[s] > 0) ?? "info";
}

/** What needs a look, in words (an empty list: healthy). */
function problems(t: DigestTotals, h: DigestHealth): string[] {
  const out: string[] = [];
  if (h.failureQueueDepth === null) out.push("failure queue depth unknown");
  else if (h.failureQueueDepth > 0) out.push(`${plural(h.failureQueueDepth, "event")} in the failure queue`);
  if (t.malformed > 0) out.push(plural(t.malformed, "malformed message"));
  if (t.stateErrors > 0) out.push(`state table unavailable in ${plural(t.stateErrors, "invocation")}`);
  if (t.policyErrors > 0) out.push(`policy unavailable in ${plural(t.policyErrors, "invocation")}`);
  if ((h.unreadable ?? 0) > 0) out.push(plural(h.unreadable ?? 0, "unreadable counter item"));
  return out;
}

/** Lines from `items` while they fit in `budget` bytes, then one line for the rest. */
function within(budget: { left: number }, items: string[][], rest: (n: number) => string): string[] {
  const out: string[] = [];
  const reserve = 160;
  for (const [i, lines] of items.entries()) {
    const bytes = lines.reduce((n, l) => n + utf8Bytes(l) + 1, 0);
    if (bytes > budget.left - reserve) {
      const line = rest(items.length - i);
      budget.left -= utf8Bytes(line) + 1;
      return [...out, line];
    }
    budget.left -= bytes;
    out.push(...lines);
  }
  return out;
}

/**
 * The digest's SNS message: subject (printable ASCII, under 100 characters), a plain-text body
 * with every section (health, reads by severity and by decision, expected readers, repeats,
 * first-seen pairs, top actors and secrets), and the attributes `kind=digest` and `severity`
 * (the highest read severity). Every name is recorded text, sanitised like an alert's; lists
 * are cut to keep the message within `maxBytes` (SNS: 262,144, subject and attributes included).
 */
export function formatDigest(
  totals: DigestTotals,
  health: DigestHealth,
  ctx: AlertContext & { period: DigestPeriod },
  maxBytes = SNS_MAX_MESSAGE_BYTES,
): DigestMessage {
  const { period } = ctx;
  const severity = digestSeverity(totals);
  const issues = problems(totals, health);
  const quiet = totals.reads === 0;
  const what = quiet ? "no secret reads" : `${plural(totals.reads, "read")}, highest ${severityLabel(severity)}`;
  const summary = `${subjectPrefix(ctx)} digest ${period.label}: ${what}${issues.length ? `; ${issues[0]}` : ""}`;
  const subject = toSubjectText(summary, SUBJECT_MAX);
  const attributes: StringAttributes = {
    kind: { DataType: "String", StringValue: "digest" },
    severity: { DataType: "String", StringValue: severity },
  };
  const span = `${new Date(period.start).toISOString()} to ${new Date(period.end).toISOString()}`;
  const depth = health.failureQueueDepth === null ? "unknown" : String(health.failureQueueDepth);
  const head = [
    `Secret read digest - ${subjectPrefix(ctx)}`,
    `Period: ${period.label} (UTC ${period.mode === "daily" ? "day" : "hour"}, ${span})`,
    "",
    `Health: ${issues.length ? `needs a look (${issues.join("; ")})` : "the pipeline ran; nothing needs a look"}`,
    row("Invocations", `${totals.invocations} of the enricher`),
    row("Records processed", `${totals.records} CloudTrail records`),
    row("Malformed messages", String(totals.malformed)),
    row("Messages published", `${totals.published} alerts and summaries`),
    row(
      "Failure queue",
      `${depth} events waiting${health.failureQueueError ? ` (${show(health.failureQueueError, 128)})` : ""}`,
    ),
    row("State table", `unavailable in ${plural(totals.stateErrors, "invocation")}`),
    ...((health.unreadable ?? 0) > 0 ? [row("Unreadable counters", String(health.unreadable))] : []),
    "",
    ...(quiet
      ? [
          "A quiet period: no secret value was read. The enricher is invoked only for secret reads, so few or no",
          "invocations is expected; the blind-spot alarm watches that CloudTrail still reaches the log group.",
          "",
        ]
      : []),
    "Reads by severity",
    ...[...SEVERITIES].reverse().map((s) => row(severityLabel(s), String(totals.bySeverity[s]))),
    "",
    "Reads by decision",
    ...DIGEST_DECISIONS.map((d) => row(DECISION_LABELS[d], String(totals.byDecision[d]))),
    "",
    `Suppressed repeats: ${plural(totals.byDecision.repeatSuppressed, "read")} not emailed again (repeats of an alert within the repeat window)`,
  ];
  // The lists share what is left; 1 KB covers their headings and "more not shown" lines.
  const fixed = SUBJECT_MAX + 1024 + messageSize({ subject: "", message: head.join("\n"), attributes });
  const budget = { left: maxBytes - fixed };
  const listed = (tally: Tally) => tally.map(([name, n], i) => [`  ${i + 1}. ${show(name)} - ${plural(n, "read")}`]);
  const sections = [
    "",
    `Top actors (reads counted from each invocation's top ${ENTRY_TOP}: at least)`,
    ...(totals.actors.length
      ? within(budget, listed(totals.actors), (n) => `  ... ${n} more not shown`)
      : ["  (none)"]),
    "",
    "Top secrets",
    ...(totals.secrets.length
      ? within(budget, listed(totals.secrets), (n) => `  ... ${n} more not shown`)
      : ["  (none)"]),
    "",
    `First-seen pairs learned: ${totals.firstSeen}`,
    ...within(
      budget,
      totals.newPairs.map(([actor, secret]) => [`  - ${show(actor)}`, `    read ${show(secret)}`]),
      (n) => `  ... ${n} more not shown`,
    ),
    "",
    `Expected readers (rule: reads): ${plural(totals.expected.length, "rule")} matched`,
    ...(totals.expected.length === 0 ? ["  (none)"] : []),
    ...within(
      budget,
      totals.expected.map((r) => [
        `  - ${show(r.id, 128)}: ${r.count}${r.note === null ? "" : ` (${show(r.note, 256)})`}`,
      ]),
      (n) => `  ... ${plural(n, "more rule")} not shown`,
    ),
    ...(totals.expectedOther > 0
      ? [`  ... and ${plural(totals.expectedOther, "read")} of rules not counted by name`]
      : []),
  ];
  return { subject, message: [...head, ...sections].join("\n"), attributes };
}
