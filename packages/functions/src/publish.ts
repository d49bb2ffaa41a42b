/**
 * Sends planned alert messages to SNS. A message SNS rejects as invalid is replaced by its
 * minimal safe version; any message that still cannot be published makes the whole call
 * fail (after the others were tried), so Lambda retries the event and finally parks it on
 * the failure queue. A duplicate email after a retry is acceptable; a lost alert is not.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import { PublishCommand, type PublishCommandInput, type SNSClient } from "@aws-sdk/client-sns";
import type { PlannedMessage } from "@secretwatch/core";

/** SDK attempts per SNS call (the default is 3): set explicitly, shared with the CLI. */
export const SNS_MAX_ATTEMPTS = 5;

/** The SNS client surface we use (a real `SNSClient`, or a stand-in in tests and demos). */
export type SnsSender = Pick<SNSClient, "send">;

/** Some alerts could not be published; `cause` holds the last error. */
export class PublishError extends Error {
  override name = "PublishError";
  constructor(
    message: string,
    readonly failed: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface PublishReport {
  published: number;
  /** Messages that SNS rejected as invalid and were replaced by their minimal version. */
  fallbacks: number;
  /** Messages an earlier delivery of the same events already sent (not sent again). */
  alreadySent: number;
  /** Messages sent without the delivery guard because its store could not be used (a duplicate is possible). */
  unguarded: number;
}

/** Error names SNS returns when a message itself is invalid (a retry would fail again). */
const INVALID_MESSAGE_ERRORS = new Set([
  "InvalidParameterException",
  "InvalidParameterValueException",
  "ValidationException",
  "InvalidParameter",
  "InvalidParameterValue",
]);

/** True when SNS rejected the message's content: a non-retryable 4xx of the "invalid" family. */
export function isInvalidMessageError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return INVALID_MESSAGE_ERRORS.has(error.name) && (status === undefined || (status >= 400 && status < 500));
}

/** The exact `PublishCommand` input for a planned message (or its fallback). */
export function publishInput(topicArn: string, message: Omit<PlannedMessage, "kind" | "eventIDs" | "fallback">) {
  const input: PublishCommandInput = { TopicArn: topicArn, Subject: message.subject, Message: message.message };
  if (Object.keys(message.attributes).length > 0) input.MessageAttributes = message.attributes;
  return input;
}

export interface PublishHooks {
  onFallback?(message: PlannedMessage, error: unknown): void;
  onFailure?(message: PlannedMessage, error: unknown): void;
  /** The delivery guard's store failed: the message is sent anyway (never lost; maybe twice). */
  onGuardFailure?(message: PlannedMessage, error: unknown): void;
}

/** Exactly-once per message (delivery.ts); without one every message is sent. */
export interface GuardedSend {
  once(key: string, send: () => Promise<void>): Promise<"sent" | "already-sent">;
}

/** The guard's own refusal to run (another invocation is sending it): not a store failure to fail open on. */
const isInProgress = (error: unknown) => error instanceof Error && error.name === "DeliveryInProgressError";

/**
 * Publishes every message in order. Throws {@link PublishError} if any could not be sent,
 * after trying all of them.
 */
export async function publishAll(
  sns: SnsSender,
  topicArn: string,
  messages: readonly PlannedMessage[],
  hooks: PublishHooks = {},
  guard?: { keyOf(message: PlannedMessage): string; once: GuardedSend["once"] },
): Promise<PublishReport> {
  const report: PublishReport = { published: 0, fallbacks: 0, alreadySent: 0, unguarded: 0 };
  let failed = 0;
  let lastError: unknown;
  for (const message of messages) {
    // No closure per message: SST builds with keepNames, and naming a function made per message costs an allocation.
    try {
      if (!guard) {
        await sendWithFallback(sns, topicArn, message, report, hooks);
        report.published++;
        continue;
      }
      let [attempted, succeeded] = [false, false];
      let outcome: "sent" | "already-sent";
      try {
        outcome = await guard.once(guard.keyOf(message), async () => {
          attempted = true;
          await sendWithFallback(sns, topicArn, message, report, hooks);
          succeeded = true;
        });
      } catch (error) {
        if (succeeded) {
          // SNS took it, the guard could not record it: sent (a redelivery may send it again).
          hooks.onGuardFailure?.(message, error);
          report.unguarded++;
          report.published++;
          continue;
        }
        // SNS failed inside the guard, or another invocation holds the message: a real failure.
        if (attempted || isInProgress(error)) throw error;
        // The guard's store failed before sending: send anyway, a duplicate is better than a loss.
        hooks.onGuardFailure?.(message, error);
        await sendWithFallback(sns, topicArn, message, report, hooks);
        report.unguarded++;
        outcome = "sent";
      }
      if (outcome === "sent") report.published++;
      else report.alreadySent++;
    } catch (error) {
      failed++;
      lastError = error;
      hooks.onFailure?.(message, error);
    }
  }
  if (failed > 0) {
    throw new PublishError(`${failed} of ${messages.length} alert messages could not be published`, failed, {
      cause: lastError,
    });
  }
  return report;
}

async function sendWithFallback(
  sns: SnsSender,
  topicArn: string,
  message: PlannedMessage,
  report: PublishReport,
  hooks: PublishHooks,
): Promise<void> {
  try {
    await sns.send(new PublishCommand(publishInput(topicArn, message)));
  } catch (error) {
    if (!isInvalidMessageError(error)) throw error;
    hooks.onFallback?.(message, error);
    await sns.send(new PublishCommand(publishInput(topicArn, message.fallback)));
    report.fallbacks++;
  }
}
