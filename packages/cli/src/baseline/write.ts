/**
 * Writes a baseline into the stage's state table through the enricher's own store
 * (`DynamoStateStore`, so the items are exactly the ones the enricher reads), in chunks within
 * the store's per-call bound: each chunk's pairs are loaded first, so the save merges with
 * what the table holds (earliest first seen, latest last seen, counts added). Then the
 * `meta`/`baseline` marker, which ends learning.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
import { type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { StateUpdate, Thresholds } from "@secretwatch/core";
import { DynamoStateStore, STATE_CALL_BOUND, STATE_TTL_ATTRIBUTE } from "@secretwatch/functions/state";
import type { PairSeed } from "./seed.js";

export type DynamoSender = Pick<DynamoDBClient, "send">;

/**
 * Pairs per save: one item each, within the store's item bound (a save also writes window
 * entries; those come after the pairs and may be left out, which costs a baseline nothing).
 */
export const PAIRS_PER_SAVE = Math.min(100, STATE_CALL_BOUND.putItems / 2);
/** Reads handed to one save: a pair read a million times is written over several saves. */
export const READS_PER_SAVE = 10_000;
/** A CLI run can wait for the table (the enricher's budget is 400 ms). */
export const CLI_STATE_BUDGET_MS = 120_000;
/** How long the `baseline` marker is kept (every item of the table expires). */
export const MARKER_DAYS = 400;
export const BASELINE_MARKER = { pk: "meta", sk: "baseline", attribute: "at" } as const;

type Access = StateUpdate["accesses"][number];

/**
 * The saves to make: at most {@link PAIRS_PER_SAVE} pairs and {@link READS_PER_SAVE} reads each.
 * A pair's reads are given back as its count of accesses: the first at its first time, the
 * others at its last (the store keeps only first, last and count).
 */
export function* saveChunks(pairs: readonly PairSeed[]): Generator<Access[]> {
  let chunk: Access[] = [];
  let inChunk = new Set<PairSeed>();
  for (const pair of pairs) {
    for (let i = 0; i < pair.count; ) {
      if (chunk.length >= READS_PER_SAVE || (inChunk.size >= PAIRS_PER_SAVE && !inChunk.has(pair))) {
        yield chunk;
        [chunk, inChunk] = [[], new Set()];
      }
      inChunk.add(pair);
      const take = Math.min(pair.count - i, READS_PER_SAVE - chunk.length);
      for (let k = 0; k < take; k++, i++) {
        chunk.push({ actor: pair.actor, secret: pair.secret, time: i === 0 ? pair.first : pair.last });
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

export interface WriteTarget {
  client: DynamoSender;
  tableName: string;
  thresholds: Thresholds;
  /** Now, epoch ms. */
  clock: () => number;
}

export function baselineStore(target: WriteTarget): DynamoStateStore {
  return new DynamoStateStore({ ...target, budgetMs: CLI_STATE_BUDGET_MS });
}

/** Writes every pair (load, then save, chunk by chunk); `onSaved` hears of each save done. */
export async function writePairs(
  target: WriteTarget,
  pairs: readonly PairSeed[],
  onSaved: (saves: number) => void = () => {},
): Promise<number> {
  const store = baselineStore(target);
  let saves = 0;
  for (const accesses of saveChunks(pairs)) {
    const unique = new Map(accesses.map((a) => [JSON.stringify([a.actor, a.secret]), a]));
    const request = [...unique.values()].map(({ actor, secret }) => ({ actor, secret }));
    await store.load({ pairs: request, windows: [], alerts: [] });
    await store.save({ accesses, alerts: [] });
    onSaved(++saves);
  }
  return saves;
}

/** The `meta`/`baseline` marker: learning ends at `now` (epoch ms). */
export async function writeBaselineMarker(target: WriteTarget, now: number): Promise<void> {
  await target.client.send(
    new PutItemCommand({
      TableName: target.tableName,
      Item: {
        pk: { S: BASELINE_MARKER.pk },
        sk: { S: BASELINE_MARKER.sk },
        [BASELINE_MARKER.attribute]: { N: String(now) },
        [STATE_TTL_ATTRIBUTE]: { N: String(Math.ceil(now / 1000) + MARKER_DAYS * 86_400) },
      },
    }),
  );
}
