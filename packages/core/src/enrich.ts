/**
 * Turns one secret-value retrieval record into a {@link SecretAccess}: which secret, who,
 * from where, with what client, and whether it worked. Strings stay raw (formatting sanitises
 * them); a field of the wrong type becomes `null`. A record with no usable `eventID` or
 * `eventTime` is still a read: `notes` says what was odd about it.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import { eventMillis } from "./assess.js";
import { bareIdentity, faultName, rawText } from "./bare.js";
import { isJsonObject, stringOrNull } from "./decode.js";
import { isPlainEventId } from "./event-id.js";
import { GET_SECRET_VALUE, secretValueEventName } from "./events.js";
import { identityOf } from "./identity.js";
import { wellFormed } from "./sanitize.js";
import { batchDetails, canonicalSecretKey, secretArnFromResources } from "./secret.js";
import { isSecretValueRetrieval } from "./select.js";
import { sourceOf } from "./source.js";
import type { CloudTrailRecord, Outcome, SecretAccess } from "./types.js";
import { parseUserAgent } from "./useragent.js";

export interface EnrichContext {
  /** The time of enrichment, for the delivery lag; null when the lag is not known (replay of archives). */
  now: Date | null;
}

const DENIED_CODES = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "Client.UnauthorizedOperation",
]);
const DENIED_PATTERN = /AccessDenied|Unauthorized|NotAuthorized/i;
/** CloudTrail's own `eventTime` form (ISO 8601 UTC, milliseconds optional): kept as written. */
const CLOUDTRAIL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
/** Region names go into the console host name only when they look like one. */
const REGION_HOST_LABEL = /^[a-z0-9-]{1,63}$/;

/**
 * `success` without an error code, `denied` for authorisation failures, `error` otherwise.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html#API_GetSecretValue_Errors
 */
export function outcomeOf(errorCode: string | null): Outcome {
  if (errorCode === null || errorCode === "") return "success";
  if (DENIED_CODES.has(errorCode) || DENIED_PATTERN.test(errorCode)) return "denied";
  return "error";
}

/** Whole seconds from `eventTime` to `now`; null when either is unusable or unknown. */
function lagSeconds(eventTime: string | null, now: Date | null): number | null {
  const time = eventMillis(eventTime);
  if (now === null || time === null) return null;
  const lag = now.getTime() - time;
  return Number.isFinite(lag) ? Math.floor(lag / 1000) : null;
}

/** `the number 1729201725`, `an object`: what a field held instead of text, in a few words. */
function heldInstead(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return `the ${typeof value} ${String(value)}`;
  return Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The note for a field that is missing, empty or not text. */
function missingNote(field: "eventID" | "eventTime", value: unknown): string {
  if (value === undefined || value === null || value === "") return `the record has no ${field}`;
  return `${field} was written as ${heldInstead(value)}, not as text: treated as missing`;
}

/** `eventID` as written, or "" with a note when it is missing or not text. */
function eventIdOf(value: unknown, notes: string[]): string {
  if (typeof value === "string" && value !== "") return value;
  notes.push(missingNote("eventID", value));
  return "";
}

/**
 * `eventTime` as ISO 8601 UTC. CloudTrail's own form stays as written; any other form
 * {@link eventMillis} reads (`2024-10-17 21:48:45.000000000`, an offset, nanoseconds) becomes
 * `2024-10-17T21:48:45.000Z`, with a note of how it was written. Text that is not a time is
 * kept as written (with a note); a missing or non-text value is null (with a note).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
function eventTimeOf(value: unknown, notes: string[]): string | null {
  if (typeof value !== "string" || value === "") {
    notes.push(missingNote("eventTime", value));
    return null;
  }
  const ms = eventMillis(value);
  if (ms === null) {
    notes.push("eventTime is not a time secretwatch can read: kept as written");
    return value;
  }
  if (CLOUDTRAIL_TIME.test(value)) return value;
  notes.push(`eventTime was written as ${value.trim() === value ? value : JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

/** The link up to the event ID, per Region seen (a batch comes from one or a few). */
const consoleStarts = new Map<string, string>();
/** The Region {@link consoleEventUrl} last made a link for, and that link's start. */
let lastRegion: string | null = null;
let lastStart: string | undefined;

/**
 * Link to the event in CloudTrail event history. Every piece is URL-encoded; a region that is
 * not a plausible host label goes only into the query, so it can never change the host.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-console.html
 */
export function consoleEventUrl(region: string, eventID: string): string {
  // A payload's reads come from one Region: the last one's start, by one comparison.
  let start = region === lastRegion ? lastStart : consoleStarts.get(region);
  if (start === undefined) {
    const query = urlComponent(region);
    const host = REGION_HOST_LABEL.test(region) ? `${region}.console.aws.amazon.com` : "console.aws.amazon.com";
    start = `https://${host}/cloudtrailv2/home?region=${query}#/events/`;
    if (consoleStarts.size >= 256) consoleStarts.clear();
    consoleStarts.set(region, start);
  }
  lastRegion = region;
  lastStart = start;
  // CloudTrail's event IDs are UUIDs: letters, digits and `-`, which encodeURIComponent keeps as they are.
  return start + (isPlainEventId(eventID) ? eventID : urlComponent(eventID));
}

/**
 * `encodeURIComponent` of any text: a lone surrogate (which makes it throw a URIError) is
 * encoded as U+FFFD, so a record's odd ID or Region can never stop its alert.
 */
function urlComponent(text: string): string {
  return encodeURIComponent(wellFormed(text));
}

type SecretFields = Pick<SecretAccess, "secretId" | "secretArn" | "requestedSecretId" | "versionId" | "versionStage">;

/** The secret a GetSecretValue named, by its canonical key; falls back to `resources[]`. */
function secretFields(record: CloudTrailRecord, params: Record<string, unknown>): SecretFields {
  const requestedSecretId = stringOrNull(params.secretId);
  const resourceArn = secretArnFromResources(record.resources);
  const requested = requestedSecretId ?? resourceArn;
  const canonical = requested === null ? null : canonicalSecretKey(requested);
  return {
    secretId: canonical?.key ?? null,
    secretArn: canonical?.arn ?? resourceArn,
    requestedSecretId,
    versionId: stringOrNull(params.versionId),
    versionStage: stringOrNull(params.versionStage),
  };
}

const NO_SECRET: SecretFields = {
  secretId: null,
  secretArn: null,
  requestedSecretId: null,
  versionId: null,
  versionStage: null,
};

/**
 * Enriches a `GetSecretValue` or `BatchGetSecretValue` record. Throws a `TypeError` for any
 * other record (a caller bug: select first).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function enrichRecord(record: CloudTrailRecord, ctx: EnrichContext): SecretAccess {
  const eventName = secretValueEventName(record.eventName);
  if (!isSecretValueRetrieval(record) || eventName === undefined) {
    throw new TypeError("enrichRecord needs a Secrets Manager secret-value retrieval record");
  }
  const params = isJsonObject(record.requestParameters) ? record.requestParameters : {};
  const isSingle = eventName === GET_SECRET_VALUE;
  const identity = identityOf(record);
  const source = sourceOf(record);
  const userAgent = stringOrNull(record.userAgent);
  const errorCode = stringOrNull(record.errorCode);
  const notes: string[] = [];
  const eventID = eventIdOf(record.eventID, notes);
  const eventTime = eventTimeOf(record.eventTime, notes);
  const region = stringOrNull(record.awsRegion);
  const secret = isSingle ? secretFields(record, params) : NO_SECRET;
  // One object literal, the fields in their documented order (no spread: it is made for every read).
  return {
    eventID,
    eventTime,
    eventName,
    secretId: secret.secretId,
    secretArn: secret.secretArn,
    requestedSecretId: secret.requestedSecretId,
    versionId: secret.versionId,
    versionStage: secret.versionStage,
    batch: isSingle ? null : batchDetails(params),
    outcome: outcomeOf(errorCode),
    errorCode: errorCode === "" ? null : errorCode,
    errorMessage: stringOrNull(record.errorMessage),
    principalArn: identity.principalArn,
    identityType: identity.type,
    identity,
    sourceIPAddress: source.raw,
    source,
    userAgent,
    client: parseUserAgent(userAgent),
    region,
    recipientAccountId: stringOrNull(record.recipientAccountId),
    requestID: stringOrNull(record.requestID),
    deliveryLagSeconds: lagSeconds(eventTime, ctx.now),
    consoleUrl: region && eventID ? consoleEventUrl(region, eventID) : null,
    notes,
  };
}

/**
 * {@link enrichRecord} that never throws for a secret-value retrieval: a record it fails on (a
 * fault secretwatch has not met yet; the fuzz tests look for them) becomes a bare read, so it is
 * still alerted (`unreadable-record`, high, never lowered or suppressed) and the other records of
 * the payload or file go on as usual. The bare read holds the record's own texts, uninterpreted
 * (no identity, source or client parsing): the code that failed is not run again. `enrich` is the
 * enrichment to run (tests pass one that fails).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function enrichOrBare(
  record: CloudTrailRecord,
  ctx: EnrichContext,
  enrich: (record: CloudTrailRecord, ctx: EnrichContext) => SecretAccess = enrichRecord,
): SecretAccess {
  try {
    return enrich(record, ctx);
  } catch (error) {
    return bareAccess(record, error);
  }
}

function bareAccess(record: CloudTrailRecord, error: unknown): SecretAccess {
  const name = faultName(error);
  const eventTime = rawText(record.eventTime);
  const params = isJsonObject(record.requestParameters) ? record.requestParameters : {};
  const errorCode = rawText(record.errorCode);
  const identity = bareIdentity(record);
  const sourceIPAddress = rawText(record.sourceIPAddress);
  const userAgent = rawText(record.userAgent);
  return {
    eventID: rawText(record.eventID) ?? "",
    eventTime: eventTime !== null && CLOUDTRAIL_TIME.test(eventTime) ? eventTime : null,
    eventName: secretValueEventName(record.eventName) ?? GET_SECRET_VALUE,
    // As requested, not made canonical: a decoy or sensitive pattern still sees the name asked for.
    secretId: rawText(params.secretId),
    secretArn: null,
    requestedSecretId: rawText(params.secretId),
    versionId: null,
    versionStage: null,
    batch: null,
    outcome: outcomeOf(errorCode),
    errorCode: errorCode || null,
    errorMessage: rawText(record.errorMessage),
    principalArn: identity.principalArn,
    identityType: identity.type,
    identity,
    sourceIPAddress,
    source: {
      raw: sourceIPAddress,
      kind: "unknown",
      ip: null,
      ipVersion: null,
      range: null,
      service: null,
      vpcEndpointId: null,
      vpcEndpointAccountId: null,
    },
    userAgent,
    client: { family: "unknown", name: "Unknown client", version: null, detail: null, raw: userAgent },
    region: rawText(record.awsRegion),
    recipientAccountId: rawText(record.recipientAccountId),
    requestID: rawText(record.requestID),
    deliveryLagSeconds: null,
    consoleUrl: null,
    notes: [`secretwatch could not read this record (${name}); it is reported with its own texts only`],
    unreadable: name,
  };
}
