/**
 * Records back from the log files Athena named: each `"$path"` object is read from S3 and
 * through replay's own reader (replay/process.ts `readBytes`, the same decode, select, enrich
 * and filters, and the stage's tamper events), and of its hits only the event IDs the query found are kept. So every field
 * is the record's own, whatever Athena's table declares or how it renders a struct (a session
 * name with `=` and `,` in it comes back as written).
 * @see https://docs.aws.amazon.com/athena/latest/ug/querying-cloudtrail-logs.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
import { gunzipSync } from "node:zlib";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { CloudTrailRecord, SecretAccess } from "@secretwatch/core";
import { describeError, UserError } from "../errors.js";
import { EXIT } from "../exit-codes.js";
import type { FilterSpec } from "../replay/filters.js";
import { isGzip } from "../replay/load.js";
import { readBytes } from "../replay/process.js";
import type { FileReport, UnitResult } from "../replay/protocol.js";
import { FileReading } from "../replay/reading.js";
import type { TamperSettings } from "../replay/tamper.js";
import type { FoundEvent } from "./athena.js";

/** Objects read at once. */
const CONCURRENCY = 8;
/** A CloudTrail log file is a few MB at most; refuse to hold more. */
const MAX_OBJECT_BYTES = 256 * 1024 * 1024;

/** One log file's found reads: its delivery unit as replay forms it, kept to the event IDs Athena found. */
export interface ReadLogFile {
  /** `s3://bucket/key`, as Athena's `"$path"` gives it. */
  path: string;
  units: UnitResult[];
  report: FileReport;
}

/** `s3://bucket/key` into its parts; throws on anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match?.[1] || !match[2]) throw new UserError(`Athena returned a path that is not an S3 URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}

/** The found event IDs per file, files in key order (null: a found record without an event ID). */
export function groupByFile(rows: readonly FoundEvent[]): Map<string, Set<string | null>> {
  const files = new Map<string, Set<string | null>>();
  for (const row of [...rows].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const ids = files.get(row.path) ?? new Set();
    ids.add(row.eventId);
    files.set(row.path, ids);
  }
  return files;
}

async function download(s3: S3Client, uri: string): Promise<Buffer> {
  const { bucket, key } = parseS3Uri(uri);
  let bytes: Uint8Array;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) throw new Error("empty response body");
    bytes = await object.Body.transformToByteArray();
  } catch (error) {
    const code = error instanceof Error && /AccessDenied|KMS/i.test(error.name) ? EXIT.aws : EXIT.findings;
    const hint = code === EXIT.aws ? ": the caller needs s3:GetObject on the archive (and kms:Decrypt on its key)" : "";
    throw new UserError(`cannot read ${uri} (${describeError(error)})${hint}`, code, { cause: error });
  }
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = isGzip(raw) ? gunzipSync(raw, { maxOutputLength: MAX_OBJECT_BYTES }) : raw;
  return text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf ? text.subarray(3) : text;
}

/** Reads one log file as replay would, keeping the hits whose event ID Athena found there. */
export async function readLogFile(
  s3: S3Client,
  index: number,
  path: string,
  ids: ReadonlySet<string | null>,
  filters: FilterSpec,
  tamper: TamperSettings | null = null,
): Promise<ReadLogFile> {
  const bytes = await download(s3, path);
  const units: UnitResult[] = [];
  let report: FileReport | undefined;
  const config = { cwd: "/", now: null, filters, maxTextBytes: MAX_OBJECT_BYTES, tamper };
  const reading = new FileReading({ index, path }, config, (message) => {
    if (message.type === "unit") units.push(message.unit);
    else report = message.report;
  });
  readBytes(reading, bytes);
  reading.finish();
  const kept = (hit: SecretAccess) => ids.has(hit.eventID ? hit.eventID : null);
  const keptRecord = (record: CloudTrailRecord) =>
    ids.has(typeof record.eventID === "string" && record.eventID !== "" ? record.eventID : null);
  return {
    path,
    units: units.map((unit) => ({
      ...unit,
      hits: unit.hits.filter(kept),
      ...(unit.tamper && { tamper: unit.tamper.filter(keptRecord) }),
    })),
    report: report ?? reading.report,
  };
}

/** Reads every file, a few at a time, resolving in key order; `done` is called as each file is read. */
export async function readLogFiles(
  s3: S3Client,
  files: ReadonlyMap<string, ReadonlySet<string | null>>,
  filters: FilterSpec,
  done: () => void = () => {},
  tamper: TamperSettings | null = null,
): Promise<ReadLogFile[]> {
  const entries = [...files.entries()];
  const results: ReadLogFile[] = new Array(entries.length);
  let next = 0;
  async function lane(): Promise<void> {
    for (let i = next++; i < entries.length; i = next++) {
      const [path, ids] = entries[i] as [string, ReadonlySet<string | null>];
      results[i] = await readLogFile(s3, i, path, ids, filters, tamper);
      done();
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, lane));
  return results;
}
