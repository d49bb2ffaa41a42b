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
import { codeAt, type Haystack, NextOf, skipSpace } from "./haystack.js";

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

/** Finds records whose `eventName` is a tamper event's, remembering the next key while it still holds. */
export class EventNameFinder {
  private readonly keys: NextOf;
  constructor(private readonly text: Haystack) {
    this.keys = new NextOf(text, KEY);
  }

  /** True when an `"eventName"` key in `[start, end)` has a tamper event name, or a value only a parse reads. */
  tamperWithin(start: number, end: number): boolean {
    return this.anyWithin(start, end, isTamperEventName);
  }

  /**
   * True when an `"eventName"` key in `[start, end)` has a value `accept`s, or a value only a
   * parse reads (an escape). Every such key is looked at, nested ones too, so a nested key can
   * only add a record to parse, never hide the top-level one.
   */
  anyWithin(start: number, end: number, accept: (name: string) => boolean): boolean {
    for (let at = this.keys.from(start); at < end; at = this.keys.from(at + 1)) {
      const name = this.valueAt(at + KEY.length);
      if (name === null || accept(name)) return true;
    }
    return false;
  }

  /** The string value of a key ending before `i` (`: "..."`); "" when it is no key or no string; null with an escape. */
  private valueAt(i: number): string | null {
    const { text } = this;
    let at = skipSpace(text, i);
    if (codeAt(text, at) !== COLON) return "";
    at = skipSpace(text, at + 1);
    if (codeAt(text, at) !== QUOTE) return "";
    const close = text.indexOf('"', at + 1);
    if (close < 0) return "";
    const value = typeof text === "string" ? text.slice(at + 1, close) : text.toString("latin1", at + 1, close);
    return value.includes(String.fromCharCode(BACKSLASH)) ? null : value;
  }
}
