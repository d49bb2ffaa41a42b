/**
 * The digest's counters in the state table: one item per enricher invocation (so concurrent
 * invocations never contend: nothing is read, incremented or overwritten), in the partition of
 * its UTC day, `digest#YYYY-MM-DD`, sorted by `<ISO time>#<request id>`. An hourly digest
 * reads the hour's items from the day's partition (`begins_with(sk, "YYYY-MM-DDTHH")`), so
 * one layout serves both. Items expire 8 days after their day ends (TTL on `expires`, and the
 * reader's own check). They hold counts and names as recorded, never a value or a raw record.
 * A payload delivered again (Lambda delivers an event at least once; a retry or a redrive carries
 * the same data) is counted once: each entry leaves a marker item under the SHA-256 of the
 * payload's data, and an invocation that finds its payload's marker writes no entry.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { type DigestEntry, type DigestPeriod, parseDigestEntry, periodOf } from "@secretwatch/core";
import { STATE_TTL_ATTRIBUTE } from "./state.js";

/** The attribute holding the entry (compact JSON). */
export const DIGEST_ENTRY_ATTRIBUTE = "entry";
/** Days an entry is kept after its day ends: a week of digests can be re-run, and a late one still finds them. */
export const DIGEST_KEEP_DAYS = 8;
/** Query pages read per digest at most (1 MB each): a bound on the function's time, not expected to be reached. */
export const DIGEST_MAX_PAGES = 500;

const DAY_MS = 86_400_000;

/** `digest#2024-05-14`: the partition of the UTC day that contains `ms`. */
export const digestPartition = (ms: number): string => `digest#${periodOf("daily", ms).label}`;

/** `digest-payload#<sha256 hex>`: the marker of a payload whose entry was written. */
export const digestPayloadKey = (payload: string): string => `digest-payload#${payload}`;
/** The marker's sort key (one marker per payload). */
const MARKER_SORT_KEY = "counted";

/** The invocation an entry is recorded for. */
export interface DigestInvocation {
  at?: Date;
  requestId?: string;
  /** A key the same payload always has (the enricher: the SHA-256 of `awslogs.data`); without it, no marker. */
  payload?: string;
}

/**
 * `recorded`; `duplicate`: the payload's marker was there, nothing written; `unmarked`: the entry
 * was written but its marker was not (a later delivery of the payload would be counted again).
 */
export type DigestRecordOutcome = "recorded" | "duplicate" | "unmarked";

/** What the enricher needs: record one invocation's entry. */
export interface DigestRecorder {
  record(entry: DigestEntry, invocation?: DigestInvocation): Promise<DigestRecordOutcome>;
}

/** What the digest function needs: a period's entries. */
export interface DigestSource {
  entries(period: DigestPeriod): Promise<DigestEntries>;
}

export interface DigestEntries {
  entries: DigestEntry[];
  /** Items that were not entries (corrupt or of a later version), skipped. */
  unreadable: number;
  /** False when the page bound stopped the reading. */
  complete: boolean;
}

/** The counters could not be read (the digest function fails, and is retried). */
export class DigestReadError extends Error {
  override name = "DigestReadError";
}

export interface DynamoDigestStoreOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  clock?: () => Date;
}

type Item = Record<string, AttributeValue>;

export class DynamoDigestStore implements DigestRecorder, DigestSource {
  private readonly clock: () => Date;

  constructor(private readonly options: DynamoDigestStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * The entry is one conditional PutItem; its sort key is unique per invocation (time and request
   * ID, or a random ID). With `payload`: first a consistent GetItem of the payload's marker (found: `duplicate`, nothing
   * written), then the entry, then the marker, expiring with the entry. Two deliveries of one payload
   * at the same moment may both count it, as may a crash between the two writes: a payload is
   * counted twice at worst, never lost.
   */
  async record(entry: DigestEntry, invocation: DigestInvocation = {}): Promise<DigestRecordOutcome> {
    const { client, tableName } = this.options;
    const at = (invocation.at ?? this.clock()).getTime();
    const dayEnd = periodOf("daily", at).end;
    const id = invocation.requestId || randomUUID();
    const marker = invocation.payload
      ? { pk: { S: digestPayloadKey(invocation.payload) }, sk: { S: MARKER_SORT_KEY } }
      : null;
    if (marker) {
      const found = await client.send(new GetItemCommand({ TableName: tableName, Key: marker, ConsistentRead: true }));
      if (found.Item) return "duplicate";
    }
    const key = { pk: { S: digestPartition(at) }, sk: { S: `${new Date(at).toISOString()}#${id.slice(0, 64)}` } };
    const expires = { N: String(Math.ceil((dayEnd + DIGEST_KEEP_DAYS * DAY_MS) / 1000)) };
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...key, [DIGEST_ENTRY_ATTRIBUTE]: { S: JSON.stringify(entry) }, [STATE_TTL_ATTRIBUTE]: expires },
        // Never overwrite: a second write with the same key would lose an invocation's counts.
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    if (!marker) return "recorded";
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          // The entry's key, to find what the payload was counted as; the same expiry as the entry.
          Item: { ...marker, entryPk: key.pk, entrySk: key.sk, [STATE_TTL_ATTRIBUTE]: expires },
        }),
      );
      return "recorded";
    } catch {
      return "unmarked";
    }
  }

  /** Every entry of the period (the day's partition, or the hour's items in it), page by page. */
  async entries(period: DigestPeriod): Promise<DigestEntries> {
    const now = this.clock().getTime();
    const out: DigestEntries = { entries: [], unreadable: 0, complete: true };
    let start: Item | undefined;
    for (let page = 0; ; page++) {
      if (page >= DIGEST_MAX_PAGES) return { ...out, complete: false };
      let result: { Items?: Item[]; LastEvaluatedKey?: Item };
      try {
        result = await this.options.client.send(
          new QueryCommand({
            TableName: this.options.tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :period)",
            ExpressionAttributeValues: { ":pk": { S: digestPartition(period.start) }, ":period": { S: period.label } },
            ConsistentRead: true,
            ...(start && { ExclusiveStartKey: start }),
          }),
        );
      } catch (cause) {
        throw new DigestReadError(`the digest counters could not be read: ${(cause as Error)?.name ?? cause}`, {
          cause,
        });
      }
      for (const item of result.Items ?? []) {
        const expires = item[STATE_TTL_ATTRIBUTE]?.N;
        if (expires !== undefined && Number(expires) * 1000 < now) continue; // expired, not yet deleted by TTL
        const entry = parseDigestEntry(item[DIGEST_ENTRY_ATTRIBUTE]?.S ?? "");
        if (entry) out.entries.push(entry);
        else out.unreadable++;
      }
      start = result.LastEvaluatedKey;
      if (!start) return out;
    }
  }
}

/**
 * Records the entry, never throwing: a failure is logged and reported (`false`), so the
 * caller counts it in StateErrors. The alerts were published before; this cannot block them.
 * A payload already counted (a redelivery) is logged and not counted again.
 */
export async function recordDigest(
  recorder: DigestRecorder,
  entry: DigestEntry,
  invocation: DigestInvocation & { logger?: Pick<Logger, "info" | "warn"> },
): Promise<boolean> {
  const { logger, ...where } = invocation;
  try {
    const outcome = await recorder.record(entry, where);
    if (outcome === "duplicate") {
      logger?.info("The digest already counts this payload (it was delivered before); not counted again");
    } else if (outcome === "unmarked") {
      logger?.warn("The digest counted this payload but could not mark it; a redelivery would be counted again");
      return false;
    }
    return true;
  } catch (error) {
    logger?.warn("The digest counters could not be written; the digest will miss this invocation", { error });
    return false;
  }
}
