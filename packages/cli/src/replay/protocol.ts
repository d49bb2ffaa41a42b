/**
 * What the replay main thread and its file processors (worker threads, or the same code
 * inline) send each other. Everything here survives structured clone.
 */
import type { CloudTrailRecord, SecretAccess } from "@secretwatch/core";
import type { FilterSpec } from "./filters.js";
import type { TamperSettings } from "./tamper.js";

/** Settings every file processor gets once. */
export interface ProcessorConfig {
  /** Directory relative input paths are resolved against. */
  cwd: string;
  /**
   * Enrichment clock (epoch ms) for the delivery lag, or null: an archive replayed later has no
   * meaningful lag; re-sending (`--publish`) does, as the Lambda's alert would.
   */
  now: number | null;
  filters: FilterSpec;
  /** Files whose (decompressed) text is larger are read line by line as NDJSON. */
  maxTextBytes: number;
  /** The stage's tamper scope; absent or null: tamper records are not kept. */
  tamper?: TamperSettings | null;
}

/** One file to read, numbered in input order. */
export interface FileTask {
  index: number;
  path: string;
}

/** One delivery unit's hits: the file's loose records, or one subscription event / failure record in it. */
export interface UnitResult {
  index: number;
  /** Where in the file, e.g. `line 3 > failure-queue record > subscription event`; null for the file's own records. */
  part: string | null;
  /** Retrievals after de-duplication (by event ID, within the unit) and filters, in file order. */
  hits: SecretAccess[];
  /** Retrievals found, duplicates dropped, before filters. */
  found: number;
  duplicates: number;
  /** The stage's tamper records after filters, in file order (planned on the main thread); absent: none. */
  tamper?: CloudTrailRecord[];
}

/** What happened to one file, sent after its last unit. */
export interface FileReport {
  index: number;
  path: string;
  /** `unreadable` when the bytes could not be read or gunzipped; `empty` for a file with no text. */
  status: "read" | "unreadable" | "empty";
  /** Why the file was unreadable. */
  error: string | null;
  /** The file held a form replay understands: an S3 `Records` array, a record, a payload, a failure record. */
  usable: boolean;
  /** CloudTrail records seen (see the fast path in scan.ts for how S3 log files count). */
  records: number;
  /** Subscription payloads decoded (each its own delivery unit). */
  payloads: number;
  invalidJson: number;
  notCloudTrail: number;
  /** Subscription events or messages whose content could not be decoded. */
  badPayloads: number;
  /** CloudTrail digest files: valid CloudTrail output that holds no records. */
  digests: number;
  /** The first few problems, e.g. `line 7: invalid JSON`. */
  notes: string[];
}

export type ProcessorMessage = { type: "unit"; unit: UnitResult } | { type: "done"; report: FileReport };
