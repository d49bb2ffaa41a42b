/**
 * Where files are read: worker threads running dist/replay-worker.mjs (or, from the TypeScript
 * sources in development and tests, worker.ts through tsx), or the same code inline on the main
 * thread for one worker or when no worker entry can be found.
 * @see https://nodejs.org/api/worker_threads.html#new-workerfilename-options
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { createProcessor } from "./process.js";
import type { FileTask, ProcessorConfig, ProcessorMessage } from "./protocol.js";

/** Reads the files posted to it, in order; `busy` counts files posted and not yet reported. */
export interface Lane {
  busy: number;
  post(task: FileTask): void;
  close(): Promise<void>;
}

export interface LaneEvents {
  message(message: ProcessorMessage): void;
  error(error: Error): void;
}

interface WorkerEntry {
  url: URL;
  execArgv: string[];
}

/** The worker script next to this module (bundled), or worker.ts with tsx (sources); null if neither. */
export function workerEntry(): WorkerEntry | null {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    try {
      const tsx = pathToFileURL(createRequire(here).resolve("tsx")).href;
      return { url: new URL("./worker.ts", here), execArgv: ["--import", tsx] };
    } catch {
      return null;
    }
  }
  const built = new URL("./replay-worker.mjs", here);
  return existsSync(fileURLToPath(built)) ? { url: built, execArgv: [] } : null;
}

export function inlineLane(config: ProcessorConfig, events: LaneEvents): Lane {
  const processor = createProcessor(config, (message) => events.message(message));
  return {
    busy: 0,
    post: (task) => processor.enqueue(task),
    close: async () => {},
  };
}

export function workerLane(entry: WorkerEntry, config: ProcessorConfig, events: LaneEvents): Lane {
  const worker = new Worker(entry.url, { workerData: config, execArgv: entry.execArgv });
  let closing = false;
  worker.on("message", (message: ProcessorMessage) => events.message(message));
  worker.on("error", (error) => events.error(error));
  worker.on("exit", (code) => {
    if (!closing) events.error(new Error(`a replay worker stopped unexpectedly (exit code ${code})`));
  });
  return {
    busy: 0,
    post: (task) => worker.postMessage(task),
    close: async () => {
      closing = true;
      await worker.terminate();
    },
  };
}
