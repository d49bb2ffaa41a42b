/**
 * The fast path for CloudTrail S3 log files (`{"Records":[...]}`): a structural scan that finds
 * each record's bounds without building objects, so only records that mention
 * `secretsmanager.amazonaws.com` (or carry an `awslogs` payload) are parsed. Strings are jumped
 * over with `indexOf`; the scan checks brackets and string quoting, not every literal, and gives
 * up (returns null) on anything unexpected, leaving the file to the full parser.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */

/**
 * Text a record must contain to be parsed: the Secrets Manager event source, `awslogs` (an
 * encoded subscription payload can hide it), or any `\u` escape (JSON may spell the event
 * source or a key with escapes, which only a parse reveals; CloudTrail rarely writes them).
 * One regular expression finds any of them in one pass.
 */
const NEEDLES = /secretsmanager\.amazonaws\.com|awslogs|\\u/g;

export interface RecordsScan {
  /** Elements of the `Records` array. */
  count: number;
  /** Flat triples `[element index, start, end)` of the elements that contain a needle. */
  candidates: number[];
}

const [QUOTE, BACKSLASH, COMMA, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [34, 92, 44, 123, 125, 91, 93];
const RECORDS_START = /^\s*\{\s*"Records"\s*:\s*\[/;
const ONLY_CLOSE = /^\s*\}\s*$/;

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

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

/** Index just past the JSON value at `i` (a scalar ends at `,`, `]`, `}` or space), or -1. */
function skipValue(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code === QUOTE) return skipString(text, i);
  if (code === OPEN_BRACE || code === OPEN_BRACKET) return skipNested(text, i);
  let at = i;
  for (; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || isSpace(c)) break;
  }
  return at > i ? at : -1;
}

/** Finds the next needle at or after a position, remembering the last answer while it still holds. */
class NeedleFinder {
  private next = 0;
  constructor(private readonly text: string) {}
  /** True when a needle occurs in `[start, end)`. */
  within(start: number, end: number): boolean {
    if (this.next < start) {
      NEEDLES.lastIndex = start;
      this.next = NEEDLES.exec(this.text)?.index ?? Number.POSITIVE_INFINITY;
    }
    return this.next < end;
  }
}

/**
 * Scans `text` (one character per byte, e.g. a Buffer decoded as `latin1`, so indexes are byte
 * offsets) when it is exactly `{"Records":[...]}`; null for any other shape or broken structure.
 */
export function scanRecordsFile(text: string): RecordsScan | null {
  const head = RECORDS_START.exec(text.slice(0, 4096));
  if (!head) return null;
  const finder = new NeedleFinder(text);
  const candidates: number[] = [];
  let count = 0;
  let at = skipSpace(text, head[0].length);
  if (text.charCodeAt(at) !== CLOSE_BRACKET) {
    for (;;) {
      const start = at;
      const end = skipValue(text, start);
      if (end < 0) return null;
      if (finder.within(start, end)) candidates.push(count, start, end);
      count++;
      at = skipSpace(text, end);
      if (text.charCodeAt(at) === COMMA) at = skipSpace(text, at + 1);
      else if (text.charCodeAt(at) === CLOSE_BRACKET) break;
      else return null;
    }
  }
  return ONLY_CLOSE.test(text.slice(at + 1)) ? { count, candidates } : null;
}
