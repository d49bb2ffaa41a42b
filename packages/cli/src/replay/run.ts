/**
 * `secretwatch replay`, once its options are parsed: walk the inputs and read them on the
 * lanes (keeping only each delivery unit's hits), then assess the units in event-time order
 * with one in-memory state (a backtest of the policy, as the Lambda would have run), then
 * print (and publish) each unit in input order, then the summary and the alert budget on stderr.
 */
import { type CompiledPolicy, eventMillis, readKey, stringOrNull } from "@secretwatch/core";
import type { AlertTarget } from "../alerts.js";
import { Assessor, emailedIn } from "../assessment.js";
import { describeError, UserError } from "../errors.js";
import type { CommandContext } from "../main.js";
import { createProgress, progressWanted } from "../progress.js";
import { type BacktestUnit, backtestUnits } from "./backtest.js";
import { countInputFiles, lanesFor, walkInputs } from "./files.js";
import type { FilterSpec } from "./filters.js";
import { workerEntry } from "./lanes.js";
import { createOutput, OutputClosed } from "./output.js";
import { runPool } from "./pool.js";
import { type Spooled, spoolStdin } from "./stdin.js";
import { ReplaySummary } from "./summary.js";
import { type TamperSettings, tamperSettings } from "./tamper.js";

/**
 * Texts over this size are streamed value by value (lines.ts) instead of read whole, so memory
 * stays near the largest record whatever the file (a whole text costs about three times its
 * size); also the largest value (record, line) read.
 */
export const MAX_TEXT_BYTES = 32 * 1024 * 1024;
const DAY_MS = 86_400_000;
/** Without a stage: only Secrets Manager tamper events. */
const NO_STAGE = tamperSettings(null);

export interface ReplayOptions {
  paths: string[];
  format: "text" | "json";
  workers: number;
  filters: FilterSpec;
  app: string;
  stage: string;
  publish: AlertTarget | null;
  /** The policy to assess with (the repository's, a `--policy` file, or the defaults). */
  policy: CompiledPolicy;
  /** Treat the first N days of the input as history: recorded, never alerted. */
  baselineDays?: number;
  /** Override of {@link MAX_TEXT_BYTES} (tests). */
  maxTextBytes?: number;
  /** Also write the HTML report to this file (--report). */
  report?: string;
  /** The stage's tamper scope (`--stage`); default: the empty one (Secrets Manager events only). */
  tamper?: TamperSettings;
}

type ReadUnit = BacktestUnit;

/**
 * Walks and reads the inputs on the lanes, keeping each delivery unit's hits (one read counts
 * once across all files), with a progress line while the files are counted and read.
 */
async function readUnits(
  ctx: CommandContext,
  options: ReplayOptions,
  input: Spooled,
  summary: ReplaySummary,
): Promise<ReadUnit[]> {
  const { io } = ctx;
  const progress = createProgress(io, "replay", 0, "files read");
  let counting = progressWanted(io);
  if (counting) void countInputFiles(input.paths, io.cwd).then((total) => counting && progress.setTotal(total));
  const config = {
    cwd: io.cwd,
    // Re-sent alerts carry the lag as the Lambda's would; a backtest of an archive has none.
    now: options.publish ? io.now().getTime() : null,
    filters: options.filters,
    maxTextBytes: options.maxTextBytes ?? MAX_TEXT_BYTES,
    tamper: options.tamper ?? NO_STAGE,
  };
  const units: ReadUnit[] = [];
  const seen = new Set<string>();
  const seenTamper = new Set<string>();
  try {
    await runPool(
      walkInputs(input.paths, io.cwd),
      { workers: options.workers, config },
      {
        entry: (entry) => summary.entry(entry),
        file: (report) => {
          summary.file({ ...report, path: input.shown(report.path) });
          progress.increment();
        },
        unit: (unit, file) => {
          const hits = unit.hits.filter((hit) => {
            const key = readKey(hit);
            if (key === null) return true;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
          summary.unit({ ...unit, hits, duplicates: unit.duplicates + unit.hits.length - hits.length });
          // A tamper event in two files (an S3 log file and a lookup export) counts once.
          const tamper = (unit.tamper ?? []).filter((record) => {
            const id = typeof record.eventID === "string" ? record.eventID : "";
            if (id === "") return true;
            if (seenTamper.has(id)) return false;
            seenTamper.add(id);
            return true;
          });
          summary.tamperEvents(tamper.length);
          if (hits.length === 0 && tamper.length === 0) return;
          const times = [...hits.map((h) => h.eventTime), ...tamper.map((r) => stringOrNull(r.eventTime))].map(
            (t) => eventMillis(t) ?? Infinity,
          );
          const start = Math.min(...times);
          units.push({ order: units.length, file: input.shown(file), part: unit.part, hits, tamper, start });
        },
      },
    );
  } finally {
    counting = false;
    progress.stop();
  }
  return units;
}

export async function runReplay(ctx: CommandContext, options: ReplayOptions): Promise<void> {
  const input = await spoolStdin(options.paths, ctx.io.stdin);
  try {
    await replayPaths(ctx, options, input);
  } finally {
    await input.remove();
  }
}

async function replayPaths(ctx: CommandContext, options: ReplayOptions, input: Spooled): Promise<void> {
  const { io } = ctx;
  const workers = lanesFor(options.workers, input.paths, io.cwd);
  if (workers > 1 && workerEntry() === null) {
    io.stderr.write("replay: worker script not found (run `npm run build`); reading files on the main thread\n");
  }
  const summary = new ReplaySummary();
  const units = await readUnits(ctx, { ...options, workers }, input, summary);
  // The backtest: units in event-time order, one state across them, as the Lambda would have seen them.
  const start = units.reduce((m, u) => Math.min(m, u.start), Infinity);
  const baselineUntil =
    options.baselineDays !== undefined && Number.isFinite(start) ? start + options.baselineDays * DAY_MS : undefined;
  const assessor = new Assessor(options.policy, {
    app: options.app,
    stage: options.stage,
    // Re-sending goes the deployed Lambda's way: it has no state store yet (state-unavailable).
    stateless: options.publish !== null,
    ...(baselineUntil !== undefined && { baselineUntil }),
  });
  const { placed, budget } = await backtestUnits(units, assessor, options.tamper ?? NO_STAGE, {
    app: options.app,
    stage: options.stage,
  });

  const output = createOutput(io, options);
  let publishFailure: string | null = null;
  let outputClosed = false;
  try {
    for (const unit of placed) {
      try {
        summary.totals.published += await output.unit(unit);
      } catch (error) {
        // By name: the publish code (and the AWS SDK) is loaded only with --publish.
        if (!(error instanceof Error && error.name === "PublishError")) throw error;
        const failed = (error as Error & { failed?: number }).failed ?? 0;
        const where = unit.part ? `${unit.file} > ${unit.part}` : unit.file;
        publishFailure = `${failed} alert message(s) of ${where} could not be published (${describeError(error.cause)}); stopped there`;
        break;
      }
    }
  } catch (error) {
    // A closed stdout (`| head`) ends the replay quietly.
    outputClosed = error instanceof OutputClosed;
    if (!outputClosed) throw error;
  } finally {
    output.close();
  }
  const label = `policy ${options.policy.source} (${options.policy.hash.slice(0, 19)})`;
  io.stderr.write(summary.render(budget.reads + budget.tamperEvents > 0 ? budget.render(label) : []));
  if (options.report !== undefined) {
    const { writeHtmlReport } = await import("../report-html/index.js");
    const hits = placed.flatMap((u) => u.hits);
    const emailed = new Map(placed.flatMap((u) => [...emailedIn(u.plan)]));
    const tamper = placed.flatMap((u) => u.tamper?.hits ?? []);
    await writeHtmlReport(
      options.report,
      { hits, emailed, tamper },
      { source: `replay of ${options.paths.join(", ")}`, app: options.app, stage: options.stage },
    );
    io.stderr.write(`replay: HTML report written to ${options.report}\n`);
  }
  if (outputClosed)
    io.stderr.write("replay: stopped early, stdout was closed; the counts cover what was read until then\n");
  if (publishFailure !== null) throw new UserError(publishFailure, 1);
  if (!summary.anythingRead && !outputClosed) throw new UserError("nothing could be read from the given paths", 1);
}
