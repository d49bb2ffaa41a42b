/**
 * `secretwatch replay`, once its options are parsed: walk the inputs, read them on the lanes,
 * print (and publish) each delivery unit in input order, then the summary on stderr.
 */
import type { AlertTarget } from "../alerts.js";
import { describeError, UserError } from "../errors.js";
import { createProgress } from "../io.js";
import type { CommandContext } from "../main.js";
import { countInputFiles, walkInputs } from "./files.js";
import type { FilterSpec } from "./filters.js";
import { workerEntry } from "./lanes.js";
import { createOutput, OutputClosed } from "./output.js";
import { runPool } from "./pool.js";
import { ReplaySummary } from "./summary.js";

/** Texts over this size are read line by line (NDJSON) instead of whole (V8 strings stop near 512 MiB). */
export const MAX_TEXT_BYTES = 256 * 1024 * 1024;

export interface ReplayOptions {
  paths: string[];
  format: "text" | "json";
  workers: number;
  filters: FilterSpec;
  app: string;
  stage: string;
  publish: AlertTarget | null;
  /** Override of {@link MAX_TEXT_BYTES} (tests). */
  maxTextBytes?: number;
}

export async function runReplay(ctx: CommandContext, options: ReplayOptions): Promise<void> {
  const { io } = ctx;
  if (options.workers > 1 && workerEntry() === null) {
    io.stderr.write("replay: worker script not found (run `npm run build`); reading files on the main thread\n");
  }
  const summary = new ReplaySummary();
  const output = createOutput(io, options);
  const progress = createProgress(io, "replay", 0);
  let counting = io.stderr.isTTY === true;
  if (counting) void countInputFiles(options.paths, io.cwd).then((total) => counting && progress.setTotal(total));
  const config = {
    cwd: io.cwd,
    now: io.now().getTime(),
    filters: options.filters,
    maxTextBytes: options.maxTextBytes ?? MAX_TEXT_BYTES,
  };
  let publishFailure: string | null = null;
  let outputClosed = false;
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
        unit: async (unit, file) => {
          summary.unit(unit);
          try {
            summary.totals.published += await output.unit(unit, file);
          } catch (error) {
            // By name: the publish code (and the AWS SDK) is loaded only with --publish.
            if (!(error instanceof Error && error.name === "PublishError")) throw error;
            const failed = (error as Error & { failed?: number }).failed ?? 0;
            const where = unit.part ? `${file} > ${unit.part}` : file;
            publishFailure = `${failed} alert message(s) of ${where} could not be published (${describeError(error.cause)}); stopped there`;
            throw error;
          }
        },
      },
    );
  } catch (error) {
    // A closed stdout (`| head`) ends the replay quietly; a publish failure after the summary.
    outputClosed = error instanceof OutputClosed;
    if (publishFailure === null && !outputClosed) throw error;
  } finally {
    counting = false;
    progress.stop();
    output.close();
  }
  io.stderr.write(summary.render());
  if (outputClosed)
    io.stderr.write("replay: stopped early, stdout was closed; the counts cover what was read until then\n");
  if (publishFailure !== null) throw new UserError(publishFailure, 1);
  if (!summary.anythingRead && !outputClosed) throw new UserError("nothing could be read from the given paths", 1);
}
