/**
 * One delivery unit being read: the records one enricher invocation would see together. Keeps
 * only its hits (enriched, de-duplicated by event ID as the Lambda's plan does, then filtered),
 * never the records.
 */
import {
  type CloudTrailRecord,
  type DecodedLogEvent,
  enrichEvents,
  enrichRecord,
  isSecretValueRetrieval,
  readKey,
  type SecretAccess,
} from "@secretwatch/core";
import { type FilterSpec, matchesFilters } from "./filters.js";
import type { UnitResult } from "./protocol.js";

export class Unit {
  private readonly hits: SecretAccess[] = [];
  private readonly seen = new Set<string>();
  private found = 0;
  private duplicates = 0;

  constructor(
    readonly part: string | null,
    /** For the delivery lag; null when replaying an archive (no meaningful lag). */
    private readonly now: Date | null,
    private readonly filters: FilterSpec,
  ) {}

  /** A CloudTrail record of this unit. */
  add(record: CloudTrailRecord): void {
    if (isSecretValueRetrieval(record)) this.addHit(enrichRecord(record, { now: this.now }));
  }

  /** The records of a decoded subscription payload, selected and enriched by the Lambda's own core step. */
  addEvents(events: readonly DecodedLogEvent[]): void {
    for (const hit of enrichEvents(events, this.now)) this.addHit(hit);
  }

  private addHit(hit: SecretAccess): void {
    // Event ID and name; a record without an event ID is always distinct (never dropped as a copy).
    const key = readKey(hit);
    if (key !== null && this.seen.has(key)) {
      this.duplicates++;
      return;
    }
    if (key !== null) this.seen.add(key);
    this.found++;
    if (matchesFilters(hit, this.filters)) this.hits.push(hit);
  }

  /** Whether anything is worth sending to the main thread. */
  get hasHits(): boolean {
    return this.found > 0;
  }

  result(index: number): UnitResult {
    return { index, part: this.part, hits: this.hits, found: this.found, duplicates: this.duplicates };
  }
}
