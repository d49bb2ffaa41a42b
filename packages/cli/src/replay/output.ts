/**
 * What replay does with each delivery unit's hits, in input order: NDJSON lines or the alert
 * emails on stdout, and with `--publish` the same SNS messages the enricher Lambda would send
 * for that unit (alerts.ts: the Lambda's plan and publish code).
 */
import { toBodyText } from "@secretwatch/core";
import { type AlertTarget, emailText, planAlerts } from "../alerts.js";
import type { Io, Output } from "../io.js";
import type { UnitResult } from "./protocol.js";

export interface OutputOptions {
  format: "text" | "json";
  app: string;
  stage: string;
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

/** One JSON line per hit: the enriched `SecretAccess` as-is, plus where it was found. */
export function jsonLines(unit: UnitResult, file: string): string {
  let lines = "";
  for (const hit of unit.hits) lines += `${JSON.stringify({ ...hit, file, filePart: unit.part })}\n`;
  return lines;
}

/** The unit's alerts as an email subscriber would read them, under a line naming the unit. */
export function alertText(unit: UnitResult, file: string, options: Pick<OutputOptions, "app" | "stage">): string {
  const plan = planAlerts(unit.hits, options);
  if (plan.messages.length === 0) return "";
  const where = unit.part ? `${file} > ${unit.part}` : file;
  const head = `# ${toBodyText(where, 1024)}: ${plan.hits} secret-value retrieval(s), ${plan.messages.length} alert message(s)\n`;
  return head + plan.messages.map(emailText).join("\n");
}

export interface UnitOutput {
  /** Prints (and publishes) one unit; resolves to the number of SNS messages published. */
  unit(unit: UnitResult, file: string): Promise<number>;
  close(): void;
}

export function createOutput(io: Io, options: OutputOptions): UnitOutput {
  const stdout = writer(io.stdout);
  return {
    close: stdout.close,
    async unit(unit, file) {
      if (unit.hits.length === 0) return 0;
      const text = options.format === "json" ? jsonLines(unit, file) : alertText(unit, file, options);
      await stdout.write(text);
      if (!options.publish) return 0;
      const { publishHits } = await import("../sns.js");
      return (await publishHits(options.publish, unit.hits)).published;
    },
  };
}
