/**
 * `secretwatch history`, once its options are parsed: one Athena query finds the log files and
 * event IDs, those files are read back with replay's reader, then replay's own steps follow:
 * one unit per log file, assessed in event-time order with one state, printed in key order
 * (`--format json` gives replay's lines for the same records), the summary, the data scanned
 * and its cost on stderr.
 * @see https://aws.amazon.com/athena/pricing/ ($5 per TB scanned, 10 MB minimum per query)
 */
import type { AthenaClient } from "@aws-sdk/client-athena";
import type { S3Client } from "@aws-sdk/client-s3";
import { type CompiledPolicy, eventMillis, readKey, stringOrNull } from "@secretwatch/core";
import { Assessor, emailedIn } from "../assessment.js";
import type { Io } from "../io.js";
import { createProgress, progressWanted } from "../progress.js";
import { type BacktestUnit, backtestUnits } from "../replay/backtest.js";
import type { FilterSpec } from "../replay/filters.js";
import { createOutput, OutputClosed } from "../replay/output.js";
import type { TamperSettings } from "../replay/tamper.js";
import { formatSummary, SummaryTable } from "../report.js";
import { groupDigits } from "../words.js";
import { type AthenaTarget, formatBytes, runQuery } from "./athena.js";
import { groupByFile, readLogFiles } from "./objects.js";
import type { HistoryScope } from "./partitions.js";
import { writeHistoryReport } from "./report.js";
import { buildHistoryQuery } from "./sql.js";

export interface HistoryDeps {
  athena: AthenaClient;
  s3: S3Client;
  /** Waits `ms`, or less once `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Watches for an interrupt (Ctrl-C) while the query runs: the query is then stopped in Athena. */
  interrupts?: () => { signal: AbortSignal; release(): void };
}

export interface HistoryRunOptions {
  scope: HistoryScope;
  /** replay's filters, applied exactly to the records read back. */
  filters: FilterSpec;
  target: AthenaTarget;
  format: "text" | "json";
  app: string;
  stage: string;
  policy: CompiledPolicy;
  report?: string;
  /** The stage's tamper scope: its tamper events are found and reported with the reads. */
  tamper: TamperSettings;
}

const TB = 1e12;
const MB = 1e6;
const PRICE_PER_TB = 5;

/** Dollars for `bytes` scanned: rounded up to the megabyte, 10 MB at least. */
export function queryCost(bytes: number): number {
  return (Math.max(10, Math.ceil(bytes / MB)) * MB * PRICE_PER_TB) / TB;
}

/** A status line on a terminal: rewritten in place, cleared at the end; nothing elsewhere. */
function statusLine(io: Io) {
  const shown = progressWanted(io);
  const started = io.now().getTime();
  return {
    update(state: string, scanned: number): void {
      if (!shown) return;
      const seconds = Math.round((io.now().getTime() - started) / 1000);
      io.stderr.write(`\r\x1b[2Khistory: query ${state.toLowerCase()}, ${formatBytes(scanned)} scanned (${seconds} s)`);
    },
    clear: () => shown && io.stderr.write("\r\x1b[2K"),
  };
}

export async function runHistory(io: Io, deps: HistoryDeps, options: HistoryRunOptions): Promise<void> {
  const query = buildHistoryQuery(options.scope);
  const status = statusLine(io);
  const interrupt = deps.interrupts?.();
  const signal = interrupt?.signal;
  let run: Awaited<ReturnType<typeof runQuery>>;
  try {
    run = await runQuery(deps.athena, query, options.target, {
      sleep: (ms) => deps.sleep(ms, signal),
      progress: status.update,
      ...(signal && { signal }),
    });
  } finally {
    interrupt?.release();
    status.clear();
  }

  const files = groupByFile(run.rows);
  const progress = createProgress(io, "history", files.size, "log files read");
  let read: Awaited<ReturnType<typeof readLogFiles>>;
  try {
    read = await readLogFiles(deps.s3, files, options.filters, () => progress.increment(), options.tamper);
  } finally {
    progress.stop();
  }

  // As replay: one read counts once across files; one unit per file (and per payload in it).
  const seen = new Set<string>();
  const once = (key: string | null) => {
    if (key === null) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const units: BacktestUnit[] = [];
  const pairs = new SummaryTable();
  for (const file of read) {
    for (const unit of file.units) {
      const hits = unit.hits.filter((hit) => once(readKey(hit)));
      const tamper = (unit.tamper ?? []).filter((r) =>
        once(typeof r.eventID === "string" && r.eventID !== "" ? `tamper ${r.eventID}` : null),
      );
      if (hits.length === 0 && tamper.length === 0) continue;
      for (const hit of hits) pairs.add(hit);
      const times = [...hits.map((h) => h.eventTime), ...tamper.map((r) => stringOrNull(r.eventTime))];
      // A loop, not Math.min(...): a unit of many reads must not overflow the stack.
      const start = times.reduce((m, t) => Math.min(m, eventMillis(t) ?? Infinity), Infinity);
      units.push({ order: units.length, file: file.path, part: unit.part, hits, tamper, start });
    }
  }

  const assessor = new Assessor(options.policy, { app: options.app, stage: options.stage });
  const { placed, budget } = await backtestUnits(units, assessor, options.tamper, {
    app: options.app,
    stage: options.stage,
  });

  const output = createOutput(io, { format: options.format, publish: null });
  let closed = false;
  try {
    for (const unit of placed) await output.unit(unit);
  } catch (error) {
    closed = error instanceof OutputClosed;
    if (!closed) throw error;
  } finally {
    output.close();
  }

  if (options.report !== undefined) {
    const hits = placed.flatMap((u) => u.hits);
    const emailed = new Map(placed.flatMap((u) => [...emailedIn(u.plan)]));
    const tamper = placed.flatMap((u) => u.tamper?.hits ?? []);
    await writeHistoryReport(
      options.report,
      { hits, emailed, tamper },
      {
        source: `Athena history of ${options.target.workgroup} (query ${run.queryId})`,
        app: options.app,
        stage: options.stage,
      },
    );
  }

  const kept = placed.reduce((n, u) => n + u.hits.length, 0);
  const changes = placed.reduce((n, u) => n + (u.tamper?.hits.length ?? 0), 0);
  const lines = [
    `history: query ${run.queryId} found ${groupDigits(run.rows.length)} event(s) in ${groupDigits(files.size)} log file(s); ` +
      `${groupDigits(kept)} secret-value retrieval(s) after filters` +
      (changes > 0 ? `, ${groupDigits(changes)} tamper event(s) of the stage` : ""),
    `history: data scanned ${formatBytes(run.scannedBytes)}, cost $${queryCost(run.scannedBytes).toFixed(4)} at $${PRICE_PER_TB}/TB (10 MB minimum)`,
  ];
  if (budget.reads + budget.tamperEvents > 0) {
    const label = `policy ${options.policy.source} (${options.policy.hash.slice(0, 19)})`;
    lines.push(...budget.render(label).map((line) => line.replace(/^replay:/, "history:")));
  }
  const table = formatSummary(pairs.rows());
  if (table) lines.push("", table.trimEnd());
  io.stderr.write(`${lines.join("\n")}\n`);
  if (closed) io.stderr.write("history: stopped early, stdout was closed\n");
}
