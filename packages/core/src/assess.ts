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
import { actorKey, identityCenterUser, isPerson, isRoot } from "./actor.js";
import { DEFAULT_THRESHOLDS } from "./policy.js";
import type { PolicyMatcher } from "./policy-match.js";
import { REASONS, type ReasonCode } from "./reasons.js";
import { maxSeverity, type Severity, severityRank } from "./severity.js";
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
  /** Late or redriven payloads: no repeat suppression (their alerts may be the ones never sent). */
  noSuppression?: boolean;
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

/** Event time in epoch ms, or null when missing or not a time. Accepts the space-separated nanosecond form. */
export function eventMillis(eventTime: string | null): number | null {
  if (eventTime === null) return null;
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

const isBatch = (hit: SecretAccess) => hit.batch !== null || hit.eventName === "BatchGetSecretValue";

/** A batch whose every filter value is negated (`!tagKeyThatWillNeverExist`): it matches every secret. */
export function isCatchAllBatch(hit: SecretAccess): boolean {
  const filters = hit.batch?.filters ?? [];
  if (filters.length === 0) return false;
  return filters.every((f) => f.values.length > 0 && f.values.every((v) => v.startsWith("!")));
}

/** A public internet address: ipaddr.js's `unicast` range (private, shared, reserved and so on are not). */
export function isPublicAddress(source: Source): boolean {
  return source.kind === "ip" && source.range === "unicast";
}

/** `public`, `private`, `vpc-endpoint`, `aws-service`, `aws-internal` or `unknown`: what repeat suppression compares. */
export function sourceClass(source: Source): string {
  if (source.vpcEndpointId) return "vpc-endpoint";
  if (source.kind === "ip") return isPublicAddress(source) ? "public" : "private";
  return source.kind;
}

/** What was read, for repeat keys: the secret, or a batch call's request. */
function whatOf(hit: SecretAccess): string {
  if (!isBatch(hit)) return `secret:${hit.secretId ?? ""}`;
  return `batch:${JSON.stringify([hit.batch?.filters ?? null, hit.batch?.secretIdList ?? null])}`;
}

/** A successful single-secret read: what first-seen and rapid retrieval count. */
const countsAsRead = (hit: SecretAccess) => !isBatch(hit) && hit.outcome === "success" && hit.secretId !== null;

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

/** The reasons AWS-set identity and source fields give, before policy and state. */
function identityReasons(hit: SecretAccess, reasons: Set<ReasonCode>): void {
  const { identity, source } = hit;
  if (isRoot(identity)) reasons.add("root");
  if (identity.crossAccount) reasons.add("cross-account");
  const viaAws = source.vpcEndpointId !== null || identity.invokedBy !== null;
  if (isPerson(identity)) {
    if (identity.consoleSession) reasons.add("console-session");
    else if (isPublicAddress(source) && !viaAws && !isRoot(identity)) reasons.add("public-ip");
  } else if (identity.type === "AWSService" || identity.invokedBy !== null) {
    reasons.add("aws-service");
  } else if (identity.type === "AssumedRole" && identityCenterUser(identity) === null) {
    if (isPublicAddress(source) && !viaAws) reasons.add("role-session-from-internet");
  }
}

/** The table's severity of one reason for this read. */
function reasonSeverity(code: ReasonCode, sensitive: boolean, lowered: boolean): Severity {
  if (lowered) return "info";
  const spec = REASONS[code];
  return sensitive ? spec.sensitive : spec.severity;
}

const ORDER = Object.keys(REASONS) as ReasonCode[];

/** Keeps, per actor, the successful reads of this batch so far (time, secret) on top of the snapshot. */
class Overlay {
  private readonly pairs = new Map<string, { first: number; last: number }>();
  private readonly reads = new Map<string, Array<{ secret: string; time: number }>>();

  constructor(private readonly snapshot: StateSnapshot | null) {}

  /** Whether the actor read the secret within `windowMs` of `time` (null time: ever). */
  seen(actor: string, secret: string, time: number | null, windowMs: number): boolean {
    const key = pairKey(actor, secret);
    const spans = [this.snapshot?.pairs.get(key), this.pairs.get(key)].map((m) =>
      m && "firstSeen" in m ? { first: m.firstSeen, last: m.lastSeen } : m,
    );
    return spans.some(
      (span) =>
        span !== undefined && (time === null || (time >= span.first - windowMs && time <= span.last + windowMs)),
    );
  }

  /** Distinct secrets the actor read in [time - windowMs, time], this read included. */
  window(actor: string, secret: string, time: number, windowMs: number): string[] {
    const inWindow = (e: { time: number }) => e.time >= time - windowMs && e.time <= time;
    const secrets = new Set<string>([secret]);
    for (const e of this.snapshot?.windows.get(actor) ?? []) if (inWindow(e)) secrets.add(e.secret);
    for (const e of this.reads.get(actor) ?? []) if (inWindow(e)) secrets.add(e.secret);
    return [...secrets].sort();
  }

  add(actor: string, secret: string, time: number | null): void {
    const key = pairKey(actor, secret);
    const t = time ?? Number.NaN;
    const span = this.pairs.get(key);
    if (!span) this.pairs.set(key, { first: time ?? -Infinity, last: time ?? Infinity });
    else if (time !== null) [span.first, span.last] = [Math.min(span.first, t), Math.max(span.last, t)];
    if (time !== null) {
      if (!this.reads.has(actor)) this.reads.set(actor, []);
      this.reads.get(actor)!.push({ secret, time });
    }
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
    memo.sourceClass === sourceClass(hit.source) &&
    memo.clientFamily === hit.client.family
  );
}

/** Reasons that suppression, learning and policy may never hide. */
const NEVER_SUPPRESSED: ReadonlySet<ReasonCode> = new Set(["decoy", "root", "denied", "rapid-retrieval"]);

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
  const order = hits.map((_, i) => i).sort((a, b) => (times[a] ?? Infinity) - (times[b] ?? Infinity) || a - b);
  const verdicts: Verdict[] = new Array(hits.length);

  for (const i of order) {
    const hit = hits[i]!;
    const time = times[i] ?? null;
    const actor = actorKey(hit.identity);
    const reasons = new Set<ReasonCode>();
    const decoy = matcher.isDecoy(hit);
    const sensitive = matcher.isSensitive(hit);
    if (decoy) reasons.add("decoy");
    identityReasons(hit, reasons);
    if (isCatchAllBatch(hit)) reasons.add("catch-all-batch");
    else if (hit.batch?.broad) reasons.add("broad-batch");
    if (hit.outcome === "denied") reasons.add("denied");
    if (hit.outcome === "error") reasons.add("error");
    if (sensitive) reasons.add("sensitive");
    if (ctx.policyUnavailable) reasons.add("policy-unavailable");

    let firstSeen: boolean | null = null;
    let rapid: Verdict["rapid"] = null;
    if (countsAsRead(hit)) {
      const secret = hit.secretId!;
      // An AWS service fetching a secret on the account's behalf (ECS, Lambda extensions…) is
      // routine the first time too; it is still remembered.
      const onBehalf = reasons.has("aws-service");
      if (snapshot === null) {
        if (!onBehalf) reasons.add("state-unavailable");
      } else {
        firstSeen = !overlay.seen(actor, secret, time, firstSeenMs);
        if (firstSeen && !onBehalf) reasons.add("first-seen");
      }
      if (time !== null) {
        const secrets = overlay.window(actor, secret, time, rapidMs);
        if (secrets.length >= t.rapidSecrets) {
          reasons.add("rapid-retrieval");
          rapid = { secrets, from: new Date(time - rapidMs).toISOString(), to: new Date(time).toISOString() };
        }
        update.accesses.push({ actor, secret, time });
      }
      overlay.add(actor, secret, time);
    }
    const unusual = [...reasons].some((r) => r !== "sensitive" && r !== "aws-service");
    if (!unusual && !reasons.has("aws-service")) reasons.add("plain-read");

    const rule = ctx.policyUnavailable ? null : matcher.expectedRule(hit);
    const lowered = rule ? [...reasons].filter((r) => REASONS[r].lowerable) : [];
    if (rule) reasons.add("expected");
    let severity: Severity = "info";
    for (const r of reasons) severity = maxSeverity(severity, reasonSeverity(r, sensitive, lowered.includes(r)));
    const sorted = [...reasons].sort(
      (a, b) =>
        severityRank(reasonSeverity(b, sensitive, lowered.includes(b))) -
          severityRank(reasonSeverity(a, sensitive, lowered.includes(a))) || ORDER.indexOf(a) - ORDER.indexOf(b),
    );

    const protectedRead = sorted.some((r) => NEVER_SUPPRESSED.has(r));
    const memo = snapshot?.alerts.get(repeatKey(actor, whatOf(hit), hit.outcome));
    const suppressed =
      !ctx.noSuppression && !protectedRead && isRepeat(hit, severity, time, memo, repeatMs) ? "repeat" : null;
    const baseline = ctx.baselineUntil !== undefined && time !== null && time < ctx.baselineUntil;
    verdicts[i] = {
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
  }
  return { assessed: hits.map((hit, i) => ({ ...hit, verdict: verdicts[i]! })), update };
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
    sourceClass: sourceClass(hit.source),
    clientFamily: hit.client.family,
  };
}
