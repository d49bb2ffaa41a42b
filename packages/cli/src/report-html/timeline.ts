/**
 * The report's timelines: reads counted per time bucket and severity, for all reads, denied
 * attempts, and each of the busiest secrets and actors (the rest summed as one). The bucket is
 * five minutes, an hour, a day or a week (UTC), whichever keeps the chart readable for the span
 * of the reads (at most about 72 bars for five minutes and hours, 120 for days).
 */
import { SEVERITIES, type Severity } from "@secretwatch/core";

export type BucketUnit = "5min" | "hour" | "day" | "week";

/** Counts per bucket (aligned with `Timeline.labels`) for each severity. */
export interface Series {
  label: string;
  total: number;
  counts: Record<Severity, number[]>;
}

export interface Timeline {
  unit: BucketUnit;
  /** Each bucket's start, `2024-06-03T14:05Z` (five minutes, hours) or `2024-06-03` (a week by its first day). */
  labels: string[];
  all: Series;
  denied: Series;
  perSecret: Series[];
  perActor: Series[];
}

/** What a timeline counts of one read. */
export interface TimedRead {
  ms: number | null;
  severity: Severity;
  secret: string;
  actor: string;
  outcome: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEP: Readonly<Record<BucketUnit, number>> = { "5min": 5 * MINUTE, hour: HOUR, day: DAY, week: 7 * DAY };

/** Five minutes for up to 6 hours, hours for up to 3 days, days for up to 120 days, weeks beyond. */
export function bucketUnit(spanMs: number): BucketUnit {
  if (spanMs < 6 * HOUR) return "5min";
  if (spanMs < 3 * DAY) return "hour";
  if (spanMs < 120 * DAY) return "day";
  return "week";
}

function emptySeries(label: string, buckets: number): Series {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, new Array<number>(buckets).fill(0)]));
  return { label, total: 0, counts: counts as Record<Severity, number[]> };
}

function add(series: Series, bucket: number, severity: Severity): void {
  const counts = series.counts[severity];
  counts[bucket] = (counts[bucket] ?? 0) + 1;
  series.total++;
}

/** The `top` groups with the most reads (ties by name), and one more summing the rest. */
function grouped(
  reads: readonly TimedRead[],
  key: (r: TimedRead) => string,
  top: number,
  buckets: number,
  bucketOf: (ms: number) => number,
  noun: string,
): Series[] {
  const byKey = new Map<string, Series>();
  for (const read of reads) {
    if (read.ms === null) continue;
    const name = key(read);
    const series = byKey.get(name) ?? emptySeries(name, buckets);
    add(series, bucketOf(read.ms), read.severity);
    byKey.set(name, series);
  }
  const all = [...byKey.values()].sort((a, b) => b.total - a.total || (a.label < b.label ? -1 : 1));
  if (all.length <= top + 1) return all;
  const rest = all.slice(top);
  const other = emptySeries(`${rest.length} other ${noun}s`, buckets);
  for (const series of rest) {
    for (const s of SEVERITIES)
      series.counts[s].forEach((n, i) => {
        other.counts[s][i] = (other.counts[s][i] ?? 0) + n;
      });
    other.total += series.total;
  }
  return [...all.slice(0, top), other];
}

/** The timelines of the dated reads (reads without a readable time are left out). */
export function timelineOf(reads: readonly TimedRead[], top: number): Timeline {
  // A loop, not Math.min(...times): a history of millions of reads would overflow the stack.
  let [min, max, dated] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0];
  for (const { ms } of reads) {
    if (ms === null) continue;
    [min, max, dated] = [Math.min(min, ms), Math.max(max, ms), dated + 1];
  }
  if (dated === 0) [min, max] = [0, 0];
  const unit = bucketUnit(max - min);
  const step = STEP[unit];
  const align = unit === "5min" || unit === "hour" ? step : DAY;
  const start = Math.floor(min / align) * align;
  const buckets = dated > 0 ? Math.floor((max - start) / step) + 1 : 0;
  const bucketOf = (ms: number) => Math.floor((ms - start) / step);
  const labels = Array.from({ length: buckets }, (_, i) => {
    const iso = new Date(start + i * step).toISOString();
    return unit === "5min" || unit === "hour" ? `${iso.slice(0, 16)}Z` : iso.slice(0, 10);
  });
  const all = emptySeries("all reads", buckets);
  const denied = emptySeries("denied attempts", buckets);
  for (const read of reads) {
    if (read.ms === null) continue;
    add(all, bucketOf(read.ms), read.severity);
    if (read.outcome === "denied") add(denied, bucketOf(read.ms), read.severity);
  }
  return {
    unit,
    labels,
    all,
    denied,
    perSecret: grouped(reads, (r) => r.secret, top, buckets, bucketOf, "secret"),
    perActor: grouped(reads, (r) => r.actor, top, buckets, bucketOf, "actor"),
  };
}
