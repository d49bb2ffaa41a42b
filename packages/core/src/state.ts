/**
 * What the assessment remembers across invocations, behind a port: pairs of actor × secret
 * seen (for first-seen), each actor's recent reads (for rapid retrieval, a sliding window in
 * event time), and the last alert per actor × secret × outcome (for repeat suppression).
 * Core defines the interface and an in-memory store (replay, tests); the DynamoDB store lives
 * with the Lambda. All times are event times in epoch milliseconds.
 */
import type { Severity } from "./severity.js";

export interface PairMemo {
  firstSeen: number;
  lastSeen: number;
  count: number;
}

/** The last alert emailed for one actor × secret × outcome. */
export interface AlertMemo {
  time: number;
  severity: Severity;
  /** `public`, `private`, `vpc-endpoint`, `aws-service`, `aws-internal`, `unknown`. */
  sourceClass: string;
  clientFamily: string;
}

export interface WindowEntry {
  secret: string;
  time: number;
}

export interface StateRequest {
  pairs: Array<{ actor: string; secret: string }>;
  /** Each actor's successful reads at or after `since`. */
  windows: Array<{ actor: string; since: number }>;
  /** Repeat keys (see {@link repeatKey}). */
  alerts: string[];
}

/** When the stage was first deployed (a marker the deploy writes) and when `baseline` last ran: what learning is measured from. */
export interface StageMeta {
  deployedAt: number | null;
  baselineAt: number | null;
}

/** What the store knew when the invocation started: plain maps, keyed as the helpers below key them. */
export interface StateSnapshot {
  pairs: Map<string, PairMemo>;
  windows: Map<string, WindowEntry[]>;
  alerts: Map<string, AlertMemo>;
  /** Absent when the store keeps no stage marker (the in-memory store). */
  meta?: StageMeta;
}

export interface StateUpdate {
  /** Successful single-secret reads to remember. */
  accesses: Array<{ actor: string; secret: string; time: number }>;
  /** Alerts that were emailed. */
  alerts: Array<{ key: string; memo: AlertMemo }>;
}

/**
 * One actor's rapid-retrieval window, claimed before its alert is sent (see rapid-claim.ts): won
 * when no claim exists, when the last one ended at or before this group's last read, or when
 * `owner` (the delivery) already holds it (a retry of the same payload).
 */
export interface RapidClaim {
  actor: string;
  /** Event time of the group's last read, epoch ms. */
  last: number;
  /** End of the window this alert stands for, epoch ms. */
  until: number;
  owner: string;
}

/** The port: one batched read before assessing, writes after. Implementations throw when unavailable. */
export interface StateStore {
  load(request: StateRequest): Promise<StateSnapshot>;
  save(update: StateUpdate): Promise<void>;
  /** Claims a rapid-retrieval window (a conditional write); false when another delivery holds it. */
  claimRapid?(claim: RapidClaim): Promise<boolean>;
}

/** The state could not be read or written; the caller alerts without it (`state-unavailable`). */
export class StateUnavailableError extends Error {
  override name = "StateUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const pairKey = (actor: string, secret: string): string => JSON.stringify([actor, secret]);

/** Actor × what was read (a secret, or a batch call's request) × outcome. */
export const repeatKey = (actor: string, what: string, outcome: string): string =>
  JSON.stringify([actor, what, outcome]);

export const emptySnapshot = (): StateSnapshot => ({ pairs: new Map(), windows: new Map(), alerts: new Map() });

/**
 * The whole state in memory, for replay (one store across its input) and tests. Window entries
 * older than `windowKeepMs` before the newest read of an actor are dropped, so memory stays
 * bounded by the reads in one window per actor plus one memo per pair and per alert group.
 */
export class InMemoryStateStore implements StateStore {
  private readonly pairs = new Map<string, PairMemo>();
  private readonly windows = new Map<string, WindowEntry[]>();
  private readonly alerts = new Map<string, AlertMemo>();
  private readonly claims = new Map<string, { until: number; owner: string }>();

  constructor(private readonly windowKeepMs = 24 * 60 * 60 * 1000) {}

  async load(request: StateRequest): Promise<StateSnapshot> {
    const snapshot = emptySnapshot();
    for (const { actor, secret } of request.pairs) {
      const key = pairKey(actor, secret);
      const memo = this.pairs.get(key);
      if (memo) snapshot.pairs.set(key, { ...memo });
    }
    for (const { actor, since } of request.windows) {
      const entries = (this.windows.get(actor) ?? []).filter((e) => e.time >= since);
      snapshot.windows.set(actor, entries);
    }
    for (const key of request.alerts) {
      const memo = this.alerts.get(key);
      if (memo) snapshot.alerts.set(key, { ...memo });
    }
    return snapshot;
  }

  async save(update: StateUpdate): Promise<void> {
    for (const { actor, secret, time } of update.accesses) {
      const key = pairKey(actor, secret);
      const memo = this.pairs.get(key);
      if (!memo) this.pairs.set(key, { firstSeen: time, lastSeen: time, count: 1 });
      else {
        memo.firstSeen = Math.min(memo.firstSeen, time);
        memo.lastSeen = Math.max(memo.lastSeen, time);
        memo.count++;
      }
      const list = this.windows.get(actor) ?? [];
      list.push({ secret, time });
      const newest = list.reduce((m, e) => Math.max(m, e.time), time);
      this.windows.set(
        actor,
        list.filter((e) => e.time >= newest - this.windowKeepMs),
      );
    }
    for (const { key, memo } of update.alerts) {
      const old = this.alerts.get(key);
      if (!old || old.time <= memo.time) this.alerts.set(key, { ...memo });
    }
  }

  async claimRapid(claim: RapidClaim): Promise<boolean> {
    const held = this.claims.get(claim.actor);
    if (held && held.until > claim.last && held.owner !== claim.owner) return false;
    this.claims.set(claim.actor, { until: claim.until, owner: claim.owner });
    return true;
  }

  /** How many pairs are remembered (for tests and replay's summary). */
  get pairCount(): number {
    return this.pairs.size;
  }
}
