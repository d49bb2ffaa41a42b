/**
 * Where a baseline comes from: CloudTrail event history (`LookupEvents` of `GetSecretValue`,
 * paced and retried as `lookup` does: lookup/history.ts), or files, read with replay's readers
 * (every input form replay takes: S3 log files, exports, subscription payloads, failure-queue
 * records). Each page or delivery unit goes into the {@link Seed} as it arrives; nothing else
 * of the records is kept.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
import { enrichEvents, GET_SECRET_VALUE } from "@secretwatch/core";
import { createProgress, type Io } from "../io.js";
import { Collector } from "../lookup/collect.js";
import { type CloudTrailSender, eventNameAttributes, readEventHistory } from "../lookup/history.js";
import type { Clock } from "../lookup/throttle.js";
import type { TimeWindow } from "../lookup/window.js";
import { lanesFor, walkInputs } from "../replay/files.js";
import type { FilterSpec } from "../replay/filters.js";
import { runPool } from "../replay/pool.js";
import { MAX_TEXT_BYTES } from "../replay/run.js";
import { ReplaySummary } from "../replay/summary.js";
import { cell } from "../report.js";
import type { Seed } from "./seed.js";

/** What was read, for the report. */
export interface SourceReport {
  /** One line saying what was read. */
  lines: string[];
  /** Paths that could not be used, word for word (sanitised), the first few. */
  problems: string[];
}

const MAX_PROBLEMS = 10;

export interface HistorySource {
  regions: string[];
  window: TimeWindow;
  client(region: string): CloudTrailSender;
  clock: Clock;
}

/**
 * Single reads only: a batch call is also logged as one `GetSecretValue` per secret it
 * returned, and first-seen counts those.
 */
export async function seedFromHistory(io: Io, source: HistorySource, seed: Seed): Promise<SourceReport> {
  const attributes = eventNameAttributes([GET_SECRET_VALUE]);
  let expected = source.regions.length;
  const progress = createProgress(io, "LookupEvents pages", expected);
  let [events, unreadable] = [0, 0];
  let stats: Awaited<ReturnType<typeof readEventHistory>>;
  try {
    stats = await readEventHistory(
      { regions: source.regions, attributes, window: source.window },
      {
        client: source.client,
        clock: source.clock,
        onPage: (page) => {
          if (page.more) progress.setTotal(++expected);
          progress.increment();
          const collector = new Collector();
          for (const event of page.events) collector.add(event);
          [events, unreadable] = [events + page.events.length, unreadable + collector.unreadable];
          seed.add(enrichEvents(collector.events, null));
        },
      },
    );
  } finally {
    progress.stop();
  }
  const extra = [
    unreadable > 0 && `${unreadable} unreadable record(s) skipped`,
    stats.retries > 0 && `${stats.retries} throttled or failed request(s) retried`,
  ].filter((text): text is string => typeof text === "string");
  const { start, end } = source.window;
  return {
    lines: [
      `CloudTrail event history (${source.regions.join(", ")}), ${start.toISOString()} .. ${end.toISOString()}: ` +
        `${stats.pages} page(s), ${events} ${GET_SECRET_VALUE} event(s)${extra.length > 0 ? `; ${extra.join(", ")}` : ""}`,
    ],
    problems: [],
  };
}

export interface FileSource {
  paths: string[];
  workers: number;
  /** `--since` / `--until` only (a baseline takes every reader and secret). */
  filters: FilterSpec;
}

/** Reads the files as replay does; `usable` is false when no file held CloudTrail data. */
export async function seedFromFiles(
  io: Io,
  source: FileSource,
  seed: Seed,
): Promise<SourceReport & { usable: boolean }> {
  const summary = new ReplaySummary();
  const problems: string[] = [];
  const problem = (line: string) => problems.length < MAX_PROBLEMS && problems.push(line);
  const progress = createProgress(io, "baseline", 0);
  try {
    await runPool(
      walkInputs(source.paths, io.cwd),
      {
        workers: lanesFor(source.workers, source.paths, io.cwd),
        config: { cwd: io.cwd, now: null, filters: source.filters, maxTextBytes: MAX_TEXT_BYTES },
      },
      {
        entry: (entry) => {
          summary.entry(entry);
          if (entry.kind === "problem") problem(`${cell(entry.path)}: ${cell(entry.reason)}`);
        },
        file: (report) => {
          summary.file(report);
          progress.increment();
          if (report.status !== "read") problem(`${cell(report.path)}: ${cell(report.error ?? "empty file")}`);
        },
        unit: (unit) => {
          summary.unit(unit);
          seed.add(unit.hits);
        },
      },
    );
  } finally {
    progress.stop();
  }
  const t = summary.totals;
  const unusable = t.files - t.usable;
  return {
    lines: [
      `${t.files} file(s) (${t.usable} with CloudTrail data${unusable > 0 ? `, ${unusable} without` : ""}), ` +
        `${t.records} CloudTrail record(s), ${t.found} secret-value retrieval(s), ${t.kept} after --since/--until`,
    ],
    problems,
    usable: summary.anythingRead,
  };
}
