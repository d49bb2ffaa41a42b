/**
 * The S3 fast path's second test (scan.ts): a record is also parsed when its `eventName` is a
 * tamper event's, whatever its source (`StopLogging` names no secret, so no other needle finds
 * it). The names are the catalog's (packages/core/src/tamper/catalog.ts, by its own matcher:
 * Lambda's API names with any version suffix), one source of truth. `"eventName"` is found with
 * `indexOf` (once per record: one more pass over the file), its value read in place; a value
 * with an escape (or a key spelt with one, which the `\u` needle catches) is parsed to be sure.
 * Every `"eventName"` in the record is looked at, so a nested one cannot hide the top-level one.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import { TAMPER_EVENTS, tamperSpecFor } from "@secretwatch/core";
import { codeAt, type Haystack } from "./haystack.js";

const KEY = '"eventName"';
const [QUOTE, COLON, BACKSLASH] = [34, 58, 92];
const SOURCES = [...new Set(TAMPER_EVENTS.map((e) => e.source))];
/** Answers per distinct event name (a file has a few hundred at most; the cap bounds a hostile one). */
const known = new Map<string, boolean>();
const KNOWN_MAX = 10_000;

/** Whether some catalog entry has this event name (as CloudTrail writes it), for any of its sources. */
export function isTamperEventName(name: string): boolean {
  let answer = known.get(name);
  if (answer === undefined) {
    answer = SOURCES.some((source) => tamperSpecFor(source, name) !== null);
    if (known.size < KNOWN_MAX) known.set(name, answer);
  }
  return answer;
}

const isSpace = (code: number) => code === 32 || code === 10 || code === 13 || code === 9;

/** Finds records whose `eventName` is a tamper event's, remembering the next key while it still holds. */
export class EventNameFinder {
  private next = -1;
  constructor(private readonly text: Haystack) {}

  /** True when an `"eventName"` key in `[start, end)` has a tamper event name, or a value only a parse reads. */
  tamperWithin(start: number, end: number): boolean {
    if (this.next < start) this.next = this.find(start);
    for (; this.next < end; this.next = this.find(this.next + 1)) {
      const name = this.valueAt(this.next + KEY.length);
      if (name === null || isTamperEventName(name)) return true;
    }
    return false;
  }

  private find(from: number): number {
    const at = this.text.indexOf(KEY, from);
    return at < 0 ? Number.POSITIVE_INFINITY : at;
  }

  /** The string value of a key ending before `i` (`: "..."`); "" when it is no key or no string; null with an escape. */
  private valueAt(i: number): string | null {
    const { text } = this;
    let at = i;
    while (isSpace(codeAt(text, at))) at++;
    if (codeAt(text, at) !== COLON) return "";
    at++;
    while (isSpace(codeAt(text, at))) at++;
    if (codeAt(text, at) !== QUOTE) return "";
    const close = text.indexOf('"', at + 1);
    if (close < 0) return "";
    const value = typeof text === "string" ? text.slice(at + 1, close) : text.toString("latin1", at + 1, close);
    return value.includes(String.fromCharCode(BACKSLASH)) ? null : value;
  }
}
