/**
 * Worker-thread entry of `secretwatch replay` (built to dist/replay-worker.mjs): reads the files
 * the main thread posts, in order, and posts back each unit's hits and each file's report.
 * @see https://nodejs.org/api/worker_threads.html
 */
import { parentPort, workerData } from "node:worker_threads";
import { createProcessor } from "./process.js";
import type { FileTask, ProcessorConfig } from "./protocol.js";

if (parentPort) {
  const port = parentPort;
  const processor = createProcessor(workerData as ProcessorConfig, (message) => port.postMessage(message));
  port.on("message", (task: FileTask) => processor.enqueue(task));
}
