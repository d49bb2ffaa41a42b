/**
 * Decodes a CloudWatch Logs subscription payload (base64 → gzip → JSON) into CloudTrail
 * records. Only a wholly unusable envelope throws; one bad message never hides the others.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 */
import { isAscii } from "node:buffer";
import { gunzipSync } from "node:zlib";
import type { CloudTrailRecord } from "./types.js";

/**
 * The subscription envelope as a whole cannot be used; `cause` holds the underlying error.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 */
export class DecodeError extends Error {
  override name = "DecodeError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface DecodedLogEvent {
  id: string;
  timestamp: number;
  record: CloudTrailRecord;
}

export interface MalformedMessage {
  id: string;
  reason: "invalid-json" | "not-cloudtrail";
  /** The first 64 characters of the message, non-printable-ASCII replaced by `?` (safe to log). */
  prefix: string;
}

export interface DecodedPayload {
  messageType: string;
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  events: DecodedLogEvent[];
  malformed: MalformedMessage[];
}

/** A health probe CloudWatch Logs sends to check the destination; it holds no records. */
const CONTROL_MESSAGE = "CONTROL_MESSAGE";
/** Far above any real batch (events are at most 256 KB each); stops a gzip bomb. */
const MAX_UNZIPPED_BYTES = 64 * 1024 * 1024;
const PREFIX_LENGTH = 64;

/**
 * A JSON-style object: not null, not an array, not a class instance.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The value when it is a string, else `null`: every record field is untrusted.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/**
 * True for a plain object with string `eventSource` and `eventName`: all that selecting a
 * record needs. Nothing else is checked, so no record is dropped for a quirk elsewhere: a
 * missing or non-string `eventID` or `eventTime` is noted at enrichment, not rejected here.
 * Read every other field as untrusted (`stringOrNull`).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function isCloudTrailRecord(value: unknown): value is CloudTrailRecord {
  return isJsonObject(value) && typeof value.eventSource === "string" && typeof value.eventName === "string";
}

/**
 * Parses one log event's `message`: a CloudTrail record as JSON text, possibly truncated.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html
 */
export function parseRecordMessage(
  message: string,
): { record: CloudTrailRecord } | { reason: MalformedMessage["reason"] } {
  if (typeof message !== "string") return { reason: "not-cloudtrail" };
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return { reason: "invalid-json" };
  }
  return isCloudTrailRecord(value) ? { record: value } : { reason: "not-cloudtrail" };
}

/** First characters of `text` with anything outside printable ASCII replaced by `?`. */
function safePrefix(text: string): string {
  let out = "";
  for (const ch of text) {
    if (out.length >= PREFIX_LENGTH) break;
    out += /^[\x20-\x7E]$/.test(ch) ? ch : "?";
  }
  return out;
}

/** Short text for a value that is not a string message, for the log line. */
function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

function decodeLogEvent(entry: unknown): DecodedLogEvent | MalformedMessage {
  const fields = isJsonObject(entry) ? entry : {};
  const rawId = fields.id;
  const id = typeof rawId === "string" ? rawId : typeof rawId === "number" ? String(rawId) : "";
  const message = fields.message;
  if (!isJsonObject(entry) || typeof message !== "string") {
    return { id, reason: "not-cloudtrail", prefix: safePrefix(describe(isJsonObject(entry) ? message : entry)) };
  }
  const parsed = parseRecordMessage(message);
  if ("reason" in parsed) return { id, reason: parsed.reason, prefix: safePrefix(message) };
  const timestamp = typeof fields.timestamp === "number" && Number.isFinite(fields.timestamp) ? fields.timestamp : 0;
  return { id, timestamp, record: parsed.record };
}

/**
 * Splits an already-decoded subscription payload into CloudTrail records and malformed
 * messages. A `CONTROL_MESSAGE` yields neither. Throws {@link DecodeError} when the payload
 * is not an object, has no `messageType`, or (for data messages) no `logEvents` array.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 */
export function decodeLogsPayload(payload: unknown): DecodedPayload {
  if (!isJsonObject(payload)) throw new DecodeError("The subscription payload is not a JSON object");
  const messageType = payload.messageType;
  if (typeof messageType !== "string" || messageType === "") {
    throw new DecodeError("The subscription payload has no messageType");
  }
  const filters = Array.isArray(payload.subscriptionFilters) ? payload.subscriptionFilters : [];
  const decoded: DecodedPayload = {
    messageType,
    owner: stringOrNull(payload.owner) ?? "",
    logGroup: stringOrNull(payload.logGroup) ?? "",
    logStream: stringOrNull(payload.logStream) ?? "",
    subscriptionFilters: filters.filter((f): f is string => typeof f === "string"),
    events: [],
    malformed: [],
  };
  if (messageType === CONTROL_MESSAGE) return decoded;
  if (!Array.isArray(payload.logEvents)) {
    throw new DecodeError(`The ${messageType} payload has no logEvents array`);
  }
  for (const entry of payload.logEvents as unknown[]) {
    const result = decodeLogEvent(entry);
    if ("record" in result) decoded.events.push(result);
    else decoded.malformed.push(result);
  }
  return decoded;
}

/**
 * UTF-8 text of `bytes`. Bytes that are all ASCII (CloudTrail's JSON almost always is) read the
 * same in UTF-8 and Latin-1, and Latin-1 decoding is a plain copy: several times faster than
 * UTF-8's validating decoder on a megabyte. Anything else is decoded as UTF-8.
 * @see https://nodejs.org/api/buffer.html#bufferisasciiinput
 */
function textOf(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/**
 * Whether `Buffer.from(data, "base64")` used every character of `data`: it skips any character
 * outside the alphabet (white space, `!`, a line break…) and stops at padding, and each skipped
 * one leaves the bytes shorter than a text of this length and padding decodes to. Checking the
 * length is what re-encoding and comparing checked, without making a second copy of the
 * payload; only the URL-safe spelling of the same bytes (`-` and `_`) now passes too.
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-4
 * @see https://nodejs.org/api/buffer.html#buffers-and-character-encodings
 */
function decodedWhole(data: string, bytes: Buffer): boolean {
  if (data.length % 4 !== 0) return false;
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return bytes.length === (data.length / 4) * 3 - padding;
}

/** Output buffer bounds for gunzip: zlib's minimum chunk is far below the first; the second caps what a size field can ask for. */
const [MIN_CHUNK, MAX_CHUNK] = [64 << 10, 8 << 20];

/**
 * The output chunk for gunzipping `zipped`: one byte more than the uncompressed size its gzip
 * trailer records (ISIZE, the last four bytes, little-endian), within bounds. With one chunk that
 * holds all of it, zlib inflates in one call and returns that buffer, instead of its default of
 * 16 KiB chunks and a copy of them all into one (about a third of the time on a megabyte). The
 * byte more: Node's zlib allocates a further chunk whenever one ends exactly full, a second
 * buffer the size of the output that is never used and counts against the heap's external
 * memory (replay over the benchmark corpus ran a tenth faster without it). The field is
 * only a size hint: a wrong one costs more chunks or a larger buffer, never a wrong result
 * (`maxOutputLength` still bounds the output).
 * @see https://www.rfc-editor.org/rfc/rfc1952#section-2.3.1
 * @see https://nodejs.org/api/zlib.html#class-options
 */
export function gunzipChunkSize(zipped: Uint8Array): number {
  const n = zipped.length;
  if (n < 18) return MIN_CHUNK; // smaller than a gzip header and trailer
  const isize = (zipped[n - 4]! | (zipped[n - 3]! << 8) | (zipped[n - 2]! << 16) | (zipped[n - 1]! << 24)) >>> 0;
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, isize + 1));
}

/**
 * Decodes `awslogs.data` of a subscription event: base64, then gzip, then JSON, then
 * {@link decodeLogsPayload}. Throws {@link DecodeError} (with `cause`) at the first step that fails.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html
 */
export function decodeSubscriptionData(data: string): DecodedPayload {
  const zipped = typeof data === "string" && data.length > 0 ? Buffer.from(data, "base64") : null;
  if (zipped === null || !decodedWhole(data, zipped)) {
    throw new DecodeError("The subscription data is not base64 text");
  }
  let text: string;
  try {
    text = textOf(gunzipSync(zipped, { maxOutputLength: MAX_UNZIPPED_BYTES, chunkSize: gunzipChunkSize(zipped) }));
  } catch (cause) {
    throw new DecodeError("The subscription data is not valid gzip", { cause });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (cause) {
    throw new DecodeError("The unzipped subscription data is not JSON", { cause });
  }
  return decodeLogsPayload(payload);
}
