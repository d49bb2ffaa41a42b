/**
 * Text the S3 fast path searches by byte offset: a string of one character per byte (a Buffer
 * decoded as `latin1`), or the Buffer itself. Every needle searched for is ASCII, so both forms
 * give the same offsets, and `indexOf` works on both.
 */
export type Haystack = string | Buffer;

/** The byte at `i` of either form (NaN past the end). */
export function codeAt(text: Haystack, i: number): number {
  return typeof text === "string" ? text.charCodeAt(i) : (text[i] ?? Number.NaN);
}
