/**
 * The S3 fast path's picking rule (replay/scan.ts `RecordPicker`), modelled on parsed values so
 * the scan tests can say which elements must be parsed without using the scan's own code.
 */
import { isTamperEventName } from "../../packages/cli/src/replay/tamper-scan.js";
import { SECRET_VALUE_EVENTS } from "../../packages/core/src/events.js";

/** The values of every `eventName` key in `value`, nested ones too. */
function eventNames(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const item of value) eventNames(item, out);
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key === "eventName") out.push(item);
      eventNames(item, out);
    }
  }
  return out;
}

/** A name the scan parses for: a read's, a tamper event's, or one written with an escape (only a parse can tell). */
function wanted(name: unknown): boolean {
  if (typeof name !== "string") return false;
  return (
    JSON.stringify(name).slice(1, -1).includes("\\") ||
    (SECRET_VALUE_EVENTS as readonly string[]).includes(name) ||
    isTamperEventName(name)
  );
}

/**
 * Whether an element is parsed: it holds `awslogs` or a `\u` escape; or it names the Secrets
 * Manager event source and one of its `eventName` keys is {@link wanted}.
 */
export function mayHit(value: unknown): boolean {
  const text = JSON.stringify(value) ?? "";
  if (/awslogs|\\u/.test(text)) return true;
  return text.includes("secretsmanager.amazonaws.com") && eventNames(value).some(wanted);
}

/** The elements `pick` keeps, with their index. */
export function picksOf(records: readonly unknown[], pick: (value: unknown) => boolean) {
  return records.flatMap((value, index) => (pick(value) ? [{ index, value }] : []));
}
