/**
 * Gunzips replay's files on one thread of its own, while the JavaScript thread reads the files
 * before them.
 *
 * zlib's asynchronous gunzip runs on the libuv thread pool, but one file takes two trips there
 * (the data, then the end of the stream), and each trip waits for the JavaScript thread to
 * start it: while that thread reads a file, the next files' gunzips stall half done, and it
 * then waited for them (about a third of its time over the benchmark corpus). This thread
 * gunzips the files it is sent one after another, whatever the JavaScript thread is doing, and
 * hands each result back without a copy (its memory is transferred; the compressed bytes, a
 * sixth of the size, are copied there).
 *
 * Its code is a few lines of plain JavaScript that use Node's own modules only, so it runs the
 * same from the built CLI and from the TypeScript sources (`eval`). When the thread cannot be
 * used (it failed to start or stopped), {@link GunzipThreadError} says so and the caller
 * gunzips the file itself: a file is never lost to this thread.
 * @see https://nodejs.org/api/worker_threads.html#new-workerfilename-options
 * @see https://nodejs.org/api/worker_threads.html#portpostmessagevalue-transferlist
 */
import { Worker } from "node:worker_threads";
import type { ZlibOptions } from "node:zlib";

/**
 * The thread's code: gunzip each file posted, post back its bytes (memory transferred when its
 * own) or the error; on `stop`, close the port, so the thread ends once the file before is done.
 */
const THREAD_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { gunzipSync } = require("node:zlib");
parentPort.on("message", ({ id, zipped, options, stop }) => {
  if (stop) {
    parentPort.close();
    return;
  }
  let bytes;
  try {
    bytes = gunzipSync(zipped, options);
  } catch (error) {
    parentPort.postMessage({ id, error: { code: error && error.code, message: String(error && error.message) } });
    return;
  }
  const own = bytes.buffer.byteLength > Buffer.poolSize; // not Node's pool: release-bytes.ts's rule
  parentPort.postMessage({ id, bytes }, own ? [bytes.buffer] : []);
});
`;

/** How long {@link GunzipThread.close} waits for the thread to end before it terminates it. */
const STOP_WAIT_MS = 10_000;

/** The thread could not gunzip the file (it did not start, or stopped): gunzip it another way. */
export class GunzipThreadError extends Error {
  override name = "GunzipThreadError";
}

/** What zlib threw in the thread, with its `code` (`ERR_BUFFER_TOO_LARGE`, `Z_DATA_ERROR`…). */
export class GunzipError extends Error {
  override name = "GunzipError";
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

type Reply = { id: number; bytes: Uint8Array } | { id: number; error: { code?: string; message: string } };
interface Pending {
  resolve: (bytes: Buffer) => void;
  reject: (error: Error) => void;
}

/**
 * One gunzip thread, started on first use. It keeps the process alive only while a file is
 * being gunzipped, so a finished replay exits without closing it.
 */
export class GunzipThread {
  private worker: Worker | null = null;
  /** The thread runs its code (Node's `online` event): until then, files are better gunzipped elsewhere. */
  private online = false;
  private failed: Error | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /**
   * Gunzips `zipped` (copied to the thread: the caller keeps it, to gunzip it itself should the
   * thread stop). Rejects with {@link GunzipError} for data zlib refuses, with
   * {@link GunzipThreadError} when the thread cannot do it.
   */
  gunzip(zipped: Buffer, options: ZlibOptions): Promise<Buffer> {
    const worker = this.started();
    if (worker === null)
      return Promise.reject(new GunzipThreadError("the gunzip thread is not running", { cause: this.failed }));
    const id = this.nextId++;
    const reply = new Promise<Buffer>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (this.pending.size === 1) worker.ref();
    try {
      worker.postMessage({ id, zipped, options });
    } catch (error) {
      this.settle(id);
      return Promise.reject(new GunzipThreadError("could not send the file to the gunzip thread", { cause: error }));
    }
    return reply;
  }

  /**
   * True once the thread runs (starting it on the first call). A thread takes tens of
   * milliseconds to start, longer than gunzipping a file or two: the first files are gunzipped
   * elsewhere meanwhile, and a replay of one file never waits for it.
   */
  ready(): boolean {
    this.started();
    return this.online && this.worker !== null;
  }

  /**
   * Stops the thread; files still being gunzipped are rejected with {@link GunzipThreadError} at
   * once. The thread is asked to stop, not terminated: it ends after the file it is on. Node.js
   * aborts the whole process when a thread is terminated inside zlib (`CompressionStream::Close`,
   * "close before init", seen in a test run), so only a thread that has not ended within
   * {@link STOP_WAIT_MS} is terminated.
   */
  async close(): Promise<void> {
    const worker = this.worker;
    this.fail(new Error("the gunzip thread was closed"));
    if (worker === null) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.ref(); // until it has ended
    try {
      worker.postMessage({ stop: true });
    } catch {
      await worker.terminate();
      return;
    }
    const late = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
    await exited;
    clearTimeout(late);
  }

  private started(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    try {
      const worker = new Worker(THREAD_SOURCE, { eval: true });
      worker.on("online", () => {
        this.online = true;
      });
      worker.on("message", (reply: Reply) => this.receive(reply));
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => this.fail(new Error(`the gunzip thread stopped (exit code ${code})`)));
      // After the listeners: adding a "message" listener refs the thread again.
      worker.unref();
      this.worker = worker;
    } catch (error) {
      this.failed = error instanceof Error ? error : new Error(String(error));
    }
    return this.worker;
  }

  private receive(reply: Reply): void {
    const waiting = this.settle(reply.id);
    if (!waiting) return;
    if ("error" in reply) waiting.reject(new GunzipError(reply.error.message, reply.error.code));
    else waiting.resolve(Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
  }

  /** Forgets request `id` (unref'ing the thread when none is left) and returns its callbacks. */
  private settle(id: number): Pending | undefined {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    return waiting;
  }

  /** The thread is gone: every file waiting on it is rejected, and later ones are gunzipped elsewhere. */
  private fail(cause: Error): void {
    this.failed ??= cause;
    this.worker = null;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(new GunzipThreadError("the gunzip thread stopped", { cause }));
  }
}
