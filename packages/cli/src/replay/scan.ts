/**
 * The fast path for CloudTrail S3 log files (`{"Records":[...]}`): a structural scan that finds
 * each record's bounds without building objects, so only the records {@link RecordPicker} picks
 * are parsed (Secrets Manager reads and tamper events, `awslogs` payloads, records with a `\u`
 * escape; with a stage, any record named by a tamper event: tamper-scan.ts). Each record is
 * matched whole by one regular expression (strings skipped, brackets matched by kind, nesting up
 * to a fixed depth), deeper ones bracket by bracket with strings jumped over by `indexOf`; the
 * scan checks brackets and string quoting, not every literal, and gives up (returns null) on
 * anything unexpected, leaving the file to the full parser. The marker scan (marker-scan.ts)
 * tries first, on the bytes; this scan decides wherever that one cannot.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */

import { SECRET_VALUE_EVENTS } from "@secretwatch/core";
import { codeAt, type Haystack, isSpace, NextOf, skipSpace } from "./haystack.js";
import { EventNameFinder, isTamperEventName } from "./tamper-scan.js";

/**
 * Text that makes a record worth a look: the Secrets Manager event source (then its event name
 * decides, see {@link RecordPicker}), `awslogs` (an encoded subscription payload can hide
 * anything), or any `\u` escape (JSON may spell the event source or a key with escapes, which
 * only a parse reveals; CloudTrail rarely writes them).
 * Each is found with `indexOf` (far faster than one regular expression for all three);
 * `awslogs` as `wslogs` preceded by `a`, as a first letter that is rare in CloudTrail text
 * lets the search skip further.
 */
const NEEDLES = ["secretsmanager.amazonaws.com", "wslogs", "\\u"] as const;
/** How far before the `indexOf` match each needle starts (the `a` of `awslogs`). */
const NEEDLE_LEAD = [0, 1, 0] as const;
const LOWER_A = 97;

export interface RecordsScan {
  /** Elements of the `Records` array. */
  count: number;
  /** Flat triples `[element index, start, end)` of the elements that contain a needle. */
  candidates: number[];
}

const [QUOTE, BACKSLASH, COMMA, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [34, 92, 44, 123, 125, 91, 93];
export const RECORDS_START = /^\s*\{\s*"Records"\s*:\s*\[/;
export const ONLY_CLOSE = /^\s*\}\s*$/;

/** Index just past the string that opens at `i`, or -1 when it never closes. */
function skipString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let back = quote - 1;
    while (text.charCodeAt(back) === BACKSLASH) back--;
    if ((quote - 1 - back) % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the object or array that opens at `i`, or -1 when brackets do not match. */
function skipNested(text: string, i: number): number {
  const open: number[] = [];
  for (let at = i; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      at = skipString(text, at) - 1;
      if (at < 0) return -1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) open.push(code);
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (open.pop() !== (code === CLOSE_BRACE ? OPEN_BRACE : OPEN_BRACKET)) return -1;
      if (open.length === 0) return at + 1;
    }
  }
  return -1;
}

/** Text outside strings and brackets, as an unrolled loop (never two ways to match: no runaway backtracking). */
const PLAIN = '[^"{}\\[\\]]*';
const STRING = '"[^"\\\\]*(?:\\\\[^][^"\\\\]*)*"';
/** Brackets nested at most this deep match in one regular expression; deeper ones go to {@link skipNested}. */
const MAX_FAST_DEPTH = 7;

/** Balanced content down to `depth` more brackets: strings skipped whole, `{}` and `[]` matched by kind. */
function balanced(depth: number): string {
  if (depth === 0) return `${PLAIN}(?:${STRING}${PLAIN})*`;
  const inner = balanced(depth - 1);
  return `${PLAIN}(?:(?:${STRING}|\\{${inner}\\}|\\[${inner}\\])${PLAIN})*`;
}

/**
 * One object or array, found in one match (the native regular expression engine walks the text
 * far faster than a loop of `charCodeAt`). A match ends exactly where {@link skipNested} would.
 */
const NESTED = new RegExp(`\\{${balanced(MAX_FAST_DEPTH)}\\}|\\[${balanced(MAX_FAST_DEPTH)}\\]`, "y");

/** Index just past the object or array opening `text`, by {@link NESTED} alone (nesting up to its depth); -1 on a miss. */
export function matchNested(text: string): number {
  NESTED.lastIndex = 0;
  return NESTED.test(text) ? NESTED.lastIndex : -1;
}

/**
 * Index just past the JSON value at `i` (a scalar ends at `,`, `]`, `}` or space), or -1.
 * `fast.on` tries {@link NESTED} first; a miss (too deep, or broken) turns it off for the rest
 * of the file, so a file of deep records costs one failed match, not one per record.
 */
export function skipValue(text: string, i: number, fast: { on: boolean }): number {
  const code = text.charCodeAt(i);
  if (code === QUOTE) return skipString(text, i);
  if (code === OPEN_BRACE || code === OPEN_BRACKET) {
    if (fast.on) {
      NESTED.lastIndex = i;
      if (NESTED.test(text)) return NESTED.lastIndex;
      fast.on = false;
    }
    return skipNested(text, i);
  }
  let at = i;
  for (; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || isSpace(c)) break;
  }
  return at > i ? at : -1;
}

/** Finds the next needle at or after a position (each needle's search remembered by {@link NextOf}). */
export class NeedleFinder {
  private readonly next: NextOf[];
  constructor(private readonly text: Haystack) {
    this.next = NEEDLES.map((needle) => new NextOf(text, needle));
  }
  /** True when the Secrets Manager event source starts in `[start, end)`. */
  sourceWithin(start: number, end: number): boolean {
    return this.startOf(0, start) < end;
  }
  /** True when a needle other than the Secrets Manager event source (`awslogs`, a `\u` escape) starts in `[start, end)`. */
  otherWithin(start: number, end: number): boolean {
    for (let k = 1; k < NEEDLES.length; k++) if (this.startOf(k, start) < end) return true;
    return false;
  }
  /** Start of needle `k`'s first occurrence at or after `start`, or Infinity. */
  private startOf(k: number, start: number): number {
    const next = this.next[k] as NextOf;
    const lead = NEEDLE_LEAD[k] as number;
    for (let at = next.from(start + lead); at !== Number.POSITIVE_INFINITY; at = next.from(at + 1)) {
      if (lead === 0 || codeAt(this.text, at - 1) === LOWER_A) return at - lead;
    }
    return Number.POSITIVE_INFINITY;
  }
}

/** A secret-value retrieval's or a tamper event's name: what a Secrets Manager record must be called to be parsed. */
const isWantedName = (name: string) =>
  (SECRET_VALUE_EVENTS as readonly string[]).includes(name) || isTamperEventName(name);

/**
 * Which records of an S3 log file are parsed (both scans ask this of each record's bounds):
 * those with `awslogs` or a `\u` escape in them; those naming the Secrets Manager event source
 * whose `eventName` is a secret-value retrieval or a tamper event (or is spelt with an escape:
 * the deployed subscription filter delivers no other Secrets Manager record, and parsing the
 * thousands of `DescribeSecret` and `ListSecrets` calls of an archive only to drop them was a
 * third of replay's parsing); and, with a stage, those named by any tamper event.
 */
export class RecordPicker {
  private readonly needles: NeedleFinder;
  private readonly names: EventNameFinder;
  constructor(
    text: Haystack,
    /** Also pick records by a tamper event's name alone (a stage's tamper events need no needle). */
    private readonly tamperNames: boolean,
  ) {
    this.needles = new NeedleFinder(text);
    this.names = new EventNameFinder(text);
  }

  /** Whether the record in `[start, end)` is parsed. Records come in order: the finders only look ahead. */
  picks(start: number, end: number): boolean {
    if (this.needles.otherWithin(start, end)) return true;
    // One pass over the record's `eventName` keys, whatever is asked of them (the finder moves on).
    if (this.needles.sourceWithin(start, end)) return this.names.anyWithin(start, end, isWantedName);
    return this.tamperNames && this.names.tamperWithin(start, end);
  }
}

/**
 * Scans `text` (one character per byte, e.g. a Buffer decoded as `latin1`, so indexes are byte
 * offsets) when it is exactly `{"Records":[...]}`; null for any other shape or broken structure.
 * `eventNames`: also parse records whose `eventName` is a tamper event's (one more pass).
 */
export function scanRecordsFile(text: string, eventNames = false): RecordsScan | null {
  const head = RECORDS_START.exec(text.slice(0, 4096));
  if (!head) return null;
  const picker = new RecordPicker(text, eventNames);
  const fast = { on: true };
  const candidates: number[] = [];
  let count = 0;
  let at = skipSpace(text, head[0].length);
  if (text.charCodeAt(at) !== CLOSE_BRACKET) {
    for (;;) {
      const start = at;
      const end = skipValue(text, start, fast);
      if (end < 0) return null;
      if (picker.picks(start, end)) candidates.push(count, start, end);
      count++;
      at = skipSpace(text, end);
      if (text.charCodeAt(at) === COMMA) at = skipSpace(text, at + 1);
      else if (text.charCodeAt(at) === CLOSE_BRACKET) break;
      else return null;
    }
  }
  return ONLY_CLOSE.test(text.slice(at + 1)) ? { count, candidates } : null;
}
