/**
 * `secretwatch replay`, once its options are parsed: walk the inputs and read them on the
 * lanes (keeping only each delivery unit's hits), then assess the units in event-time order
 * with one in-memory state (a backtest of the policy, as the Lambda would have run), then
 * print (and publish) each unit in input order, then the summary and the alert budget on stderr.
 */
import { type CompiledPolicy, eventMillis, readKey, type SecretAccess } from "@secretwatch/core";
import type { AlertTarget } from "../alerts.js";
import { Assessor } from "../assessment.js";
import { describeError, UserError } from "../errors.js";
import { createProgress } from "../io.js";
import type { CommandContext } from "../main.js";
import { AlertBudget } from "./budget.js";
import { countInputFiles, walkInputs } from "./files.js";
import type { FilterSpec } from "./filters.js";
import { workerEntry } from "./lanes.js";
import { createOutput, OutputClosed, type PlacedUnit } from "./output.js";
import { runPool } from "./pool.js";
import { ReplaySummary } from "./summary.js";

/** Texts over this size are read line by line (NDJSON) instead of whole (V8 strings stop near 512 MiB). */
export const MAX_TEXT_BYTES = 256 * 1024 * 1024;
const DAY_MS = 86_400_000;

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
}

interface ReadUnit {
  order: number;
  file: string;
  part: string | null;
  hits: SecretAccess[];
  /** Earliest event time of the unit (Infinity when none has one). */
  start: number;
}

export async function runReplay(ctx: CommandContext, options: ReplayOptions): Promise<void> {
  const { io } = ctx;
  if (options.workers > 1 && workerEntry() === null) {
    io.stderr.write("replay: worker script not found (run `npm run build`); reading files on the main thread\n");
  }
  const summary = new ReplaySummary();
  const progress = createProgress(io, "replay", 0);
  let counting = io.stderr.isTTY === true;
  if (counting) void countInputFiles(options.paths, io.cwd).then((total) => counting && progress.setTotal(total));
  const config = {
    cwd: io.cwd,
    // Re-sent alerts carry the lag as the Lambda's would; a backtest of an archive has none.
    now: options.publish ? io.now().getTime() : null,
    filters: options.filters,
    maxTextBytes: options.maxTextBytes ?? MAX_TEXT_BYTES,
  };
  const units: ReadUnit[] = [];
  const seen = new Set<string>();
  try {
    await runPool(
      walkInputs(options.paths, io.cwd),
      { workers: options.workers, config },
      {
        entry: (entry) => summary.entry(entry),
        file: (report) => {
          summary.file(report);
          progress.increment();
        },
        unit: (unit, file) => {
          // One read counts once across all files (five copies of a file are one set of reads).
          const hits = unit.hits.filter((hit) => {
            const key = readKey(hit);
            if (key === null) return true;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
          summary.unit({ ...unit, hits, duplicates: unit.duplicates + unit.hits.length - hits.length });
          if (hits.length === 0) return;
          const times = hits.map((h) => eventMillis(h.eventTime) ?? Infinity);
          units.push({ order: units.length, file, part: unit.part, hits, start: Math.min(...times) });
        },
      },
    );
  } finally {
    counting = false;
    progress.stop();
  }

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
  const budget = new AlertBudget();
  const placed: PlacedUnit[] = new Array(units.length);
  for (const unit of [...units].sort((a, b) => a.start - b.start || a.order - b.order)) {
    const assessed = await assessor.unit(unit.hits);
    budget.add(assessed.plan);
    placed[unit.order] = { ...assessed, file: unit.file, part: unit.part };
  }

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
  io.stderr.write(summary.render(budget.reads > 0 ? budget.render(label) : []));
  if (outputClosed)
    io.stderr.write("replay: stopped early, stdout was closed; the counts cover what was read until then\n");
  if (publishFailure !== null) throw new UserError(publishFailure, 1);
  if (!summary.anythingRead && !outputClosed) throw new UserError("nothing could be read from the given paths", 1);
}
