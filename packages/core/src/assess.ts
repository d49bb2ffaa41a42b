/**
 * assess: gives every read a severity and its reasons, from the policy (decoys, sensitive
 * secrets, expected readers), AWS-set identity and source fields, and the state at the start
 * of the invocation (first-seen, rapid retrieval, repeat suppression). Pure: the state comes
 * in as a snapshot and the writes to make go out as data, so a retried payload is assessed
 * exactly as its first attempt was, whatever that attempt wrote.
 *
 * Never decided by an attacker-chosen field: the user agent, a role session name and
 * `sourceIdentity` play no part in any reason that lowers a severity.
 */
import { type ActorFacts, actorFacts, actorKey, isPerson } from "./actor.js";
import { isBatchRead } from "./events.js";
import { DEFAULT_THRESHOLDS } from "./policy.js";
import type { PolicyMatcher } from "./policy-match.js";
import { REASON_CODES, REASON_ORDER, REASONS, type ReasonCode, reasonSeverity } from "./reasons.js";
import { SEVERITIES, type Severity, severityRank } from "./severity.js";
import { viaOtherAccountsEndpoint } from "./source.js";
import {
  type AlertMemo,
  pairKey,
  repeatKey,
  type StateRequest,
  type StateSnapshot,
  type StateUpdate,
} from "./state.js";
import type { AssessedAccess, SecretAccess, Source, Verdict } from "./types.js";

export interface AssessContext {
  matcher: PolicyMatcher;
  /** The state when the invocation started; null when there is none or it could not be read. */
  snapshot: StateSnapshot | null;
  /** The configured policy could not be loaded: every read is reported (`policy-unavailable`). */
  policyUnavailable?: boolean;
  /** Late or redriven payloads: no learning and no repeat suppression (their alerts may be the ones never sent). */
  noSuppression?: boolean;
  /** The stage is learning (its first hours after the first deploy, before any baseline): first-seen alone is recorded, not emailed. */
  learning?: boolean;
  /** Reads before this time (epoch ms) are history only: recorded, never alerted (`replay --baseline-days`). */
  baselineUntil?: number;
}

export interface Assessment {
  /** The hits with their verdicts, in the order given. */
  assessed: AssessedAccess[];
  /** What to write to the state after the alerts were published. */
  update: StateUpdate;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** CloudTrail's ISO form, and the `2024-10-17 21:48:45.000000000` form some exports write. */
const EVENT_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Distinct event times parsed so far (a batch repeats the same seconds): text → epoch ms or null. */
const parsedTimes = new Map<string, number | null>();
const MAX_CACHED_TIMES = 4096;

/** The last text {@link eventMillis} was asked for, and its time ("" is no time). */
let lastText = "";
let lastMs: number | null = null;

/** Event time in epoch ms, or null when missing or not a time. Accepts the space-separated nanosecond form. */
export function eventMillis(eventTime: string | null): number | null {
  if (eventTime === null) return null;
  // The same text asked for twice in a row (enrichment, then selection, ask of each read; a
  // batch repeats its second): one comparison, no lookup.
  if (eventTime === lastText) return lastMs;
  // Enrich, assess and plan each ask for every hit's time: parse each distinct text once.
  let ms = parsedTimes.get(eventTime);
  if (ms === undefined) {
    ms = parseEventTime(eventTime);
    if (parsedTimes.size >= MAX_CACHED_TIMES) parsedTimes.clear();
    parsedTimes.set(eventTime, ms);
  }
  lastText = eventTime;
  lastMs = ms;
  return ms;
}

function parseEventTime(eventTime: string): number | null {
  const m = EVENT_TIME.exec(eventTime.trim());
  if (!m) return null;
  const fraction = m[3] ? m[3].slice(0, 4) : "";
  const zone = m[4] ? (m[4] === "Z" ? "Z" : m[4].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")) : "Z";
  const ms = Date.parse(`${m[1]}T${m[2]}${fraction}${zone}`);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 2024-02-30 over to March 1st: a day that does not exist is not a time.
  const [year, month, day] = (m[1] ?? "").split("-").map(Number) as [number, number, number];
  const check = new Date(Date.UTC(year, month - 1, day));
  return check.getUTCMonth() === month - 1 && check.getUTCDate() === day ? ms : null;
}

/** A batch whose every filter value is negated (`!tagKeyThatWillNeverExist`): it matches every secret. */
export function isCatchAllBatch(hit: SecretAccess): boolean {
  const filters = hit.batch?.filters;
  if (!filters || filters.length === 0) return false;
  return filters.every((f) => f.values.length > 0 && f.values.every((v) => v.startsWith("!")));
}

/** A public internet address: ipaddr.js's `unicast` range (private, shared, reserved and so on are not). */
export function isPublicAddress(source: Source): boolean {
  return source.kind === "ip" && source.range === "unicast";
}

/**
 * `public`, `private`, `vpc-endpoint`, `foreign-vpc-endpoint` (another account's: see
 * {@link viaOtherAccountsEndpoint}), `aws-service`, `aws-internal` or `unknown`: what repeat
 * suppression compares, so a read through someone else's endpoint never repeats one through the account's own.
 */
export function sourceClass(hit: SecretAccess): string {
  const { source } = hit;
  if (source.vpcEndpointId) return viaOtherAccountsEndpoint(hit) ? "foreign-vpc-endpoint" : "vpc-endpoint";
  if (source.kind === "ip") return isPublicAddress(source) ? "public" : "private";
  return source.kind;
}

/** What was read, for repeat keys: the secret, or a batch call's request. */
function whatOf(hit: SecretAccess): string {
  if (!isBatchRead(hit)) return `secret:${hit.secretId ?? ""}`;
  return `batch:${JSON.stringify([hit.batch?.filters ?? null, hit.batch?.secretIdList ?? null])}`;
}

/** A successful single-secret read: what first-seen and rapid retrieval count. */
const countsAsRead = (hit: SecretAccess) => !isBatchRead(hit) && hit.outcome === "success" && hit.secretId !== null;

/** What the assessment of these hits needs from the state store. */
export function stateRequest(hits: readonly SecretAccess[], matcher: PolicyMatcher): StateRequest {
  const t = matcher.policy.thresholds ?? DEFAULT_THRESHOLDS;
  const pairs = new Map<string, { actor: string; secret: string }>();
  const windows = new Map<string, number>();
  const alerts = new Set<string>();
  for (const hit of hits) {
    const actor = actorKey(hit.identity);
    alerts.add(repeatKey(actor, whatOf(hit), hit.outcome));
    if (!countsAsRead(hit)) continue;
    pairs.set(pairKey(actor, hit.secretId!), { actor, secret: hit.secretId! });
    const time = eventMillis(hit.eventTime);
    if (time !== null) windows.set(actor, Math.min(windows.get(actor) ?? time, time) - t.rapidMinutes * MINUTE_MS);
  }
  return {
    pairs: [...pairs.values()],
    windows: [...windows].map(([actor, since]) => ({ actor, since })),
    alerts: [...alerts],
  };
}

/**
 * A public address, not through a VPC endpoint nor by an AWS service, and not one the policy
 * lists as the account's own (a NAT gateway, the office): the internet.
 */
function fromInternet(hit: SecretAccess, matcher: PolicyMatcher): boolean {
  const { identity, source } = hit;
  const viaAws = source.vpcEndpointId !== null || identity.invokedBy !== null;
  return isPublicAddress(source) && !viaAws && !matcher.isOwnNetwork(hit);
}

/** The reasons AWS-set identity and source fields give, before policy and state (each code at most once). */
function identityReasons(hit: SecretAccess, reasons: ReasonCode[], matcher: PolicyMatcher, facts: ActorFacts): void {
  const { identity } = hit;
  const root = facts.root;
  if (root) reasons.push("root");
  if (identity.crossAccount) reasons.push("cross-account");
  if (isPerson(identity, facts)) {
    if (identity.consoleSession) reasons.push("console-session");
    else if (!root && fromInternet(hit, matcher)) reasons.push("public-ip");
  } else if (identity.type === "AWSService" || identity.invokedBy !== null) {
    reasons.push("aws-service");
  } else if (identity.type === "AssumedRole" && facts.ssoUser === null) {
    if (fromInternet(hit, matcher)) reasons.push("role-session-from-internet");
  }
  // Anyone's credentials, used through another account's endpoint (an AWS service's own calls use none).
  if (identity.invokedBy === null && matcher.isForeignEndpoint(hit)) reasons.push("foreign-vpc-endpoint");
}

/** `lowered` of the reads no rule lowered (most of them): one shared empty list. */
const NONE_LOWERED: readonly ReasonCode[] = Object.freeze([]);

/** The codes an expected-reader rule lowers to `info` (the table's `lowerable`). */
const LOWERABLE: ReadonlySet<ReasonCode> = new Set(REASON_CODES.filter((code) => REASONS[code].lowerable));

/**
 * Indexes of `times` in event-time order (a missing time last), ties in input order. A payload
 * usually comes in time order already: then no sort is needed (a stable sort would give the same).
 */
export function eventTimeOrder(times: readonly (number | null)[]): number[] {
  let previous = -Infinity;
  for (const time of times) {
    const t = time ?? Infinity;
    if (t < previous) return sortedByTime(times);
    previous = t;
  }
  return times.map((_, i) => i);
}

/** Room for the index below the time in a packed sort key. */
const INDEX_SPAN = 2 ** 20;
/** Times within this span of each other pack with their index under 2^52 (exactly representable). */
const PACKED_TIME_SPAN = 2 ** 32;

/**
 * {@link eventTimeOrder} when the times are not in order. Whole-millisecond times within about 50 days
 * of each other sort as one number each, the time since the earliest above the index (so ties
 * keep input order), by the typed array's native numeric sort; anything else by a comparison sort.
 */
function sortedByTime(times: readonly (number | null)[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  let missing = 0;
  for (const t of times) {
    if (t === null) missing++;
    else if (!Number.isInteger(t)) return comparedByTime(times);
    else {
      if (t < min) min = t;
      if (t > max) max = t;
    }
  }
  if (times.length >= INDEX_SPAN || max - min >= PACKED_TIME_SPAN) return comparedByTime(times);
  const keys = new Float64Array(times.length - missing);
  let k = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] ?? null;
    if (t !== null) keys[k++] = (t - min) * INDEX_SPAN + i;
  }
  keys.sort();
  // Sized once and filled with small integers (`| 0`): a pushed `%` of a double grows an array of doubles.
  const order = new Array<number>(times.length);
  for (let j = 0; j < k; j++) order[j] = (keys[j]! % INDEX_SPAN) | 0;
  // A missing time sorts last, in input order.
  for (let i = 0; i < times.length; i++) if (times[i] === null) order[k++] = i;
  return order;
}

function comparedByTime(times: readonly (number | null)[]): number[] {
  return times.map((_, i) => i).sort((a, b) => (times[a] ?? Infinity) - (times[b] ?? Infinity) || a - b);
}

/** Scratch for {@link sortByRank}: the rank of each reason, in step with the reasons. */
const RANKS: number[] = [];

/**
 * Sorts `reasons` in place by rank (highest first), then the table's order — a total order, so
 * the result does not depend on the input's order — and returns the highest rank. An insertion
 * sort, each reason's rank worked out once: a read has a handful of reasons.
 */
function sortByRank(reasons: ReasonCode[], sensitive: boolean, lowered: readonly ReasonCode[]): number {
  let top = 0;
  for (let i = 0; i < reasons.length; i++) {
    const code = reasons[i]!;
    const rank = severityRank(reasonSeverity(code, sensitive, lowered.length > 0 && lowered.includes(code)));
    if (rank > top) top = rank;
    let j = i - 1;
    for (; j >= 0 && (rank > RANKS[j]! || (rank === RANKS[j] && REASON_ORDER[code] < REASON_ORDER[reasons[j]!])); j--) {
      reasons[j + 1] = reasons[j]!;
      RANKS[j + 1] = RANKS[j]!;
    }
    reasons[j + 1] = code;
    RANKS[j + 1] = rank;
  }
  return top;
}

/** Whether any of `codes` is in `set` (a loop, not a closure: it runs for every read). */
function anyIn(codes: readonly ReasonCode[], set: ReadonlySet<ReasonCode>): boolean {
  for (const code of codes) if (set.has(code)) return true;
  return false;
}

/** Whether `span` (first and last read) comes within `windowMs` of `time` (null time: any span). */
function covers(span: { first: number; last: number } | undefined, time: number | null, windowMs: number): boolean {
  return span !== undefined && (time === null || (time >= span.first - windowMs && time <= span.last + windowMs));
}

/** One successful read of this batch: a secret and its event time. */
type Read = { secret: string; time: number };

/**
 * One actor's reads of this batch in the last `windowMs`, while they come in time order (as
 * assessHits adds them): a queue of reads and a count per secret, so the distinct secrets of the
 * window ending at each read are known without looking at every secret the actor read.
 */
class SlidingReads {
  private readonly reads: Read[] = [];
  private head = 0;
  private readonly counts = new Map<string, number>();
  constructor(readonly windowMs: number) {}

  /** The time of the latest read added (-Infinity: none). */
  get last(): number {
    return this.reads.at(-1)?.time ?? Number.NEGATIVE_INFINITY;
  }

  /** Distinct secrets of the reads in [time - windowMs, time] plus `secret`; `time` is at least {@link last}. */
  distinctWith(secret: string, time: number): number {
    const from = time - this.windowMs;
    const { reads, counts } = this;
    while (this.head < reads.length && reads[this.head]!.time < from) {
      const old = reads[this.head++]!.secret;
      const n = counts.get(old)! - 1;
      if (n === 0) counts.delete(old);
      else counts.set(old, n);
    }
    if (this.head > 1024 && this.head * 2 > reads.length) {
      reads.splice(0, this.head);
      this.head = 0;
    }
    return counts.size + (counts.has(secret) ? 0 : 1);
  }

  /** The secrets {@link distinctWith} just counted, sorted. */
  secretsWith(secret: string): string[] {
    const secrets = [...this.counts.keys()];
    if (!this.counts.has(secret)) secrets.push(secret);
    return secrets.sort();
  }

  add(read: Read): void {
    this.reads.push(read);
    this.counts.set(read.secret, (this.counts.get(read.secret) ?? 0) + 1);
  }
}

/** What the {@link Overlay} keeps of one actor: looked up once per read. */
interface ActorReads {
  /** Secret → the span of its reads in this batch. */
  spans: Map<string, { first: number; last: number }>;
  /** Its reads with a time, in the order added. */
  reads: Read[];
  /**
   * Its reads within the rapid-retrieval window, while they came in time order (as assessHits
   * adds them) and are asked about with one window length; undefined until the window is first
   * asked about; null once a read came out of order or another length was asked: the reads are
   * then scanned.
   */
  sliding: SlidingReads | null | undefined;
}

/** Keeps, per actor, the successful reads of this batch so far (time, secret) on top of the snapshot. */
class Overlay {
  private readonly actors = new Map<string, ActorReads>();

  constructor(private readonly snapshot: StateSnapshot | null) {}

  private of(actor: string): ActorReads {
    let state = this.actors.get(actor);
    if (state === undefined) {
      state = { spans: new Map(), reads: [], sliding: undefined };
      this.actors.set(actor, state);
    }
    return state;
  }

  /** Whether the actor read the secret within `windowMs` of `time` (null time: ever); asked only with a snapshot. */
  seen(actor: string, secret: string, time: number | null, windowMs: number): boolean {
    const key = pairKey(actor, secret);
    const stored = this.snapshot?.pairs.get(key);
    const span = stored && "firstSeen" in stored ? { first: stored.firstSeen, last: stored.lastSeen } : stored;
    return (
      covers(span as { first: number; last: number } | undefined, time, windowMs) ||
      covers(this.actors.get(actor)?.spans.get(secret), time, windowMs)
    );
  }

  /**
   * The distinct secrets (sorted) the actor read in [time - windowMs, time], this read
   * included, when they are at least `min`; else null (the common case, with nothing to sort).
   */
  window(actor: string, secret: string, time: number, windowMs: number, min: number): string[] | null {
    const from = time - windowMs;
    const stored = this.snapshot?.windows.get(actor);
    const state = this.of(actor);
    let sliding = state.sliding;
    if (sliding === undefined) {
      sliding = new SlidingReads(windowMs);
      state.sliding = sliding;
    } else if (sliding !== null && (sliding.windowMs !== windowMs || sliding.last > time)) {
      sliding = null;
      state.sliding = null;
    }
    // The common case: this batch's reads alone, counted by the sliding window before any set is made.
    if (sliding !== null && (stored === undefined || stored.length === 0)) {
      return sliding.distinctWith(secret, time) < min ? null : sliding.secretsWith(secret);
    }
    const secrets = new Set<string>([secret]);
    for (const e of stored ?? []) if (e.time >= from && e.time <= time) secrets.add(e.secret);
    for (const e of state.reads) if (e.time >= from && e.time <= time) secrets.add(e.secret);
    return secrets.size >= min ? [...secrets].sort() : null;
  }

  add(actor: string, secret: string, time: number | null): void {
    const state = this.of(actor);
    // The spans answer {@link seen} only, which is asked only of a snapshot (no state: first-seen is unknown).
    if (this.snapshot !== null) {
      const t = time ?? Number.NaN;
      const span = state.spans.get(secret);
      if (!span) state.spans.set(secret, { first: time ?? -Infinity, last: time ?? Infinity });
      else if (time !== null) {
        span.first = Math.min(span.first, t);
        span.last = Math.max(span.last, t);
      }
    }
    if (time === null) return;
    // One object for the read, in both lists.
    const read = { secret, time };
    state.reads.push(read);
    const sliding = state.sliding;
    if (sliding === null) return;
    // A read the window was not asked about first (not assessHits's order): scan from now on.
    if (sliding === undefined || time < sliding.last) state.sliding = null;
    else sliding.add(read);
  }
}

/** Whether a repeat of an emailed alert may stay out of the inbox. */
function isRepeat(
  hit: SecretAccess,
  severity: Severity,
  time: number | null,
  memo: AlertMemo | undefined,
  repeatMs: number,
) {
  if (memo === undefined || time === null) return false;
  const age = time - memo.time;
  return (
    age >= 0 &&
    age < repeatMs &&
    severityRank(severity) <= severityRank(memo.severity) &&
    memo.sourceClass === sourceClass(hit) &&
    memo.clientFamily === hit.client.family
  );
}

/**
 * The reasons a read may have and still be only "learned" during the learning hours: a first
 * read, and what never alerts on its own. Any other reason (decoy, root, rapid retrieval, denied,
 * catch-all batch, cross-account, a person's read, a role session from the internet…) alerts.
 */
const LEARNABLE: ReadonlySet<ReasonCode> = new Set([
  "first-seen",
  "sensitive",
  "plain-read",
  "aws-service",
  "expected",
]);

/** Reasons that suppression, learning and policy may never hide. */
const NEVER_SUPPRESSED: ReadonlySet<ReasonCode> = new Set([
  "decoy",
  "root",
  "denied",
  "rapid-retrieval",
  "unreadable-record",
]);

/**
 * Assesses one invocation's hits. Stateful reasons see the snapshot plus the earlier reads of
 * this batch (in event time), never this batch's own writes through the store.
 */
export function assessHits(hits: readonly SecretAccess[], ctx: AssessContext): Assessment {
  const { matcher, snapshot } = ctx;
  const t = matcher.policy.thresholds ?? DEFAULT_THRESHOLDS;
  const [firstSeenMs, rapidMs, repeatMs] = [
    t.firstSeenDays * DAY_MS,
    t.rapidMinutes * MINUTE_MS,
    t.repeatMinutes * MINUTE_MS,
  ];
  const overlay = new Overlay(snapshot);
  const update: StateUpdate = { accesses: [], alerts: [] };
  const times = hits.map((h) => eventMillis(h.eventTime));
  const order = eventTimeOrder(times);
  // Each read is copied with its verdict as soon as it is assessed, while its fields are at hand
  // (a second pass over every read afterwards is a second round of cache misses on them all).
  const assessed: AssessedAccess[] = new Array(hits.length);

  for (const i of order) {
    const hit = hits[i]!;
    const time = times[i] ?? null;
    // Root and the Identity Center user, worked out once: the actor key, the reasons and the policy all ask.
    const facts = actorFacts(hit.identity);
    const actor = actorKey(hit.identity, facts);
    // Each code is added at most once, in this order (the order `lowered` keeps).
    const reasons: ReasonCode[] = [];
    const { decoy, sensitive, rule } = matcher.match(hit, !ctx.policyUnavailable, facts);
    if (decoy) reasons.push("decoy");
    if (hit.unreadable !== undefined) reasons.push("unreadable-record");
    identityReasons(hit, reasons, matcher, facts);
    if (isCatchAllBatch(hit)) reasons.push("catch-all-batch");
    else if (hit.batch?.broad) reasons.push("broad-batch");
    if (hit.outcome === "denied") reasons.push("denied");
    if (hit.outcome === "error") reasons.push("error");
    if (sensitive) reasons.push("sensitive");
    if (ctx.policyUnavailable) reasons.push("policy-unavailable");

    let firstSeen: boolean | null = null;
    let rapid: Verdict["rapid"] = null;
    if (countsAsRead(hit)) {
      const secret = hit.secretId!;
      // An AWS service fetching a secret on the account's behalf (ECS, Lambda extensions…) is
      // routine the first time too; it is still remembered.
      const onBehalf = reasons.includes("aws-service");
      if (snapshot === null) {
        if (!onBehalf) reasons.push("state-unavailable");
      } else {
        firstSeen = !overlay.seen(actor, secret, time, firstSeenMs);
        if (firstSeen && !onBehalf) reasons.push("first-seen");
      }
      if (time !== null) {
        const secrets = overlay.window(actor, secret, time, rapidMs, t.rapidSecrets);
        if (secrets !== null) {
          reasons.push("rapid-retrieval");
          rapid = { secrets, from: new Date(time - rapidMs).toISOString(), to: new Date(time).toISOString() };
        }
        update.accesses.push({ actor, secret, time });
      }
      overlay.add(actor, secret, time);
    }
    let unusual = false;
    for (const r of reasons) if (r !== "sensitive" && r !== "aws-service") unusual = true;
    if (!unusual && !reasons.includes("aws-service")) reasons.push("plain-read");

    let lowered: readonly ReasonCode[] = NONE_LOWERED;
    if (rule) {
      const codes: ReasonCode[] = [];
      for (const r of reasons) if (LOWERABLE.has(r)) codes.push(r);
      if (codes.length > 0) lowered = codes;
      reasons.push("expected");
    }
    // Highest severity first, then the table's order.
    const severity: Severity = SEVERITIES[sortByRank(reasons, sensitive, lowered)]!;
    const sorted = reasons;

    const protectedRead = anyIn(sorted, NEVER_SUPPRESSED);
    const memo = snapshot?.alerts.get(repeatKey(actor, whatOf(hit), hit.outcome));
    // Learning keeps only a first read with nothing else unusual about it out of the inbox.
    const learning =
      ctx.learning === true && !ctx.noSuppression && firstSeen === true && sorted.every((r) => LEARNABLE.has(r));
    const suppressed = learning
      ? "learning"
      : !ctx.noSuppression && !protectedRead && isRepeat(hit, severity, time, memo, repeatMs)
        ? "repeat"
        : null;
    const baseline = ctx.baselineUntil !== undefined && time !== null && time < ctx.baselineUntil;
    const verdict: Verdict = {
      severity,
      reasons: sorted,
      lowered,
      expected: rule ? { id: rule.id, note: rule.note ?? null } : null,
      actor,
      firstSeen,
      suppressed,
      rapid,
      decoy,
      sensitive,
      baseline,
    };
    assessed[i] = { ...hit, verdict };
  }
  return { assessed, update };
}

/** The repeat key of an assessed read: actor × what × outcome. */
export function repeatKeyOf(hit: AssessedAccess): string {
  return repeatKey(hit.verdict.actor, whatOf(hit), hit.outcome);
}

/** The memo to store once an alert covering `hit` was emailed. */
export function alertMemoOf(hit: AssessedAccess, time: number): AlertMemo {
  return {
    time,
    severity: hit.verdict.severity,
    sourceClass: sourceClass(hit),
    clientFamily: hit.client.family,
  };
}
