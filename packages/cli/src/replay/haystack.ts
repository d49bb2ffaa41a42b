/**
 * Text the S3 fast path searches by byte offset: a string of one character per byte (a Buffer
 * decoded as `latin1`), or the Buffer itself. Every needle searched for is ASCII, so both forms
 * give the same offsets, and `indexOf` works on both. The helpers the scans share live here.
 */
export type Haystack = string | Buffer;

/** The byte at `i` of either form (NaN past the end). */
export function codeAt(text: Haystack, i: number): number {
  return typeof text === "string" ? text.charCodeAt(i) : (text[i] ?? Number.NaN);
}

/** JSON's white space: space, line feed, carriage return, tab. */
export function isSpace(code: number | undefined): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** Index of the first byte at or after `i` that is not white space (the end, past the last). */
export function skipSpace(text: Haystack, i: number): number {
  let at = i;
  while (isSpace(codeAt(text, at))) at++;
  return at;
}

/**
 * The next occurrence of an ASCII needle at or after a position, remembered while it still
 * holds: the scans ask at ever later positions, so each needle costs one pass over the text.
 */
export class NextOf {
  private at = -1;
  private readonly needle: string | Buffer;
  constructor(
    private readonly text: Haystack,
    needle: string,
  ) {
    // As bytes for a Buffer: a string needle would be encoded again on every search.
    this.needle = typeof text === "string" ? needle : Buffer.from(needle, "latin1");
  }

  /** Where the needle next starts at or after `position` (Infinity: nowhere). */
  from(position: number): number {
    if (this.at < position) {
      const { text, needle } = this;
      const found =
        typeof text === "string" ? text.indexOf(needle as string, position) : text.indexOf(needle, position);
      this.at = found < 0 ? Number.POSITIVE_INFINITY : found;
    }
    return this.at;
  }
}
