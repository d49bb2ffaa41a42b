import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { releaseBytes } from "../../packages/cli/src/replay/release-bytes.js";
import { gunzipChunkSize } from "../../packages/core/src/decode.js";

type Detachable = ArrayBuffer & { detached?: boolean };

describe("releaseBytes: frees a large Buffer's own memory, never memory others share", () => {
  it("detaches a gunzipped file's memory: every view of it is empty afterwards", () => {
    const zipped = gzipSync(Buffer.alloc(200_000, "a"));
    const bytes = gunzipSync(zipped, { chunkSize: gunzipChunkSize(zipped) });
    const view = bytes.subarray(3);
    expect(bytes.length).toBe(200_000);
    releaseBytes(view);
    expect((bytes.buffer as Detachable).detached).toBe(true);
    expect(bytes.length).toBe(0);
    expect(view.length).toBe(0);
  });

  it("leaves a Buffer cut from a shared pool, and its neighbours, as they were", () => {
    // Node's pool is one ArrayBuffer of Buffer.poolSize bytes that small Buffers are cut from;
    // this one is built the same way, so that a broken rule empties it and not Node's own.
    const pool = new ArrayBuffer(Buffer.poolSize);
    const [first, small, next] = [0, 16, 32].map((offset) => Buffer.from(pool, offset, 16)) as [Buffer, Buffer, Buffer];
    small.write("a small file");
    next.write("next neighbour");
    releaseBytes(small);
    expect((pool as Detachable).detached).toBe(false);
    expect([first.length, small.toString().replace(/\0+$/, ""), next.toString().replace(/\0+$/, "")]).toEqual([
      16,
      "a small file",
      "next neighbour",
    ]);
    const real = Buffer.from("a small file");
    expect(real.buffer.byteLength).toBe(Buffer.poolSize); // what the model above stands for
  });

  it("leaves memory no larger than the pool, and shared memory, alone", () => {
    const pooledSize = Buffer.allocUnsafeSlow(Buffer.poolSize).fill(1);
    releaseBytes(pooledSize);
    expect(pooledSize.length).toBe(Buffer.poolSize);
    const shared = new Uint8Array(new SharedArrayBuffer(100_000));
    releaseBytes(shared);
    expect(shared.length).toBe(100_000);
  });

  it("is a no-op on memory already released", () => {
    const bytes = Buffer.alloc(100_000);
    releaseBytes(bytes);
    expect(() => releaseBytes(bytes)).not.toThrow();
    expect(bytes.length).toBe(0);
  });
});
