/**
 * Exactly-once per alert and channel: a payload delivered again (a Lambda retry after a partial
 * publish, a duplicate delivery, the same event in another batch) sends only what was not yet
 * sent. Each message is keyed on its channel (topic) and the event IDs it covers, never on its
 * text (which differs between batches); only keys and status are stored, never a message body.
 * Built on Powertools' idempotency utility: a record is INPROGRESS while SNS is called,
 * COMPLETED once SNS accepted the message, deleted when the publish failed (so the retry sends
 * it). The Lambda context is registered, so a timed-out attempt's in-progress record expires
 * with the attempt instead of blocking the retries.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/
 */
import { createHash } from "node:crypto";
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { PlannedMessage } from "@secretwatch/core";
import type { Context } from "aws-lambda";
import { STATE_TTL_ATTRIBUTE } from "./state.js";

/** What a guarded send did. */
export type DeliveryOutcome = "sent" | "already-sent";

/** The port: run `send` for `key` unless it already succeeded; implementations throw when their store is unusable. */
export interface DeliveryGuard {
  /** Called at the start of each invocation (Powertools needs the remaining time). */
  begin?(context: Context | undefined): void;
  once(key: string, send: () => Promise<void>): Promise<DeliveryOutcome>;
}

/** Another invocation is publishing the same message right now: fail, so Lambda retries later (and then finds it sent). */
export class DeliveryInProgressError extends Error {
  override name = "DeliveryInProgressError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A message's delivery key: the channel and the event IDs it covers, sorted. A record without
 * an event ID is keyed by the message text instead (the best identity it has).
 */
export function deliveryKey(channel: string, message: Pick<PlannedMessage, "eventIDs" | "message">): string {
  const ids = [...message.eventIDs].sort();
  const parts = ids.some((id) => id === "") ? [...ids, `text:${message.message}`] : ids;
  return createHash("sha256")
    .update(JSON.stringify([channel, parts]))
    .digest("hex");
}

/** Keys kept 15 days: longer than the failure queue keeps a payload (14 days), so a redrive does not send twice. */
export const DELIVERY_RECORD_SECONDS = 15 * 24 * 60 * 60;

/** Partition key of the delivery records in the state table (they use the sort key for the message key). */
export const DELIVERY_PARTITION = "delivery";

/** Powertools over the state table. */
export function powertoolsDeliveryGuard(client: DynamoDBClient, tableName: string): DeliveryGuard {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: client,
    keyAttr: "pk",
    sortKeyAttr: "sk",
    staticPkValue: DELIVERY_PARTITION,
    expiryAttr: STATE_TTL_ATTRIBUTE,
    inProgressExpiryAttr: "inProgressExpires",
    statusAttr: "status",
    dataAttr: "data",
  });
  const config = new IdempotencyConfig({ expiresAfterSeconds: DELIVERY_RECORD_SECONDS });
  let sent = false;
  const guarded = makeIdempotent(
    async (_key: { key: string }, send: () => Promise<void>) => {
      await send();
      sent = true;
      return { sent: true };
    },
    { persistenceStore, config, dataIndexArgument: 0 },
  );
  return {
    begin(context) {
      if (context) config.registerLambdaContext(context);
    },
    async once(key, send) {
      sent = false;
      try {
        await guarded({ key }, send);
      } catch (error) {
        if (error instanceof IdempotencyAlreadyInProgressError) {
          throw new DeliveryInProgressError("another invocation is sending this alert right now", { cause: error });
        }
        throw error;
      }
      return sent ? "sent" : "already-sent";
    },
  };
}

/** Keys in memory (tests, the CLI): the same contract without a table. */
export function memoryDeliveryGuard(): DeliveryGuard & { keys: Set<string> } {
  const keys = new Set<string>();
  return {
    keys,
    async once(key, send) {
      if (keys.has(key)) return "already-sent";
      await send();
      keys.add(key);
      return "sent";
    },
  };
}
