/**
 * The enricher's failure-queue messages: Lambda on-failure destination records, whose
 * `requestPayload` is the CloudWatch Logs subscription event that failed. Anything else in
 * the queue is reported and left alone.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 */
import {
  decodeSubscriptionData,
  enrichEvents,
  isJsonObject,
  type SecretAccess,
  stringOrNull,
  toSubjectText,
} from "@secretwatch/core";

/** The subscription event the enricher was invoked with. */
export interface SubscriptionEvent {
  awslogs: { data: string };
}

/** A failure-queue message that can be redriven. */
export interface ParkedPayload {
  event: SubscriptionEvent;
  /** When Lambda gave up (`timestamp`), as recorded. */
  timestamp: string | null;
  /** `RetriesExhausted`, `EventAgeExceeded`, ... (sanitised). */
  condition: string;
  /** `errorType: errorMessage` of the last attempt, sanitised and shortened; null if absent. */
  error: string | null;
  records: number;
  hits: SecretAccess[];
}

export type ParsedMessage = { payload: ParkedPayload } | { reason: string };

function errorOf(response: unknown): string | null {
  if (!isJsonObject(response)) return null;
  const type = stringOrNull(response.errorType);
  const message = stringOrNull(response.errorMessage);
  const text = [type, message].filter((s) => s !== null).join(": ");
  return text === "" ? null : toSubjectText(text, 160);
}

/**
 * Reads one message body as a destination record and decodes its subscription payload (to
 * count the records and secret-value retrievals in it). `now` is the enrichment time.
 */
export function parseParkedMessage(body: string | undefined, now: Date): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(body ?? "");
  } catch {
    return { reason: "the body is not JSON" };
  }
  if (!isJsonObject(value) || !isJsonObject(value.requestContext) || !("requestPayload" in value)) {
    return { reason: "not a Lambda destination record (no requestContext and requestPayload)" };
  }
  const request = value.requestPayload;
  const awslogs = isJsonObject(request) ? request.awslogs : undefined;
  const data = isJsonObject(awslogs) ? awslogs.data : undefined;
  if (typeof data !== "string") {
    return { reason: "its requestPayload is not a CloudWatch Logs subscription event (awslogs.data)" };
  }
  let decoded: ReturnType<typeof decodeSubscriptionData>;
  try {
    decoded = decodeSubscriptionData(data);
  } catch (error) {
    return { reason: `its subscription payload cannot be decoded (${(error as Error).message})` };
  }
  return {
    payload: {
      event: { awslogs: { data } },
      timestamp: stringOrNull(value.timestamp),
      condition: toSubjectText(value.requestContext.condition, 40) || "unknown",
      error: errorOf(value.responsePayload),
      records: decoded.events.length,
      hits: enrichEvents(decoded.events, now),
    },
  };
}
