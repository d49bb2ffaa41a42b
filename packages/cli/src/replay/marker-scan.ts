/**
 * The S3 fast path's first try (process.ts), on the bytes as read: CloudTrail writes its log
 * files compact (`...},{"eventVersion":"...`), so a marker, `},{"` followed by a key's first
 * byte, shows where one record ends and the next begins. A few `indexOf` passes over the bytes
 * find the markers and check them, without decoding the file to a string or walking every
 * string in it as scan.ts does.
 *
 * Why this is exact for valid JSON (the tests compare it with scan.ts on any JSON):
 * - A marker is structure: its quote follows `{`, so it is not escaped, and it is followed by a
 *   byte no closing quote can be followed by, so it opens a key; the `},{` before it is then
 *   outside any string, and `,{` means an array. That array may be inside a record (a caller
 *   can send nested objects with any keys), so each piece from a record's start to the next
 *   marker is checked:
 * - every `[` in it is either provably text (inside a string: the last unescaped quote before
 *   it opens one, as the byte after that quote cannot follow a closing quote) or provably
 *   structure (`["x` or `[{"x`, likewise), and then its array, matched whole as scan.ts does,
 *   is skipped; and
 * - every other `{` after a `,` or white space (where a record without the marker would start)
 *   is provably text.
 * So no array opened in the piece is open at the marker, the marker's `,{` is in `Records`,
 * and the piece's last `}` closes the record that began it. A piece that cannot be shown so is
 * walked exactly from its start (a record starts there, so the walk knows what is a string),
 * and the markers take over again after that record.
 * Returns null where scan.ts must decide: any other shape, an empty array, a walk that fails.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */

import { isSpace, NextOf, skipSpace } from "./haystack.js";
import { ONLY_CLOSE, RECORDS_START, RecordPicker, type RecordsScan, skipValue } from "./scan.js";

const [QUOTE, BACKSLASH, COMMA, COLON, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [
  34, 92, 44, 58, 123, 125, 91, 93,
];
/** `,{`: in a marker, in an array of objects, or where a record without the marker starts. */
const COMMA_BRACE = ",{";
/** `{` after white space: where a record without the marker could also start. */
const SPACED_BRACES = [" {", "\n{", "\r{", "\t{"];
const OPEN_BRACKET_TEXT = "[";
/** Windows (bytes) in which a whole record is walked before trying a larger one. */
const RECORD_WINDOWS = [4 << 10, 64 << 10, 1 << 20];

/** A byte that cannot follow a closing quote (or none), so a quote just before it opens a string. */
function followsOpeningQuote(code: number | undefined): boolean {
  return !(
    code === undefined ||
    code === COMMA ||
    code === COLON ||
    code === CLOSE_BRACE ||
    code === CLOSE_BRACKET ||
    isSpace(code)
  );
}

/** Escaped quotes stepped over looking for the last unescaped one; past them the exact walk decides (no quadratic walk-back). */
const MAX_ESCAPED_QUOTES = 64;

/** True when the byte at `i` (after `from`) is provably inside a string. */
function inString(bytes: Buffer, from: number, i: number): boolean {
  let escaped = 0;
  for (let quote = bytes.lastIndexOf(QUOTE, i - 1); quote > from; quote = bytes.lastIndexOf(QUOTE, quote - 1)) {
    let back = quote - 1;
    while (bytes[back] === BACKSLASH) back--;
    if ((quote - 1 - back) % 2 === 0) return followsOpeningQuote(bytes[quote + 1]); // the last unescaped quote
    if (++escaped > MAX_ESCAPED_QUOTES) return false;
  }
  return false;
}

/** True when the `[` at `i` provably opens an array: the string after it provably opens there. */
function opensArray(bytes: Buffer, i: number): boolean {
  const next = bytes[i + 1];
  if (next === QUOTE) return followsOpeningQuote(bytes[i + 2]);
  return next === OPEN_BRACE && bytes[i + 2] === QUOTE && followsOpeningQuote(bytes[i + 3]);
}

/** Index just past the record at `at`, walked exactly in growing windows of the bytes; -1 if it does not end by `limit`. */
function walkRecord(bytes: Buffer, at: number, limit: number): number {
  for (const size of [...RECORD_WINDOWS, limit - at]) {
    const stop = Math.min(limit, at + size);
    const end = skipValue(bytes.toString("latin1", at, stop), 0, { on: true });
    if (end >= 0) return at + end;
    if (stop === limit) return -1;
  }
  return -1;
}

/** Open brackets an array may nest in its walk; deeper ones leave the record to the exact walk. */
const MAX_ARRAY_DEPTH = 64;
/** The walk's stack of open brackets (`[` or `{`), reused: one array is walked at a time. */
const openBrackets = new Uint8Array(MAX_ARRAY_DEPTH);

/**
 * Index just past the array opening at `open` (outside any string), walked byte by byte as
 * scan.ts's `skipNested` walks text: strings stepped over with their escapes, brackets matched
 * by kind. -1 when it does not close by `limit`, a bracket does not match, or it nests deeper
 * than MAX_ARRAY_DEPTH. A loop over the bytes: no text is decoded, nothing is allocated.
 */
function matchArray(bytes: Buffer, open: number, limit: number): number {
  let depth = 0;
  for (let at = open; at < limit; at++) {
    const code = bytes[at];
    if (code === QUOTE) {
      for (at++; at < limit; at++) {
        const c = bytes[at];
        if (c === BACKSLASH) at++;
        else if (c === QUOTE) break;
      }
      if (at >= limit) return -1;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (depth === MAX_ARRAY_DEPTH) return -1;
      openBrackets[depth++] = code;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      if (depth === 0 || openBrackets[--depth] !== (code === CLOSE_BRACKET ? OPEN_BRACKET : OPEN_BRACE)) return -1;
      if (depth === 0) return at + 1;
    }
  }
  return -1;
}

/** Finds each record's end from its start (see the module's comment). */
class RecordEnds {
  private readonly brackets: NextOf;
  private readonly commaBraces: NextOf;
  private readonly spacedBraces: NextOf[];
  constructor(
    private readonly bytes: Buffer,
    /** Just past the last record's `}`. */
    private readonly recordsEnd: number,
  ) {
    this.brackets = new NextOf(bytes, OPEN_BRACKET_TEXT);
    this.commaBraces = new NextOf(bytes, COMMA_BRACE);
    this.spacedBraces = SPACED_BRACES.map((s) => new NextOf(bytes, s));
  }

  /** `},{"x` with x a byte no closing quote is followed by: an object ends and another begins, in an array. */
  private isBoundary(comma: number): boolean {
    const { bytes } = this;
    return bytes[comma - 1] === CLOSE_BRACE && bytes[comma + 2] === QUOTE && followsOpeningQuote(bytes[comma + 3]);
  }

  /** Just past the record starting at `start`: by the markers, else by an exact walk; -1 if neither. */
  endOf(start: number): number {
    return this.byMarkers(start) ?? walkRecord(this.bytes, start, this.recordsEnd);
  }

  /** The record's end when the markers show it, else null. */
  private byMarkers(start: number): number | null {
    const { bytes, recordsEnd } = this;
    if (bytes[start] !== OPEN_BRACE) return null;
    for (let at = start; ; ) {
      const open = this.brackets.from(at);
      const comma = this.commaBraces.from(at);
      let spaced = Number.POSITIVE_INFINITY;
      for (const s of this.spacedBraces) spaced = Math.min(spaced, s.from(at));
      const next = Math.min(open, comma, spaced, recordsEnd);
      if (next === recordsEnd) return recordsEnd;
      if (next === comma && this.isBoundary(comma)) return comma;
      if (next === open && opensArray(bytes, open)) {
        const end = matchArray(bytes, open, recordsEnd);
        if (end < 0) return null;
        at = end;
      } else if (inString(bytes, start, next)) at = next + 1;
      else return null;
    }
  }
}

/** Scans an S3 log file's bytes by its record markers; null where scan.ts must decide. */
export function scanByMarkers(bytes: Buffer, eventNames = false): RecordsScan | null {
  const head = RECORDS_START.exec(bytes.toString("latin1", 0, Math.min(bytes.length, 4096)));
  if (!head) return null;
  let at = skipSpace(bytes, head[0].length);
  const close = bytes.lastIndexOf(CLOSE_BRACKET);
  if (bytes[at] === CLOSE_BRACKET || close < at || !ONLY_CLOSE.test(bytes.toString("latin1", close + 1))) return null;
  let last = close - 1;
  while (last > at && isSpace(bytes[last])) last--;
  if (bytes[last] !== CLOSE_BRACE) return null;
  const recordsEnd = last + 1;
  const ends = new RecordEnds(bytes, recordsEnd);
  const picker = new RecordPicker(bytes, eventNames);
  const candidates: number[] = [];
  let count = 0;
  for (;;) {
    const start = at;
    const end = ends.endOf(start);
    if (end < 0 || end > recordsEnd) return null;
    if (picker.picks(start, end)) candidates.push(count, start, end);
    count++;
    if (end === recordsEnd) return { count, candidates };
    at = skipSpace(bytes, end);
    if (bytes[at] !== COMMA) return null;
    at = skipSpace(bytes, at + 1);
  }
}
