/**
 * `secretwatch baseline`, once its options are parsed: who writes (the stage's baseline role,
 * assumed first so a missing permission stops the run before any reading), the table's
 * markers, then the reading (event history or files), then the writes (pairs, then the marker
 * that ends learning), then the report on stdout. Nothing is written before everything was
 * read, and nothing at all with `--dry-run`.
 */
import type { StageMeta, Thresholds } from "@secretwatch/core";
import { describeError, UserError } from "../errors.js";
import type { Io } from "../io.js";
import { actorTable, seedLine, skippedLine } from "./report.js";
import type { Seed } from "./seed.js";
import type { SourceReport } from "./sources.js";
import {
  BASELINE_MARKER,
  baselineStore,
  type DynamoSender,
  PAIRS_PER_SAVE,
  type WriteTarget,
  writeBaselineMarker,
  writePairs,
} from "./write.js";
import type { Writer } from "./writer.js";

export interface RunPlan {
  tableName: string;
  thresholds: Thresholds;
  /** Null with `--dry-run`. */
  writer: { writer: Writer; client: DynamoSender } | null;
  /** Reads the input into the seed. */
  read(seed: Seed): Promise<SourceReport & { usable?: boolean }>;
}

const HINTS: Readonly<Record<string, string>> = {
  ResourceNotFoundException: "no such table here: is the stage deployed in this Region? (--region, --table)",
  AccessDeniedException:
    "the table's resource policy lets only the stage's functions and its baseline role write items",
};

/** A store failure as one line: what failed, why, and what to do. */
function tableError(what: string, tableName: string, error: unknown, done = ""): UserError {
  const cause = (error as { cause?: unknown })?.cause ?? error;
  const name = (cause as Error | undefined)?.name ?? "";
  const hint = HINTS[name] ? `; ${HINTS[name]}` : "";
  return new UserError(`the state table ${tableName} could not be ${what} (${describeError(cause)})${hint}${done}`, 1, {
    cause: error,
  });
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function learningLine(meta: StageMeta | undefined): string {
  const deployed = iso(meta?.deployedAt ?? null);
  const previous = iso(meta?.baselineAt ?? null);
  return (
    `learning: ${deployed ? `stage first deployed ${deployed}` : "no deploy marker in the table"}` +
    `${previous ? `; a baseline already ran ${previous}` : ""}`
  );
}

const writerText = (writer: Writer) =>
  writer.kind === "role" ? `as ${writer.roleArn}` : `as ${writer.arn ?? "the caller's own credentials"}`;

export async function runBaseline(io: Io, plan: RunPlan, seed: Seed): Promise<void> {
  const now = io.now().getTime();
  const target: WriteTarget | null = plan.writer && {
    client: plan.writer.client,
    tableName: plan.tableName,
    thresholds: plan.thresholds,
    clock: () => io.now().getTime(),
  };
  let meta: StageMeta | undefined;
  if (target) {
    try {
      meta = (await baselineStore(target).load({ pairs: [], windows: [], alerts: [] })).meta;
    } catch (error) {
      throw tableError("read", plan.tableName, error);
    }
  }

  const source = await plan.read(seed);
  if (source.usable === false)
    throw new UserError("nothing could be read from the given paths; nothing was written", 1);
  const stats = seed.stats();
  if (stats.reads === 0 && target) {
    io.stderr.write(
      "baseline: warning: no successful read to seed (wrong Region or window?); learning still ends, " +
        "so the next read of every reader is first-seen\n",
    );
  }
  const lines = [...source.lines.map((l) => `read ${l}`), seedLine(stats, target === null)];
  const skipped = skippedLine(stats);
  if (skipped) lines.push(skipped);

  if (target && plan.writer) {
    const pairs = seed.pairList();
    let saves = 0;
    try {
      saves = await writePairs(target, pairs, (done) => (saves = done));
    } catch (error) {
      const done =
        `; stopped after ${saves} save(s) of up to ${PAIRS_PER_SAVE} pairs each; the baseline marker was not ` +
        "written (learning goes on); running again adds the saved pairs' counts once more";
      throw tableError("written", plan.tableName, error, done);
    }
    try {
      await writeBaselineMarker(target, now);
    } catch (error) {
      throw tableError(
        "written",
        plan.tableName,
        error,
        `; the ${pairs.length} pairs were written, the marker was not`,
      );
    }
    lines.push(
      `wrote ${pairs.length} pair item(s) to ${plan.tableName} in ${saves} save(s) ${writerText(plan.writer.writer)}, ` +
        `and the ${BASELINE_MARKER.pk}/${BASELINE_MARKER.sk} marker at ${iso(now)}: learning has ended`,
      learningLine(meta),
    );
  } else {
    lines.push(
      `dry run: nothing written; ${plan.tableName} would get ${stats.pairs} pair item(s) and the ` +
        `${BASELINE_MARKER.pk}/${BASELINE_MARKER.sk} marker, which ends learning`,
    );
  }
  const table = actorTable(seed.actorRows());
  const problems = source.problems.length > 0 ? ["", "Problems:", ...source.problems.map((p) => `  ${p}`)] : [];
  io.stdout.write(
    `${[...lines.map((l) => `baseline: ${l}`), ...(table ? ["", table.trimEnd()] : []), ...problems].join("\n")}\n`,
  );
}
