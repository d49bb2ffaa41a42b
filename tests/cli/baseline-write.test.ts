/**
 * How a baseline is written (packages/cli/src/baseline/write.ts): saves within the store's
 * per-call bound however large the input, counts that add up across saves, the marker, all
 * against a real DynamoDB implementation (dynalite) whose calls are only counted, not mocked.
 */
import { CreateTableCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULT_THRESHOLDS, pairKey } from "@secretwatch/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PairSeed } from "../../packages/cli/src/baseline/seed.js";
import {
  type DynamoSender,
  MARKER_DAYS,
  PAIRS_PER_SAVE,
  READS_PER_SAVE,
  saveChunks,
  writeBaselineMarker,
  writePairs,
} from "../../packages/cli/src/baseline/write.js";
import { DynamoStateStore, STATE_CALL_BOUND, stateTableDefinition } from "../../packages/functions/src/state.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";

const NOW = Date.parse("2024-08-01T00:00:00Z");
const DAY = 86_400_000;
let dynamo: LocalDynamo;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo.stop());

/** A fresh table and a client that counts each call by command, in order. */
async function target() {
  const tableName = `baseline-write-${++tables}`;
  await dynamo.client.send(new CreateTableCommand({ TableName: tableName, ...stateTableDefinition }));
  const calls: string[] = [];
  const client: DynamoSender = {
    send: (command: Parameters<DynamoSender["send"]>[0]) => {
      calls.push(command.constructor.name);
      return dynamo.client.send(command);
    },
  } as DynamoSender;
  return { calls, target: { client, tableName, thresholds: DEFAULT_THRESHOLDS, clock: () => NOW } };
}

const pair = (i: number, count: number): PairSeed => ({
  actor: `arn:aws:iam::111122223333:role/r${i % 7}`,
  secret: `s/${i}`,
  first: NOW - 20 * DAY + i,
  last: NOW - DAY + i,
  count,
});

describe("baseline writes", () => {
  it("cuts the input into saves of at most 100 pairs and 10,000 reads, every read accounted for", () => {
    const pairs = [pair(0, 25_000), ...Array.from({ length: 250 }, (_, i) => pair(i + 1, (i % 3) + 1))];
    const chunks = [...saveChunks(pairs)];
    const given = new Map<string, { count: number; times: number[] }>();
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(READS_PER_SAVE);
      expect(new Set(chunk.map((a) => pairKey(a.actor, a.secret))).size).toBeLessThanOrEqual(PAIRS_PER_SAVE);
      for (const a of chunk) {
        const entry = given.get(pairKey(a.actor, a.secret)) ?? { count: 0, times: [] };
        entry.count++;
        if (entry.times.length < 2 || a.time !== entry.times.at(-1)) entry.times.push(a.time);
        given.set(pairKey(a.actor, a.secret), entry);
      }
    }
    expect(PAIRS_PER_SAVE).toBeLessThanOrEqual(STATE_CALL_BOUND.putItems / 2);
    for (const p of pairs) {
      const entry = given.get(pairKey(p.actor, p.secret))!;
      expect(entry.count).toBe(p.count);
      // The first read at its first time, every other at its last: the store keeps first, last and count.
      expect(entry.times).toEqual(p.count === 1 ? [p.first] : [p.first, p.last]);
    }
  });

  it("writes a pair read 25,000 times and 250 others with bounded calls per save; counts add up", async () => {
    const { calls, target: t } = await target();
    const pairs = [pair(0, 25_000), ...Array.from({ length: 250 }, (_, i) => pair(i + 1, 2))];
    const saves = await writePairs(t, pairs, () => calls.push("saved"));
    expect(saves).toBe([...saveChunks(pairs)].length);
    // Each save's calls: its BatchGetItem (the chunk's pairs and the markers) and BatchWriteItem calls, within the store's bound.
    const perSave = calls.join(" ").split("saved").slice(0, -1);
    expect(perSave).toHaveLength(saves);
    for (const save of perSave) {
      const count = (name: string) => save.split(" ").filter((c) => c === name).length;
      expect(count("BatchGetItemCommand")).toBeGreaterThan(0);
      expect(count("BatchGetItemCommand")).toBeLessThanOrEqual(STATE_CALL_BOUND.getKeys / 100);
      expect(count("BatchWriteItemCommand")).toBeGreaterThan(0);
      expect(count("BatchWriteItemCommand")).toBeLessThanOrEqual(STATE_CALL_BOUND.putItems / 25);
    }
    const store = new DynamoStateStore({ ...t, client: dynamo.client });
    const loaded = await store.load({ pairs: pairs.slice(0, 99), windows: [], alerts: [] });
    expect(loaded.pairs.get(pairKey(pairs[0]!.actor, pairs[0]!.secret))).toEqual({
      firstSeen: pairs[0]!.first,
      lastSeen: pairs[0]!.last,
      count: 25_000,
    });
    const rest = await store.load({ pairs: pairs.slice(200), windows: [], alerts: [] });
    expect(rest.pairs.size).toBe(51);
    for (const memo of rest.pairs.values()) expect(memo.count).toBe(2);
  });

  it("writes the baseline marker with an expiry far ahead", async () => {
    const { target: t } = await target();
    await writeBaselineMarker(t, NOW);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: t.tableName, Key: { pk: { S: "meta" }, sk: { S: "baseline" } } }),
    );
    expect(Item?.at?.N).toBe(String(NOW));
    expect(Number(Item?.expires?.N)).toBe(NOW / 1000 + MARKER_DAYS * 86_400);
    const meta = (
      await new DynamoStateStore({ ...t, client: dynamo.client }).load({ pairs: [], windows: [], alerts: [] })
    ).meta;
    expect(meta).toEqual({ deployedAt: null, baselineAt: NOW });
  });
});
