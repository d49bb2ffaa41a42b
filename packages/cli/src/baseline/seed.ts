/**
 * What `secretwatch baseline` learns from history: per actor × secret, the first and last read
 * and how many reads, counted by the enricher's own rule. The hits go through core's
 * `assessHits` with an empty state, and only its `update.accesses` is kept: the successful
 * single-secret reads with an event time, keyed by `actorKey` (never by a session name, a user
 * agent or any other field the caller chooses), exactly what the enricher remembers.
 * Failed, denied and batch calls are not counted. Only aggregates are held, one per pair.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import {
  assessHits,
  type CompiledPolicy,
  emptySnapshot,
  PolicyMatcher,
  pairKey,
  readKey,
  type SecretAccess,
} from "@secretwatch/core";

/** One actor × secret as history shows it. */
export interface PairSeed {
  actor: string;
  secret: string;
  /** Epoch ms of the first and last counted read. */
  first: number;
  last: number;
  count: number;
}

/** One actor's share, for the report's table. */
export interface ActorRow {
  actor: string;
  secrets: number;
  reads: number;
  first: number;
  last: number;
}

export interface SeedStats {
  pairs: number;
  /** Successful single-secret reads counted. */
  reads: number;
  actors: number;
  secrets: number;
  /** Secret-value calls seen but not counted: failed, denied, batch calls, or without an event time. */
  notCounted: number;
  /** The same event seen again (same event ID and name), from another page, file or copy. */
  duplicates: number;
  /** Epoch ms of the earliest and latest counted read; null when none was counted. */
  from: number | null;
  to: number | null;
}

/** Event ID and name; a record without an event ID is always distinct. */

export class Seed {
  private readonly matcher: PolicyMatcher;
  private readonly pairs = new Map<string, PairSeed>();
  private readonly events = new Set<string>();
  private reads = 0;
  private notCounted = 0;
  private duplicates = 0;

  constructor(policy: CompiledPolicy) {
    this.matcher = new PolicyMatcher(policy.policy);
  }

  /** Counts a batch of hits (a page of event history, a delivery unit of a file). */
  add(hits: readonly SecretAccess[]): void {
    const fresh = hits.filter((hit) => {
      const key = readKey(hit);
      if (key === null) return true;
      if (this.events.has(key)) {
        this.duplicates++;
        return false;
      }
      this.events.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    const { update } = assessHits(fresh, { matcher: this.matcher, snapshot: emptySnapshot() });
    this.notCounted += fresh.length - update.accesses.length;
    for (const { actor, secret, time } of update.accesses) {
      this.reads++;
      const key = pairKey(actor, secret);
      const pair = this.pairs.get(key);
      if (pair === undefined) this.pairs.set(key, { actor, secret, first: time, last: time, count: 1 });
      else
        [pair.first, pair.last, pair.count] = [Math.min(pair.first, time), Math.max(pair.last, time), pair.count + 1];
    }
  }

  /** Every pair, by actor then secret (a stable order for writing and for tests). */
  pairList(): PairSeed[] {
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...this.pairs.values()].sort((a, b) => order(a.actor, b.actor) || order(a.secret, b.secret));
  }

  stats(): SeedStats {
    const actors = new Set<string>();
    const secrets = new Set<string>();
    let [from, to] = [Infinity, -Infinity];
    for (const pair of this.pairs.values()) {
      actors.add(pair.actor);
      secrets.add(pair.secret);
      [from, to] = [Math.min(from, pair.first), Math.max(to, pair.last)];
    }
    return {
      pairs: this.pairs.size,
      reads: this.reads,
      actors: actors.size,
      secrets: secrets.size,
      notCounted: this.notCounted,
      duplicates: this.duplicates,
      from: Number.isFinite(from) ? from : null,
      to: Number.isFinite(to) ? to : null,
    };
  }

  /** Actors by reads (most first), then name. */
  actorRows(): ActorRow[] {
    const rows = new Map<string, ActorRow>();
    for (const pair of this.pairs.values()) {
      const row = rows.get(pair.actor) ?? {
        actor: pair.actor,
        secrets: 0,
        reads: 0,
        first: pair.first,
        last: pair.last,
      };
      row.secrets++;
      row.reads += pair.count;
      [row.first, row.last] = [Math.min(row.first, pair.first), Math.max(row.last, pair.last)];
      rows.set(pair.actor, row);
    }
    return [...rows.values()].sort((a, b) => b.reads - a.reads || (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0));
  }
}
