import { gzipSync } from "node:zlib";
import type { CloudWatchLogsEvent } from "aws-lambda";

export interface LogsPayloadOptions {
  messageType?: string;
  logGroup?: string;
  logStream?: string;
}

/** Builds the decoded CloudWatch Logs subscription payload for raw messages. */
export function logsPayload(messages: readonly string[], options: LogsPayloadOptions = {}) {
  return {
    messageType: options.messageType ?? "DATA_MESSAGE",
    owner: "123456789012",
    logGroup: options.logGroup ?? "/secretwatch/test/cloudtrail",
    logStream: options.logStream ?? "123456789012_CloudTrail_us-east-1",
    subscriptionFilters: ["secretwatch-test-enricher"],
    logEvents: messages.map((message, i) => ({
      id: `3${String(i).padStart(55, "0")}`,
      timestamp: 1722429412000 + i,
      message,
    })),
  };
}

/** The event CloudWatch Logs sends a subscribed Lambda: base64 of the gzipped payload. */
export function subscriptionEvent(messages: readonly string[], options: LogsPayloadOptions = {}): CloudWatchLogsEvent {
  const data = gzipSync(Buffer.from(JSON.stringify(logsPayload(messages, options)))).toString("base64");
  return { awslogs: { data } };
}

/** A subscription event holding CloudTrail records, one per log event. */
export function recordsEvent(records: readonly object[], options: LogsPayloadOptions = {}): CloudWatchLogsEvent {
  return subscriptionEvent(
    records.map((r) => JSON.stringify(r)),
    options,
  );
}
