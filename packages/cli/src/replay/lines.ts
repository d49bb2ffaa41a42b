/**
 * Reads a file too large to hold as one text as a stream of JSON values, gunzipping on the
 * way, holding one value at a time: the elements of a top-level array, of a top-level
 * object's `Records` (a CloudTrail S3 log file) or `Events` (`aws cloudtrail lookup-events`
 * output), any other top-level value whole, and after a value on one line, the rest line by
 * line (NDJSON). Memory is bounded by the largest value, not the file. A value over the
 * limit is reported (null), not held. The scan finds value bounds only (brackets outside
 * strings); JSON.parse of each value checks the rest.
 * @see https://www.rfc-editor.org/rfc/rfc8259 (JSON)
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/cloudtrail/lookup-events.html
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/**
 * One value's text (null when over the limit); `n` counts values, or is the line number for
 * NDJSON lines; `where` names it (`record 3`, `event 2`, `item 1`, `line 7`; empty for a
 * whole top-level value).
 */
export type ValueCallback = (text: string | null, n: number, where: string) => void;

/** Top-level keys whose array is read element by element, and what an element is called. */
const STREAMED: Readonly<Record<string, string>> = { Records: "record", Events: "event" };
const MAX_KEY_BYTES = 64;

const [TAB, LF, CR, SPACE, QUOTE, COMMA, COLON] = [9, 10, 13, 32, 34, 44, 58];
const [BACKSLASH, LBRACKET, RBRACKET, LBRACE, RBRACE] = [92, 91, 93, 123, 125];
const isSpace = (c: number) => c === SPACE || c === LF || c === CR || c === TAB;

type Member = "start" | "key" | "colon" | "value-start" | "value" | "streamed";

/** The scanner: feed it chunks with {@link push}, then call {@link end}. */
export class JsonValueSplitter {
  private mode: "top" | "array" | "object" | "lines" = "top";
  private depth = 0;
  private inString = false;
  /** Backslashes that ended the previous chunk inside a string. */
  private carry = 0;
  private line = 1;
  private valueLine = 1;
  private emitted = 0;
  private first = true;
  // The value being captured: parts of chunks, from `start` in the current chunk.
  private parts: Buffer[] = [];
  private bytes = 0;
  private over = false;
  private start = -1;
  // An array read element by element.
  private elementDepth = 0;
  private element: "start" | "in" = "start";
  private elementKind = "item";
  private elementIndex = 0;
  // A top-level object: its members, unless one of them is streamed.
  private member: Member = "start";
  private key = "";
  private members: string[] = [];
  private membersBytes = 0;
  private streamed = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onValue: ValueCallback,
  ) {}

  private emit(text: string | null, n: number, where: string): void {
    this.onValue(text, n, where);
  }

  private take(chunk: Buffer, end: number): void {
    if (this.start < 0) return;
    const piece = chunk.subarray(this.start, end);
    this.bytes += piece.length;
    if (this.bytes > this.maxBytes) [this.parts, this.over] = [[], true];
    else if (piece.length > 0) this.parts.push(piece);
    this.start = end;
  }

  private begin(at: number): void {
    [this.parts, this.bytes, this.over, this.start] = [[], 0, false, at];
  }

  /** Ends the capture at `end` (exclusive) and returns its text, or null when over the limit. */
  private finish(chunk: Buffer, end: number): string | null {
    this.take(chunk, end);
    const text = this.over ? null : Buffer.concat(this.parts).toString("utf8");
    [this.parts, this.bytes, this.over, this.start] = [[], 0, false, -1];
    return text;
  }

  push(chunk: Buffer): void {
    let i = 0;
    if (this.first) {
      this.first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    while (i < chunk.length) {
      if (this.mode === "lines") i = this.lines(chunk, i);
      else if (this.inString) i = this.string(chunk, i);
      else i = this.structural(chunk, i);
    }
    this.take(chunk, chunk.length);
    if (this.start >= 0) this.start = 0;
  }

  /** Skips string content up to and including its closing quote. */
  private string(chunk: Buffer, i: number): number {
    for (let from = i; ; ) {
      const quote = chunk.indexOf(QUOTE, from);
      if (quote < 0) {
        let k = chunk.length;
        while (k > i && chunk[k - 1] === BACKSLASH) k--;
        this.carry = (k === i ? this.carry : 0) + chunk.length - k;
        return chunk.length;
      }
      let k = quote;
      while (k > from && chunk[k - 1] === BACKSLASH) k--;
      const run = quote - k + (k === i ? this.carry : 0);
      this.carry = 0;
      if (run % 2 === 0) {
        this.inString = false;
        if (this.member === "key" && this.depth === 1 && this.mode === "object") this.keyEnd(chunk, quote + 1);
        return quote + 1;
      }
      from = quote + 1;
    }
  }

  private keyEnd(chunk: Buffer, end: number): void {
    this.take(chunk, end);
    this.member = "colon";
    this.key = "";
    if (this.bytes > MAX_KEY_BYTES) return;
    try {
      this.key = JSON.parse(Buffer.concat(this.parts).toString("utf8").trim()) as string;
    } catch {
      // not a key that is streamed
    }
  }

  private structural(chunk: Buffer, i: number): number {
    const c = chunk[i] ?? 0;
    if (isSpace(c)) {
      if (c === LF) this.line++;
      return i + 1;
    }
    if (this.depth === 0) return this.topValue(i, c);
    const atElement = this.depth === this.elementDepth;
    const atMember = this.mode === "object" && this.depth === 1 && this.elementDepth === 0;
    if (atElement && this.element === "start" && c !== RBRACKET) {
      this.begin(i);
      this.element = "in";
      this.elementIndex++;
    } else if (atMember && this.member === "start" && c === QUOTE) {
      this.begin(i);
      this.member = "key";
    } else if (atMember && this.member === "value-start") {
      if (c === LBRACKET && Object.hasOwn(STREAMED, this.key)) return this.streamArray(i);
      this.member = "value";
    }
    if (c === QUOTE) {
      [this.inString, this.carry] = [true, 0];
    } else if (c === LBRACE || c === LBRACKET) this.depth++;
    else if (c === COLON && atMember && this.member === "colon") this.member = "value-start";
    else if (c === COMMA && atElement) this.elementEnd(chunk, i);
    else if (c === COMMA && atMember) this.memberEnd(chunk, i);
    else if (c === RBRACKET && atElement) {
      if (this.element === "in") this.elementEnd(chunk, i);
      this.depth--;
      this.elementDepth = 0;
      if (this.depth === 0) this.topEnd();
    } else if (c === RBRACE && atMember) {
      this.memberEnd(chunk, i);
      this.depth--;
      this.topEnd();
    } else if (c === RBRACE || c === RBRACKET) this.depth--;
    return i + 1;
  }

  /** The first byte of a top-level value: an array or object is scanned, anything else read as lines. */
  private topValue(i: number, c: number): number {
    this.valueLine = this.line;
    if (c === LBRACKET) {
      [this.mode, this.elementDepth, this.element, this.elementKind, this.elementIndex] = [
        "array",
        1,
        "start",
        "item",
        0,
      ];
    } else if (c === LBRACE) {
      [this.mode, this.member, this.members, this.membersBytes, this.streamed] = ["object", "start", [], 0, false];
    } else {
      this.mode = "lines";
      this.begin(i);
      return i;
    }
    this.depth = 1;
    return i + 1;
  }

  private streamArray(i: number): number {
    [this.parts, this.bytes, this.over, this.start] = [[], 0, false, -1];
    [this.member, this.streamed, this.depth] = ["streamed", true, 2];
    [this.elementDepth, this.element, this.elementIndex] = [2, "start", 0];
    this.elementKind = STREAMED[this.key] ?? "item";
    return i + 1;
  }

  private elementEnd(chunk: Buffer, i: number): void {
    this.element = "start";
    this.emit(this.finish(chunk, i), ++this.emitted, `${this.elementKind} ${this.elementIndex}`);
  }

  private memberEnd(chunk: Buffer, i: number): void {
    const kept = this.member === "value";
    const text = this.start >= 0 ? this.finish(chunk, i) : null;
    this.member = "start";
    if (!kept || this.streamed) return;
    this.membersBytes += text?.length ?? this.maxBytes + 1;
    if (text !== null && this.membersBytes <= this.maxBytes) this.members.push(text);
  }

  /** A top-level value ended: an object read whole is one value; after a one-line value, NDJSON. */
  private topEnd(): void {
    if (this.mode === "object" && !this.streamed) {
      const whole = this.membersBytes > this.maxBytes ? null : `{${this.members.join(",")}}`;
      this.emit(whole, ++this.emitted, this.line === this.valueLine ? `line ${this.line}` : "");
    }
    this.members = [];
    this.mode = this.line === this.valueLine ? "lines" : "top";
    if (this.mode === "lines") this.begin(-1);
  }

  /** NDJSON: each line is a value. */
  private lines(chunk: Buffer, i: number): number {
    if (this.start < 0) this.begin(i);
    const newline = chunk.indexOf(LF, i);
    if (newline < 0) return chunk.length;
    this.emit(this.finish(chunk, newline), this.line, `line ${this.line}`);
    this.line++;
    this.begin(newline + 1);
    return newline + 1;
  }

  /** The end of the input: the last line, or what is left of an unfinished document. */
  end(): void {
    if (this.mode === "lines") {
      if (this.bytes > 0 || this.over) this.emit(this.finish(Buffer.alloc(0), 0), this.line, `line ${this.line}`);
      return;
    }
    if (this.depth === 0) return;
    const partial = this.start >= 0 || this.parts.length > 0 ? this.finish(Buffer.alloc(0), 0) : null;
    this.emit(partial ?? "(the file ends inside a JSON document)", ++this.emitted, "end of file");
  }
}

/** Reads `source` through a {@link JsonValueSplitter}. */
export async function forEachValueOf(source: Readable, maxBytes: number, onValue: ValueCallback): Promise<void> {
  const splitter = new JsonValueSplitter(maxBytes, onValue);
  for await (const chunk of source as AsyncIterable<Buffer>) splitter.push(chunk);
  splitter.end();
}

/** Reads `file` (gunzipped when `gzip`) value by value; see {@link JsonValueSplitter}. */
export async function forEachValue(
  file: string,
  gzip: boolean,
  maxBytes: number,
  onValue: ValueCallback,
): Promise<void> {
  const raw = createReadStream(file);
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on("error", (error) => source.destroy(error));
  await forEachValueOf(source, maxBytes, onValue);
}

/** The older name: for NDJSON the values are the lines and `n` is the line number. */
export const forEachLine = forEachValue;
