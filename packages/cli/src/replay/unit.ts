/**
 * One delivery unit being read: the records one enricher invocation would see together. Keeps
 * only its hits (enriched, de-duplicated by event ID as the Lambda's plan does, then filtered),
 * never the records, except the stage's tamper records (rare; classified here with the
 * enricher's classifier, planned on the main thread with the enricher's planner).
 */
import {
  type CloudTrailRecord,
  type DecodedLogEvent,
  enrichEvents,
  enrichOrBare,
  isSecretValueRetrieval,
  readKey,
  type SecretAccess,
} from "@secretwatch/core";
import { type FilterSpec, matchesFilters, tamperMatchesFilters } from "./filters.js";
import type { UnitResult } from "./protocol.js";
import { type TamperSettings, tamperHitOf } from "./tamper.js";

export class Unit {
  private readonly hits: SecretAccess[] = [];
  private readonly tamper: CloudTrailRecord[] = [];
  private readonly seen = new Set<string>();
  private found = 0;
  private duplicates = 0;

  constructor(
    readonly part: string | null,
    /** For the delivery lag; null when replaying an archive (no meaningful lag). */
    private readonly now: Date | null,
    private readonly filters: FilterSpec,
    /** The stage's tamper scope; null: tamper records are not looked at. */
    private readonly tamperSettings: TamperSettings | null = null,
  ) {}

  /** A CloudTrail record of this unit. */
  add(record: CloudTrailRecord): void {
    if (isSecretValueRetrieval(record)) this.addHit(enrichOrBare(record, { now: this.now }));
    else this.addTamper(record);
  }

  /** The records of a decoded subscription payload, selected and enriched by the Lambda's own core step. */
  addEvents(events: readonly DecodedLogEvent[]): void {
    for (const hit of enrichEvents(events, this.now)) this.addHit(hit);
    for (const event of events) if (!isSecretValueRetrieval(event.record)) this.addTamper(event.record);
  }

  /** A tamper record of the stage that passes the filters (repeats are dropped by the planner). */
  private addTamper(record: CloudTrailRecord): void {
    if (this.tamperSettings === null) return;
    const hit = tamperHitOf(record, this.tamperSettings);
    if (hit !== null && tamperMatchesFilters(hit, this.filters)) this.tamper.push(record);
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
    return this.found > 0 || this.tamper.length > 0;
  }

  result(index: number): UnitResult {
    const { part, hits, found, duplicates, tamper } = this;
    return { index, part, hits, found, duplicates, ...(tamper.length > 0 && { tamper }) };
  }
}
