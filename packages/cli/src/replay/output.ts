/**
 * What replay does with each delivery unit once assessed, in input order: NDJSON lines (each
 * hit with its verdict and whether the Lambda would email it) or the alert emails on stdout,
 * and with `--publish` the same SNS messages the enricher Lambda would send for that unit.
 */
import { type TamperPlan, toBodyText } from "@secretwatch/core";
import { type AlertTarget, emailText } from "../alerts.js";
import { type AssessedUnit, emailedIn } from "../assessment.js";
import { hitJsonLine, tamperJsonLine } from "../hit-json.js";
import type { Io, Output } from "../io.js";
import { tamperEmailed } from "./tamper.js";

export interface OutputOptions {
  format: "text" | "json";
  /** Where to publish, or null to only print. */
  publish: AlertTarget | null;
}

/** stdout as a stream: it may ask us to wait (`drain`) or go away (`error`, e.g. EPIPE under `| head`). */
type Stream = Output & {
  once?(event: "drain" | "error", listener: () => void): unknown;
  on?(event: "error", listener: (error: unknown) => void): unknown;
  off?(event: "error", listener: (error: unknown) => void): unknown;
};

/** The reader of stdout went away; replay stops reading. */
export class OutputClosed extends Error {
  override name = "OutputClosed";
}

/** Writes text to stdout, waiting for a drain when the reader is slow; throws {@link OutputClosed} once it is gone. */
function writer(out: Stream) {
  let closed = false;
  const onError = () => {
    closed = true;
  };
  out.on?.("error", onError);
  return {
    async write(text: string): Promise<void> {
      if (closed) throw new OutputClosed("stdout was closed");
      if (text === "" || out.write(text) !== false || typeof out.once !== "function") return;
      await new Promise<void>((resolve) => {
        out.once?.("drain", resolve);
        out.once?.("error", resolve);
      });
      if (closed) throw new OutputClosed("stdout was closed");
    },
    close: () => out.off?.("error", onError),
  };
}

/** A unit of one file, assessed: where it was found and what the assessment gave. */
export interface PlacedUnit extends AssessedUnit {
  file: string;
  part: string | null;
  /** The enricher's tamper plan for the unit's tamper events (null: none). */
  tamper?: TamperPlan | null;
}

const tamperCount = (unit: PlacedUnit) => unit.tamper?.hits.length ?? 0;

/** One JSON line per hit: tamper events first (as the enricher publishes them), then the reads with their verdicts. */
export function jsonLines(unit: PlacedUnit): string {
  const emailed = emailedIn(unit.plan);
  let lines = "";
  if (unit.tamper) {
    const sent = tamperEmailed(unit.tamper);
    for (const hit of unit.tamper.hits) {
      lines += tamperJsonLine(hit, sent.get(hit) ?? false, { file: unit.file, filePart: unit.part });
    }
  }
  for (const hit of unit.hits) {
    lines += hitJsonLine(hit, emailed.get(hit) ?? false, { file: unit.file, filePart: unit.part });
  }
  return lines;
}

/** The unit's alerts as an email subscriber would read them, under a line naming the unit. */
export function alertText(unit: PlacedUnit): string {
  const { plan } = unit;
  const messages = [...(unit.tamper?.messages ?? []), ...plan.messages];
  if (messages.length === 0) return "";
  const where = unit.part ? `${unit.file} > ${unit.part}` : unit.file;
  const sent = plan.decisions.filter((d) => d.outcome === "alert" || d.outcome === "summary").length;
  const tamperSent = unit.tamper?.decisions.filter((d) => d.outcome !== "below-notify").length ?? 0;
  const quiet = plan.hits + tamperCount(unit) - sent - tamperSent;
  const counted = quiet > 0 ? `, ${quiet} not emailed` : "";
  const tamper = tamperCount(unit) > 0 ? `, ${tamperCount(unit)} tamper event(s)` : "";
  const head = `# ${toBodyText(where, 1024)}: ${plan.hits} secret-value retrieval(s)${tamper}, ${messages.length} alert message(s)${counted}\n`;
  return head + messages.map(emailText).join("\n");
}

export interface UnitOutput {
  /** Prints (and publishes) one unit; resolves to the number of SNS messages published. */
  unit(unit: PlacedUnit): Promise<number>;
  close(): void;
}

export function createOutput(io: Io, options: OutputOptions): UnitOutput {
  const stdout = writer(io.stdout);
  return {
    close: stdout.close,
    async unit(unit) {
      if (unit.hits.length === 0 && tamperCount(unit) === 0) return 0;
      const text = options.format === "json" ? jsonLines(unit) : alertText(unit);
      await stdout.write(text);
      // Tamper alerts first, as the enricher publishes them: a critical one must not wait behind reads.
      const messages = [...(unit.tamper?.messages ?? []), ...unit.plan.messages];
      if (!options.publish || messages.length === 0) return 0;
      const { publishPlanned } = await import("../sns.js");
      return (await publishPlanned(options.publish, messages)).published;
    },
  };
}
