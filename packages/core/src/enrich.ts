/**
 * Turns one secret-value retrieval record into a {@link SecretAccess}: which secret, who,
 * from where, with what client, and whether it worked. Strings stay raw (formatting sanitises
 * them); a field of the wrong type becomes `null`.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import { isJsonObject, stringOrNull } from "./decode.js";
import { GET_SECRET_VALUE, SECRET_VALUE_EVENTS } from "./events.js";
import { identityOf } from "./identity.js";
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
/** CloudTrail writes `eventTime` as ISO 8601 UTC; `Date.parse` alone accepts far looser text. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
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
  if (now === null || eventTime === null || !ISO_TIME.test(eventTime)) return null;
  const lag = now.getTime() - Date.parse(eventTime);
  return Number.isFinite(lag) ? Math.floor(lag / 1000) : null;
}

/**
 * Link to the event in CloudTrail event history. Every piece is URL-encoded; a region that is
 * not a plausible host label goes only into the query, so it can never change the host.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-console.html
 */
export function consoleEventUrl(region: string, eventID: string): string {
  const query = encodeURIComponent(region);
  const host = REGION_HOST_LABEL.test(region) ? `${region}.console.aws.amazon.com` : "console.aws.amazon.com";
  return `https://${host}/cloudtrailv2/home?region=${query}#/events/${encodeURIComponent(eventID)}`;
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
  const eventName = SECRET_VALUE_EVENTS.find((name) => name === record.eventName);
  if (!isSecretValueRetrieval(record) || eventName === undefined) {
    throw new TypeError("enrichRecord needs a Secrets Manager secret-value retrieval record");
  }
  const params = isJsonObject(record.requestParameters) ? record.requestParameters : {};
  const isSingle = eventName === GET_SECRET_VALUE;
  const identity = identityOf(record);
  const source = sourceOf(record);
  const userAgent = stringOrNull(record.userAgent);
  const errorCode = stringOrNull(record.errorCode);
  const eventID = stringOrNull(record.eventID) ?? "";
  const eventTime = stringOrNull(record.eventTime);
  const region = stringOrNull(record.awsRegion);
  return {
    eventID,
    eventTime,
    eventName,
    ...(isSingle ? secretFields(record, params) : NO_SECRET),
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
  };
}
