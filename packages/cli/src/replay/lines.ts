/**
 * Reads a file too large to hold as one text, line by line (NDJSON), gunzipping on the way.
 * A line longer than the limit is reported, not held.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";

/** Calls `onLine` with each line (without its line break), or with null for a line over `maxLineBytes`. */
export async function forEachLine(
  file: string,
  gzip: boolean,
  maxLineBytes: number,
  onLine: (line: string | null, lineNumber: number) => void,
): Promise<void> {
  const raw = createReadStream(file);
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on("error", (error) => source.destroy(error));
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let lineNumber = 0;
  const emit = (tail: Buffer) => {
    lineNumber++;
    const over = tooLong || pendingBytes + tail.length > maxLineBytes;
    onLine(over ? null : Buffer.concat([...pending, tail]).toString("utf8"), lineNumber);
    [pending, pendingBytes, tooLong] = [[], 0, false];
  };
  for await (const chunk of source as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, start)) {
      emit(chunk.subarray(start, newline));
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    pendingBytes += rest.length;
    if (pendingBytes > maxLineBytes) [pending, tooLong] = [[], true];
    else if (rest.length > 0) pending.push(Buffer.from(rest));
  }
  if (pendingBytes > 0 || tooLong) emit(Buffer.alloc(0));
}
