/**
 * Reads one loaded file into a {@link FileReading}: the S3 fast path when the file is a
 * `{"Records":[...]}` log file (the marker scan, else the structural scan), else one JSON
 * document, else NDJSON (one JSON value per line).
 */
import path from "node:path";
import { forEachLine } from "./lines.js";
import { type Loaded, loadFile } from "./load.js";
import { scanByMarkers } from "./marker-scan.js";
import type { FileTask, ProcessorConfig, ProcessorMessage } from "./protocol.js";
import { FileReading } from "./reading.js";
import { releaseBytes } from "./release-bytes.js";
import { type RecordsScan, scanRecordsFile } from "./scan.js";

const BLANK = /^\s*$/;

/** One JSON text (an NDJSON line, a record the fast path picked); null for a line over the size limit. */
function takeText(reading: FileReading, text: string | null, where: string[]): void {
  if (text === null) {
    reading.problem("invalidJson", where, "line too long");
    return;
  }
  if (BLANK.test(text)) return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    reading.problem("invalidJson", where, "invalid JSON");
    return;
  }
  reading.take(value, where);
}

/** NDJSON: one value per line. A text of one line that is not JSON is reported as the file's error. */
function takeLines(reading: FileReading, text: string, wholeError: unknown): void {
  const firstBreak = text.trim().indexOf("\n");
  if (firstBreak < 0) {
    const reason = wholeError instanceof Error ? wholeError.message : String(wholeError);
    reading.problem("invalidJson", [], "invalid JSON", reason);
    return;
  }
  let [start, lineNumber] = [0, 0];
  while (start <= text.length) {
    const end = text.indexOf("\n", start);
    const stop = end < 0 ? text.length : end;
    takeText(reading, text.slice(start, stop), [`line ${++lineNumber}`]);
    start = stop + 1;
  }
}

/**
 * The records {@link scanByMarkers} picked, parsed, or null when one of them is not JSON: then
 * the exact scan decides (the marker scan trusts the file to be valid JSON).
 */
function parseCandidates(bytes: Buffer, scan: RecordsScan): unknown[] | null {
  const values: unknown[] = [];
  for (let k = 0; k < scan.candidates.length; k += 3) {
    try {
      values.push(JSON.parse(bytes.toString("utf8", scan.candidates[k + 1], scan.candidates[k + 2])));
    } catch {
      return null;
    }
  }
  return values;
}

/** Reads a file's whole text (already in memory). */
export function readBytes(reading: FileReading, bytes: Buffer): void {
  const marked = scanByMarkers(bytes, reading.tamperNames);
  const values = marked && parseCandidates(bytes, marked);
  if (marked && values) {
    reading.countUnparsed(marked.count - values.length);
    values.forEach((value, k) => {
      reading.take(value, [`record ${(marked.candidates[k * 3] as number) + 1}`]);
    });
    return;
  }
  const latin1 = bytes.toString("latin1"); // one char per byte: scan offsets are byte offsets
  if (BLANK.test(latin1)) {
    reading.fail("empty", null);
    return;
  }
  const scan = scanRecordsFile(latin1, reading.tamperNames);
  if (scan) {
    reading.countUnparsed(scan.count - scan.candidates.length / 3);
    for (let k = 0; k < scan.candidates.length; k += 3) {
      const [i, start, end] = scan.candidates.slice(k, k + 3) as [number, number, number];
      takeText(reading, bytes.toString("utf8", start, end), [`record ${i + 1}`]);
    }
    return;
  }
  const text = bytes.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    takeLines(reading, text, error);
    return;
  }
  reading.take(value);
}

/** Reads `task`'s file from what {@link loadFile} gave. */
export async function readLoaded(reading: FileReading, loaded: Loaded, config: ProcessorConfig): Promise<void> {
  if (loaded.kind === "error") reading.fail("unreadable", loaded.reason);
  else if (loaded.kind === "bytes") {
    readBytes(reading, loaded.bytes);
    // Every record read is a string or a value by now: the file's memory can go (see releaseBytes).
    releaseBytes(loaded.bytes);
  } else await readLarge(reading, loaded.gzip, config);
}

/** A file too large for one string: NDJSON, line by line. */
async function readLarge(reading: FileReading, gzip: boolean, config: ProcessorConfig): Promise<void> {
  const file = path.resolve(config.cwd, reading.report.path);
  await forEachLine(file, gzip, config.maxTextBytes, (line, n) => takeText(reading, line, [`line ${n}`]));
}

/**
 * Reads files one after another, in the order given, while the next ones load (read, then
 * gunzip off this thread: load.ts). Results go to `send` as each unit and each file completes.
 */
export function createProcessor(config: ProcessorConfig, send: (message: ProcessorMessage) => void) {
  const queue: Array<{ task: FileTask; loading: Promise<Loaded> }> = [];
  let running = false;
  async function run(): Promise<void> {
    running = true;
    for (let next = queue.shift(); next; next = queue.shift()) {
      const reading = new FileReading(next.task, config, send);
      try {
        await readLoaded(reading, await next.loading, config);
      } catch (error) {
        reading.fail("unreadable", error instanceof Error ? error.message : String(error));
      }
      reading.finish();
    }
    running = false;
  }
  return {
    enqueue(task: FileTask): void {
      queue.push({ task, loading: loadFile(path.resolve(config.cwd, task.path), config.maxTextBytes) });
      if (!running) void run();
    },
  };
}
