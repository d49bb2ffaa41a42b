/**
 * Collects LookupEvents results: parses each event's full record (`CloudTrailEvent`, JSON
 * text), drops repeated events (same event ID and name: the same event can come back from
 * two queries or pages; a record without an ID is kept) and, when given a filter, the
 * records it rejects (events of another principal).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html
 */
import type { Event } from "@aws-sdk/client-cloudtrail";
import { type CloudTrailRecord, type DecodedLogEvent, parseRecordMessage, stringOrNull } from "@secretwatch/core";

export class Collector {
  readonly events: DecodedLogEvent[] = [];
  private readonly seen = new Set<string>();
  unreadable = 0;
  duplicates = 0;
  /** Records the filter rejected. */
  rejected = 0;

  /** @param accept keeps a record (default: every record). */
  constructor(private readonly accept: (record: CloudTrailRecord) => boolean = () => true) {}

  add(event: Event): void {
    const parsed = parseRecordMessage(event.CloudTrailEvent ?? "");
    if ("reason" in parsed) {
      this.unreadable++;
      return;
    }
    // The record's own ID, else the summary's: the same value when both are there. One event
    // is one ID and name (as report.ts's uniqueHits counts it); a record without an ID is distinct.
    const id = stringOrNull(parsed.record.eventID) || event.EventId || "";
    const key = JSON.stringify([id, parsed.record.eventName]);
    if (id !== "" && this.seen.has(key)) {
      this.duplicates++;
      return;
    }
    if (id !== "") this.seen.add(key);
    if (!this.accept(parsed.record)) {
      this.rejected++;
      return;
    }
    const time = event.EventTime?.getTime() ?? 0;
    this.events.push({ id, timestamp: Number.isFinite(time) ? time : 0, record: parsed.record });
  }

  /** Why some events are not in the report, for the summary; empty when none were left out. */
  skipped(): string[] {
    return [
      this.duplicates > 0 && `${this.duplicates} duplicate(s) dropped`,
      this.unreadable > 0 && `${this.unreadable} unreadable record(s) skipped`,
    ].filter((text): text is string => typeof text === "string");
  }
}
