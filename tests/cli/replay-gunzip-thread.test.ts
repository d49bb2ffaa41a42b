/**
 * Replay's gunzip thread: the same bytes and the same errors as zlib on the JavaScript thread,
 * and never a lost file when the thread is gone (the caller is told, and gunzips it itself).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { GunzipError, GunzipThread, GunzipThreadError } from "../../packages/cli/src/replay/gunzip-thread.js";
import { gunzipElsewhere, loadFile, SYNC_GUNZIP_BELOW } from "../../packages/cli/src/replay/load.js";
import { noise, s3File, tempDir } from "./replay-inputs.js";

/** A CloudTrail file whose gzip is too large to gunzip on the JavaScript thread. */
const body = JSON.stringify(s3File(Array.from({ length: 12 }, () => noise).flat()));
const zipped = gzipSync(body);
const garbled = Buffer.concat([zipped.subarray(0, 10), Buffer.alloc(zipped.length, 0x5a)]);
/** What zlib on this thread throws for `data`. */
const thrownHere = (data: Buffer, maxOutputLength?: number) => {
  try {
    gunzipSync(data, maxOutputLength ? { maxOutputLength } : {});
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected gunzipSync to throw");
};

let thread: GunzipThread;
beforeEach(() => {
  thread = new GunzipThread();
});
afterEach(() => thread.close());

describe("GunzipThread", () => {
  test("the fixture is large enough to take the thread's path", () => {
    expect(zipped.length).toBeGreaterThanOrEqual(SYNC_GUNZIP_BELOW);
  });

  test("gives the bytes zlib gives, for files sent together, each to its own caller", async () => {
    const others = [gzipSync("{}"), gzipSync(body.slice(0, 5000)), zipped];
    const results = await Promise.all(others.map((z) => thread.gunzip(z, {})));
    expect(results.map((r) => r.toString())).toEqual(["{}", body.slice(0, 5000), body]);
    expect(zipped.length).toBeGreaterThan(0); // the caller keeps its compressed bytes
  });

  test("zlib's refusal comes back with zlib's own code and message", async () => {
    const here = thrownHere(garbled);
    const there = await thread.gunzip(garbled, {}).catch((error: unknown) => error);
    expect(there).toBeInstanceOf(GunzipError);
    expect([(there as GunzipError).code, (there as Error).message]).toEqual([here.code, here.message]);
  });

  test("an output over the limit is refused as zlib refuses it (ERR_BUFFER_TOO_LARGE)", async () => {
    const there = await thread.gunzip(zipped, { maxOutputLength: 1000 }).catch((error: unknown) => error);
    expect((there as GunzipError).code).toBe(thrownHere(zipped, 1000).code);
    expect((there as GunzipError).code).toBe("ERR_BUFFER_TOO_LARGE");
  });

  test("a thread that stops rejects what it was doing, and what comes later, as GunzipThreadError", async () => {
    const waiting = thread.gunzip(zipped, {}).catch((error: unknown) => error);
    await thread.close();
    expect(await waiting).toBeInstanceOf(GunzipThreadError);
    await expect(thread.gunzip(zipped, {})).rejects.toBeInstanceOf(GunzipThreadError);
  });
});

describe("gunzipping a file off the JavaScript thread", () => {
  test("before the thread runs, on it, and when it stops midway: the file is gunzipped all the same", async () => {
    expect(thread.ready()).toBe(false); // starting: the libuv pool gunzips meanwhile
    expect((await gunzipElsewhere(zipped, {}, thread)).toString()).toBe(body);
    await vi.waitFor(() => expect(thread.ready()).toBe(true), { timeout: 10_000 });
    expect((await gunzipElsewhere(zipped, {}, thread)).toString()).toBe(body);
    const midway = gunzipElsewhere(zipped, {}, thread);
    await thread.close(); // rejects the file on the thread: it is gunzipped again on the pool
    expect((await midway).toString()).toBe(body);
    expect(thread.ready()).toBe(false);
    expect((await gunzipElsewhere(zipped, {}, null)).toString()).toBe(body);
  });

  test("zlib's refusal on the thread is not mistaken for a stopped thread", async () => {
    await vi.waitFor(() => expect(thread.ready()).toBe(true), { timeout: 10_000 });
    await expect(gunzipElsewhere(garbled, {}, thread)).rejects.toBeInstanceOf(GunzipError);
  });
});

describe("loadFile with a file for the gunzip thread", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  test("its text; a garbled one as unreadable with zlib's reason; one over the limit as large", async () => {
    const file = (name: string, bytes: Buffer) => {
      const at = path.join(dir.root, name);
      writeFileSync(at, bytes);
      return at;
    };
    const loaded = await loadFile(file("trail.json.gz", zipped), 64 << 20);
    expect(loaded.kind === "bytes" && loaded.bytes.toString()).toBe(body);
    expect(await loadFile(file("garbled.json.gz", garbled), 64 << 20)).toEqual({
      kind: "error",
      reason: `not valid gzip data (${thrownHere(garbled).message})`,
    });
    expect(await loadFile(file("big.json.gz", zipped), zipped.length + 10)).toEqual({ kind: "large", gzip: true });
  });
});
