/**
 * The state store in DynamoDB: core's `StateStore` port over one table per stage. Keys that
 * hold record text are hashed (a denied call's `secretId` is whatever the caller sent and can
 * exceed DynamoDB's key limits; one bad key must not fail a batch); every item expires (TTL on
 * `expires`, plus our own check, since TTL deletes within about 48 hours, not at once); no
 * secret value and no raw record is stored. Calls per invocation are bounded whatever the
 * number of records (see {@link STATE_CALL_BOUND}); the whole of them within a time budget.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
import { createHash } from "node:crypto";
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import {
  type AlertMemo,
  emptySnapshot,
  type PairMemo,
  pairKey,
  type RapidClaim,
  type StateRequest,
  type StateSnapshot,
  type StateStore,
  StateUnavailableError,
  type StateUpdate,
  type Thresholds,
  type WindowEntry,
  wellFormed,
} from "@secretwatch/core";

/** Partition key `pk` and sort key `sk`, both strings; on-demand. Plain data a `CreateTable` call accepts (without the name). */
export const stateTableDefinition = {
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" },
    { AttributeName: "sk", AttributeType: "S" },
  ],
  KeySchema: [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ],
  BillingMode: "PAY_PER_REQUEST",
} as const satisfies Omit<CreateTableCommandInput, "TableName">;

/** The TTL attribute (epoch seconds) every item carries. */
export const STATE_TTL_ATTRIBUTE = "expires";

/** The sort key of items that are one per partition key. */
const ONE = "-";
/** BatchGetItem's and BatchWriteItem's own limits. */
const GET_BATCH = 100;
const WRITE_BATCH = 25;

/**
 * The most this store does per invocation, whatever the number of records: keys beyond these
 * caps are left out (their reads are assessed as if not seen before: louder, never quieter).
 */
export const STATE_CALL_BOUND = {
  /** Pair, alert and marker items read: 3 BatchGetItem calls (plus retries of unprocessed keys). */
  getKeys: 3 * GET_BATCH,
  /** Actors whose recent reads are queried (one Query each). */
  windowActors: 10,
  /** Items written: 8 BatchWriteItem calls (plus retries of unprocessed items). */
  putItems: 8 * WRITE_BATCH,
  /** Retries of unprocessed keys or items, per phase. */
  retries: 3,
  /** Rapid-retrieval windows claimed (one conditional PutItem each); beyond, the alerts are sent unclaimed. */
  rapidClaims: 10,
} as const;

/**
 * Items are kept this much longer than their event-time window: CloudTrail delivers minutes to
 * hours late, and Lambda retries an event for up to 6 hours; windows are in event time, the
 * expiry (like TTL) in wall-clock time.
 */
export const LATE_MARGIN_MS = 6 * 60 * 60 * 1000;

/** Wall-clock budget for all state calls of one load or save: a slow table cannot eat the function's timeout. */
export const DEFAULT_STATE_BUDGET_MS = 400;

/** `<kind>#<32 hex>`: a fixed-size key, whatever text it stands for. */
export function hashedKey(kind: string, ...parts: readonly string[]): string {
  return `${kind}#${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32)}`;
}

export interface DynamoStateStoreOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  thresholds: Thresholds;
  /** Now in epoch ms (for the expiry check and the budget). */
  clock?: () => number;
  budgetMs?: number;
}

type Item = Record<string, AttributeValue>;
type Key = { pk: { S: string }; sk: { S: string } };

const num = (item: Item | undefined, name: string): number | null => {
  const n = item?.[name]?.N;
  return n === undefined ? null : Number(n);
};
const str = (item: Item | undefined, name: string): string | null => item?.[name]?.S ?? null;
const key = (pk: string, sk = ONE): Key => ({ pk: { S: pk }, sk: { S: sk } });
const seconds = (ms: number) => String(Math.ceil(ms / 1000));
/**
 * A secret's name as a window entry stores it: at most 2,048 characters, and valid UTF-8 (a lone
 * surrogate, from the record or from the cut, becomes U+FFFD): DynamoDB string attributes are
 * UTF-8, and one refused item would fail the whole batch write it is in. Only the rapid-retrieval
 * count compares it, so a changed name can make the count larger, never smaller.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.String
 */
export function storedName(secret: string): string {
  return wellFormed(secret.slice(0, 2048));
}

/** Sort keys of window entries order by time: 15 digits of epoch ms. */
const timeSortKey = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(15, "0");

/** The store's writes to make from what was loaded and what the invocation read. */
export class DynamoStateStore implements StateStore {
  private readonly clock: () => number;
  private readonly budgetMs: number;
  /** Pairs as loaded, so a save merges rather than overwrites first/last seen and the count. */
  private loaded = new Map<string, PairMemo>();

  constructor(private readonly options: DynamoStateStoreOptions) {
    this.clock = options.clock ?? Date.now;
    this.budgetMs = options.budgetMs ?? DEFAULT_STATE_BUDGET_MS;
  }

  private deadline(): () => void {
    const end = this.clock() + this.budgetMs;
    return () => {
      if (this.clock() > end) throw new StateUnavailableError(`the state table took more than ${this.budgetMs} ms`);
    };
  }

  private async send<T>(command: unknown, check: () => void): Promise<T> {
    check();
    try {
      return (await this.options.client.send(command as never)) as T;
    } catch (cause) {
      throw new StateUnavailableError(`the state table could not be used: ${(cause as Error)?.name ?? cause}`, {
        cause,
      });
    }
  }

  async load(request: StateRequest): Promise<StateSnapshot> {
    const check = this.deadline();
    const now = this.clock();
    const snapshot = emptySnapshot();
    const wanted = new Map<string, (item: Item) => void>();
    for (const { actor, secret } of request.pairs) {
      wanted.set(hashedKey("pair", actor, secret), (item) => {
        const [firstSeen, lastSeen, count] = [num(item, "firstSeen"), num(item, "lastSeen"), num(item, "count")];
        if (firstSeen !== null && lastSeen !== null) {
          const memo = { firstSeen, lastSeen, count: count ?? 1 };
          snapshot.pairs.set(pairKey(actor, secret), memo);
          this.loaded.set(pairKey(actor, secret), memo);
        }
      });
    }
    for (const repeat of request.alerts) {
      wanted.set(hashedKey("alert", repeat), (item) => {
        const [time, severity] = [num(item, "time"), str(item, "severity")];
        if (time === null || severity === null) return;
        const memo = {
          time,
          severity,
          sourceClass: str(item, "sourceClass") ?? "",
          clientFamily: str(item, "clientFamily") ?? "",
        } as AlertMemo;
        snapshot.alerts.set(repeat, memo);
      });
    }
    const meta = { deployedAt: null as number | null, baselineAt: null as number | null };
    const metaKeys: Record<string, (item: Item) => void> = {
      deployed: (item) => (meta.deployedAt = num(item, "at")),
      baseline: (item) => (meta.baselineAt = num(item, "at")),
    };
    const keys: Key[] = [
      ...Object.keys(metaKeys).map((sk) => key("meta", sk)),
      ...[...wanted.keys()].slice(0, STATE_CALL_BOUND.getKeys - 2).map((pk) => key(pk)),
    ];
    for (const item of await this.batchGet(keys, check)) {
      const expires = num(item, STATE_TTL_ATTRIBUTE);
      if (expires !== null && expires * 1000 < now) continue; // expired, not yet deleted by TTL
      const pk = str(item, "pk") ?? "";
      if (pk === "meta") metaKeys[str(item, "sk") ?? ""]?.(item);
      else wanted.get(pk)?.(item);
    }
    for (const { actor, since } of request.windows.slice(0, STATE_CALL_BOUND.windowActors)) {
      snapshot.windows.set(actor, await this.window(actor, since, now, check));
    }
    snapshot.meta = meta;
    return snapshot;
  }

  private async batchGet(keys: Key[], check: () => void): Promise<Item[]> {
    const items: Item[] = [];
    for (let i = 0; i < keys.length; i += GET_BATCH) {
      let pending: Key[] = keys.slice(i, i + GET_BATCH);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > STATE_CALL_BOUND.retries)
          throw new StateUnavailableError("the state table kept keys unprocessed");
        const out = await this.send<{
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys?: Item[] }>;
        }>(
          new BatchGetItemCommand({
            RequestItems: { [this.options.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
          check,
        );
        items.push(...(out.Responses?.[this.options.tableName] ?? []));
        pending = (out.UnprocessedKeys?.[this.options.tableName]?.Keys ?? []) as Key[];
      }
    }
    return items;
  }

  private async window(actor: string, since: number, now: number, check: () => void): Promise<WindowEntry[]> {
    const out = await this.send<{ Items?: Item[] }>(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: "pk = :pk AND sk >= :since",
        ExpressionAttributeValues: { ":pk": { S: hashedKey("win", actor) }, ":since": { S: timeSortKey(since) } },
        ConsistentRead: true,
      }),
      check,
    );
    const entries: WindowEntry[] = [];
    for (const item of out.Items ?? []) {
      const [secret, time, expires] = [str(item, "secret"), num(item, "time"), num(item, STATE_TTL_ATTRIBUTE)];
      if (secret === null || time === null || (expires !== null && expires * 1000 < now)) continue;
      entries.push({ secret, time });
    }
    return entries;
  }

  async save(update: StateUpdate): Promise<void> {
    const check = this.deadline();
    const t = this.options.thresholds;
    const now = this.clock();
    /** An expiry: the later of the event-time window's end and now, plus the lateness margin. */
    const expiry = (eventTime: number, windowMs: number) =>
      seconds(Math.max(eventTime + windowMs, now) + LATE_MARGIN_MS);
    const items: Item[] = [];
    // Pairs: merged with what was loaded, one item per pair.
    const pairs = new Map<string, { actor: string; secret: string; memo: PairMemo }>();
    for (const { actor, secret, time } of update.accesses) {
      const k = pairKey(actor, secret);
      const memo = pairs.get(k)?.memo ?? { ...(this.loaded.get(k) ?? { firstSeen: time, lastSeen: time, count: 0 }) };
      [memo.firstSeen, memo.lastSeen, memo.count] = [
        Math.min(memo.firstSeen, time),
        Math.max(memo.lastSeen, time),
        memo.count + 1,
      ];
      pairs.set(k, { actor, secret, memo });
    }
    for (const { actor, secret, memo } of pairs.values()) {
      items.push({
        ...key(hashedKey("pair", actor, secret)),
        firstSeen: { N: String(memo.firstSeen) },
        lastSeen: { N: String(memo.lastSeen) },
        count: { N: String(memo.count) },
        [STATE_TTL_ATTRIBUTE]: { N: expiry(memo.lastSeen, t.firstSeenDays * 86_400_000) },
      });
    }
    // Window entries: one item per actor × secret × time, so concurrent invocations never overwrite each other.
    for (const { actor, secret, time } of update.accesses) {
      items.push({
        ...key(hashedKey("win", actor), `${timeSortKey(time)}#${hashedKey("s", secret).slice(2, 18)}`),
        secret: { S: storedName(secret) },
        time: { N: String(time) },
        [STATE_TTL_ATTRIBUTE]: { N: expiry(time, t.rapidMinutes * 60_000) },
      });
    }
    for (const { key: repeat, memo } of update.alerts) {
      items.push({
        ...key(hashedKey("alert", repeat)),
        time: { N: String(memo.time) },
        severity: { S: memo.severity },
        sourceClass: { S: memo.sourceClass || "-" },
        clientFamily: { S: memo.clientFamily || "-" },
        [STATE_TTL_ATTRIBUTE]: { N: expiry(memo.time, t.repeatMinutes * 60_000) },
      });
    }
    this.loaded = new Map();
    await this.batchWrite(dedupe(items).slice(0, STATE_CALL_BOUND.putItems), check);
  }

  /**
   * One conditional PutItem on the actor's window item: won when there is none, when the one
   * there ended at or before this group's last read (or has expired), or when this delivery
   * holds it already. A failed condition is a lost claim; any other failure throws (the caller
   * sends the alert anyway).
   */
  async claimRapid(claim: RapidClaim): Promise<boolean> {
    const check = this.deadline();
    const now = this.clock();
    try {
      await this.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...key(hashedKey("rapid", claim.actor)),
            until: { N: String(claim.until) },
            owner: { S: claim.owner },
            [STATE_TTL_ATTRIBUTE]: { N: seconds(Math.max(claim.until, now) + LATE_MARGIN_MS) },
          },
          ConditionExpression: "attribute_not_exists(pk) OR #until <= :last OR #owner = :owner OR #expires < :now",
          ExpressionAttributeNames: { "#until": "until", "#owner": "owner", "#expires": STATE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ":last": { N: String(claim.last) },
            ":owner": { S: claim.owner },
            ":now": { N: String(Math.floor(now / 1000)) },
          },
        }),
        check,
      );
      return true;
    } catch (error) {
      if (
        (error as Error).cause instanceof Error &&
        (error as { cause: Error }).cause.name === "ConditionalCheckFailedException"
      )
        return false;
      throw error;
    }
  }

  private async batchWrite(items: Item[], check: () => void): Promise<void> {
    for (let i = 0; i < items.length; i += WRITE_BATCH) {
      let pending: WriteRequest[] = items.slice(i, i + WRITE_BATCH).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > STATE_CALL_BOUND.retries)
          throw new StateUnavailableError("the state table kept writes unprocessed");
        const out = await this.send<{ UnprocessedItems?: Record<string, WriteRequest[]> }>(
          new BatchWriteItemCommand({ RequestItems: { [this.options.tableName]: pending } }),
          check,
        );
        pending = out.UnprocessedItems?.[this.options.tableName] ?? [];
      }
    }
  }
}

/** BatchWriteItem refuses two requests for one key: the last one wins. */
function dedupe(items: Item[]): Item[] {
  const byKey = new Map<string, Item>();
  for (const item of items) byKey.set(`${item.pk?.S}\n${item.sk?.S}`, item);
  return [...byKey.values()];
}
