/**
 * Reads one input file into memory, gunzipped when its first bytes are the gzip magic number
 * (whatever its name). Reading is synchronous (a page-cache read takes microseconds, far less
 * than a promise round trip); a larger file is gunzipped on a thread of its own
 * (gunzip-thread.ts; in replay's worker threads, on the libuv thread pool), so the next files
 * decompress while the current one is parsed.
 * @see https://www.rfc-editor.org/rfc/rfc1952#section-2.3.1 (gzip magic bytes 1f 8b)
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { promisify } from "node:util";
import { isMainThread } from "node:worker_threads";
import { gunzip, gunzipSync, type ZlibOptions } from "node:zlib";
import { gunzipChunkSize } from "@secretwatch/core";
import { describeFsError } from "./files.js";
import { GunzipThread, GunzipThreadError } from "./gunzip-thread.js";
import { releaseBytes } from "./release-bytes.js";

const gunzipAsync = promisify(gunzip);

/** Below this compressed size, the async call costs the JavaScript thread more than gunzipping there. */
export const SYNC_GUNZIP_BELOW = 32 << 10;

export type Loaded =
  /** The file's text as bytes (decompressed, byte-order mark removed). */
  | { kind: "bytes"; bytes: Buffer }
  /** Over the size limit: read it as a stream of lines instead. */
  | { kind: "large"; gzip: boolean }
  | { kind: "error"; reason: string };

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function withoutBom(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/** The raw bytes, or why not; a file over `maxBytes` is only peeked at (is it gzip?). */
function readRaw(file: string, maxBytes: number): Buffer | Loaded {
  const fd = openSync(file, "r");
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) return { kind: "error", reason: "is a directory" };
    if (info.size <= maxBytes) return readFileSync(fd);
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return { kind: "large", gzip: isGzip(head) };
  } finally {
    closeSync(fd);
  }
}

/** The main thread's gunzip thread, started on first use. */
let mainGunzipThread: GunzipThread | null = null;

/**
 * The thread that gunzips this thread's larger files: one of its own for the main thread; none
 * in replay's worker threads (they already run side by side, and use the libuv pool).
 */
function gunzipThread(): GunzipThread | null {
  if (!isMainThread) return null;
  mainGunzipThread ??= new GunzipThread();
  return mainGunzipThread;
}

/**
 * Gunzips a larger file off the JavaScript thread: on `thread` once it runs, else (before it
 * does, or when it cannot) on the libuv pool.
 */
export function gunzipElsewhere(raw: Buffer, options: ZlibOptions, thread = gunzipThread()): Promise<Buffer> {
  if (thread === null || !thread.ready()) return gunzipAsync(raw, options);
  return thread.gunzip(raw, options).catch((error: unknown) => {
    if (error instanceof GunzipThreadError) return gunzipAsync(raw, options);
    throw error;
  });
}

/** Loads `file`; never rejects (problems come back as `{ kind: "error" }`). */
export async function loadFile(file: string, maxBytes: number): Promise<Loaded> {
  let raw: Buffer | Loaded;
  try {
    raw = readRaw(file, maxBytes);
  } catch (error) {
    return { kind: "error", reason: describeFsError(error) };
  }
  if (!Buffer.isBuffer(raw)) return raw;
  if (!isGzip(raw)) return { kind: "bytes", bytes: withoutBom(raw) };
  // zlib's default 16 KiB chunks call back into JavaScript and copy once each (async gunzip was
  // twice as slow as gunzipSync): one chunk a byte larger than the size the gzip trailer records, as the Lambda does.
  const options = { maxOutputLength: maxBytes, chunkSize: gunzipChunkSize(raw) };
  try {
    const bytes = raw.length < SYNC_GUNZIP_BELOW ? gunzipSync(raw, options) : await gunzipElsewhere(raw, options);
    releaseBytes(raw); // the compressed bytes are not read again (see releaseBytes)
    return { kind: "bytes", bytes: withoutBom(bytes) };
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return { kind: "large", gzip: true };
    return { kind: "error", reason: `not valid gzip data (${error instanceof Error ? error.message : String(error)})` };
  }
}
