/**
 * Turns untrusted text (every string in a CloudTrail record) into text that is safe in an
 * SNS subject, a message attribute or one line of a plain-text email body.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
import { Buffer } from "node:buffer";

/** Default byte budget of one body value. */
export const DEFAULT_BODY_VALUE_BYTES = 512;

/** Typographic characters NFKD leaves alone, spelled in ASCII. */
const ASCII_LOOKALIKES: Readonly<Record<string, string>> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201A": "'",
  "\u2032": "'",
  "\u201C": '"',
  "\u201D": '"',
  "\u201E": '"',
  "\u2033": '"',
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2013": "-",
  "\u2014": "-",
  "\u2015": "-",
  "\u2212": "-",
  "\u2022": "*",
  "\u00D7": "x",
  "\u00DF": "ss",
  "\u00C6": "AE",
  "\u00E6": "ae",
  "\u00D8": "O",
  "\u00F8": "o",
  "\u0141": "L",
  "\u0142": "l",
};

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/**
 * A code point the body does not show as itself: a control character, a format character, an
 * unassigned code point, a lone surrogate, a line or paragraph separator, or a combining mark
 * (a long run of them is cut). Text without any is shown as written (see `display`).
 */
const NOT_AS_WRITTEN = /[\p{Cc}\p{Cf}\p{Cn}\p{Cs}\p{M}\u2028\u2029]/u;
const MARK = /\p{M}/u;
const FORMAT = /\p{Cf}/u;
/** Unassigned code points (such as U+2065 among the invisible operators): a later Unicode may make them format characters. */
const UNASSIGNED = /\p{Cn}/u;
const SEPARATOR = /[\p{Cc}\p{Z}\s]/u;
/** Consecutive combining marks kept in body text; longer runs ("Zalgo" text) are cut. */
const MAX_MARK_RUN = 3;

/** Any value as text: strings as-is, numbers and booleans spelled out, objects as JSON. */
function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "function") return "";
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** A half surrogate pair: text JSON can spell (`"\ud800"`) and a cut can leave, not encodable as UTF-8. */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * `text` with each lone surrogate replaced by U+FFFD, as UTF-8 encoders do: valid to URL-encode
 * (`encodeURIComponent` throws on a lone surrogate) and to store as a DynamoDB string.
 * @see https://tc39.es/ecma262/#sec-string.prototype.towellformed
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

/**
 * Bytes `s` takes in UTF-8, as `Buffer.byteLength` counts them (a lone surrogate is sent as
 * U+FFFD, 3 bytes). SNS limits a message, subject and attributes together to 262,144 bytes.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export function utf8Bytes(s: string): number {
  // Native, and the same count SNS makes: a lone surrogate is sent as U+FFFD (3 bytes).
  return Buffer.byteLength(s, "utf8");
}

/**
 * Printable ASCII for an SNS `Subject` or a message attribute value: accents are dropped
 * (`é` → `e`), typographic punctuation is spelled in ASCII, zero-width and bidi characters
 * vanish, control characters and line breaks become spaces, runs of spaces collapse, any
 * other character becomes `?`. The result is trimmed and, when longer than `max`
 * characters, cut and ended with `...`. It can be empty: callers supply a default.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject: ASCII, no line breaks or control characters, under 100 characters)
 */
export function toSubjectText(value: unknown, max: number): string {
  const limit = Number.isFinite(max) ? Math.max(0, Math.floor(max)) : 0;
  const raw = asText(value);
  let out = "";
  if (PRINTABLE_ASCII.test(raw)) out = raw;
  else
    for (const ch of raw.normalize("NFKD")) {
      const code = ch.codePointAt(0) ?? 0;
      if (code >= 0x20 && code <= 0x7e) out += ch;
      else if (MARK.test(ch) || FORMAT.test(ch)) continue;
      else if (SEPARATOR.test(ch)) out += " ";
      else out += ASCII_LOOKALIKES[ch] ?? "?";
    }
  if (out.includes("  ")) out = out.replace(/ {2,}/g, " ");
  out = out.trim();
  if (out.length <= limit) return out;
  if (limit <= 3) return out.slice(0, limit).trim();
  return `${out.slice(0, limit - 3).trimEnd()}...`;
}

/** `\xNN`, `\uNNNN` or `\u{NNNNN}`: a visible stand-in for an invisible or dangerous character. */
function escapeCode(code: number): string {
  if (code <= 0xff) return `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `\\u{${code.toString(16).toUpperCase()}}`;
}

/** How one code point shows in the body: itself, an escape, or nothing (a surplus combining mark). */
function display(ch: string, marksBefore: number): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code === 0x0a) return "\\n";
  if (code === 0x0d) return "\\r";
  if (code === 0x09) return "\\t";
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return escapeCode(code);
  if (code >= 0xd800 && code <= 0xdfff) return escapeCode(code); // a lone surrogate
  if (code === 0x2028 || code === 0x2029 || FORMAT.test(ch) || UNASSIGNED.test(ch)) return escapeCode(code);
  return MARK.test(ch) && marksBefore >= MAX_MARK_RUN ? "" : ch;
}

/**
 * One line of a plain-text email body. Line breaks and other control characters become
 * visible escapes (`\n`, `\r`, `\t`, `\x1B`); bidi overrides, zero-width characters, line
 * and paragraph separators, unassigned code points and lone surrogates become `\uNNNN`, so they can neither move
 * text onto a new line nor hide or reorder it. Text over `maxBytes` UTF-8 bytes is cut on a
 * character boundary and ends with `...[truncated N bytes]` (N counts the original's bytes
 * left out); the result never exceeds `maxBytes` and is always valid UTF-8.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Message: UTF-8, at most 256 KB)
 */
export function toBodyText(value: unknown, maxBytes: number = DEFAULT_BODY_VALUE_BYTES): string {
  const limit = Number.isFinite(maxBytes) ? Math.max(0, Math.floor(maxBytes)) : DEFAULT_BODY_VALUE_BYTES;
  const raw = asText(value);
  if (PRINTABLE_ASCII.test(raw)) {
    // The common case, and fast: one byte per character, nothing to escape. Cut as the loop
    // below cuts (the marker counts the bytes left out).
    if (raw.length <= limit) return raw;
    const room = limit - `...[truncated ${raw.length} bytes]`.length;
    return room < 0 ? raw.slice(0, limit) : `${raw.slice(0, room)}...[truncated ${raw.length - room} bytes]`;
  }
  const total = utf8Bytes(raw);
  // Letters and punctuation beyond ASCII (`café`, `·`) that fit: every code point shows as itself.
  if (total <= limit && !NOT_AS_WRITTEN.test(raw)) return raw;
  // Room for the text before a marker, reserved with the widest count the marker could show.
  const room = limit - `...[truncated ${total} bytes]`.length;
  let [out, used, marks, cut, shown, read] = ["", 0, 0, 0, 0, 0];
  for (const ch of raw) {
    const unit = display(ch, marks);
    marks = MARK.test(ch) ? marks + 1 : 0;
    used += utf8Bytes(unit);
    if (used > limit) return room < 0 ? out.slice(0, cut) : `${out.slice(0, cut)}...[truncated ${total - shown} bytes]`;
    out += unit;
    read += utf8Bytes(ch);
    if (room < 0 || used <= room) [cut, shown] = [out.length, read];
  }
  return out;
}
