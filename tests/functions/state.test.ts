/**
 * The DynamoDB state store against a real DynamoDB implementation (dynalite, in process) with
 * the real SDK client: what it remembers across invocations, hashed keys, its own expiry check,
 * unprocessed keys, and that an unusable table is an error the handler can fail open on.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assessHits, stateRequest } from "../../packages/core/src/assess.js";
import { DEFAULT_POLICY, DEFAULT_THRESHOLDS } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import { pairKey, repeatKey, StateUnavailableError } from "../../packages/core/src/state.js";
import type { SecretAccess } from "../../packages/core/src/types.js";
import { DynamoStateStore, hashedKey, STATE_TTL_ATTRIBUTE, storedName } from "../../packages/functions/src/state.js";
import { aSecretAccess, aSource } from "../core/builders.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";

let db: LocalDynamo;
beforeEach(async () => {
  db = await startDynamo();
});
afterEach(async () => {
  await db.stop();
});

const NOW = Date.parse("2024-05-14T10:00:00Z");
const store = (clock = () => NOW) =>
  new DynamoStateStore({ client: db.client, tableName: db.tableName, thresholds: DEFAULT_THRESHOLDS, clock });
const matcher = new PolicyMatcher(DEFAULT_POLICY);
const read = (secretId: string, eventTime: string, eventID = `${secretId}-${eventTime}`) =>
  aSecretAccess({ secretId, eventTime, eventID, source: aSource({ range: "private" }) });

/** One invocation: load, assess, save (as the handler does once its alerts are out). */
async function invoke(s: DynamoStateStore, hits: SecretAccess[]) {
  const snapshot = await s.load(stateRequest(hits, matcher));
  const { assessed, update } = assessHits(hits, { matcher, snapshot });
  await s.save({ accesses: update.accesses, alerts: [] });
  return assessed;
}

describe("the DynamoDB state store", () => {
  it("remembers a pair across invocations (and containers): the second read is not first-seen", async () => {
    const [first] = await invoke(store(), [read("db/password", "2024-05-14T09:00:00Z")]);
    expect(first!.verdict.firstSeen).toBe(true);
    const [second] = await invoke(store(), [read("db/password", "2024-05-14T09:30:00Z")]);
    expect(second!.verdict.firstSeen).toBe(false);
    expect(second!.verdict.reasons).toEqual(["plain-read"]);
  });

  it("merges first seen, last seen and the count rather than overwriting them", async () => {
    const s = store();
    await invoke(s, [read("a", "2024-05-14T09:00:00Z"), read("a", "2024-05-14T09:10:00Z")]);
    await invoke(s, [read("a", "2024-05-14T09:50:00Z")]);
    const actor = "arn:aws:iam::111122223333:role/DevOps";
    const snapshot = await store().load({ pairs: [{ actor, secret: "a" }], windows: [], alerts: [] });
    expect(snapshot.pairs.get(pairKey(actor, "a"))).toEqual({
      firstSeen: Date.parse("2024-05-14T09:00:00Z"),
      lastSeen: Date.parse("2024-05-14T09:50:00Z"),
      count: 3,
    });
  });

  it("stores a secret's name as valid UTF-8: a lone surrogate, or one a 2,048-character cut leaves, becomes U+FFFD", async () => {
    const lone = JSON.parse('"canary/\\ud800x"') as string;
    const cut = `${"a".repeat(2047)}\u{1F511}tail`; // the key emoji's pair straddles the cut
    await invoke(store(), [read(lone, "2024-05-14T09:00:00Z"), read(cut, "2024-05-14T09:00:01Z")]);
    const names = ((await db.client.send(new ScanCommand({ TableName: db.tableName }))).Items ?? [])
      .map((item) => item.secret?.S)
      .filter((name): name is string => name !== undefined);
    expect(names.sort()).toEqual([`${"a".repeat(2047)}\uFFFD`, "canary/\uFFFDx"]);
    for (const name of names) expect(/\p{Cs}/u.test(name)).toBe(false);
    // Names that are valid already are stored as they are.
    expect(storedName("prod/db/\u{1F511}")).toBe("prod/db/\u{1F511}");
  });

  it("counts rapid retrieval across three invocations, from the windows it stores", async () => {
    const rapid = new PolicyMatcher({ ...DEFAULT_POLICY, thresholds: { ...DEFAULT_THRESHOLDS, rapidSecrets: 3 } });
    const run = async (hit: SecretAccess) => {
      const s = store();
      const snapshot = await s.load(stateRequest([hit], rapid));
      const { assessed, update } = assessHits([hit], { matcher: rapid, snapshot });
      await s.save({ accesses: update.accesses, alerts: [] });
      return assessed[0]!.verdict;
    };
    await run(read("a", "2024-05-14T09:00:00Z"));
    await run(read("b", "2024-05-14T09:02:00Z"));
    const third = await run(read("c", "2024-05-14T09:04:00Z"));
    expect(third.reasons).toContain("rapid-retrieval");
    expect(third.rapid?.secrets).toEqual(["a", "b", "c"]);
  });

  it("stores keys hashed and no raw record: a 3 KB hostile secretId is one fixed-size key", async () => {
    const hostile = `x${"\u0000<script>".repeat(300)}`.slice(0, 3000);
    await invoke(store(), [read(hostile, "2024-05-14T09:00:00Z")]);
    const { Items = [] } = await db.client.send(new ScanCommand({ TableName: db.tableName }));
    for (const item of Items) {
      expect(item.pk?.S?.length).toBeLessThanOrEqual(40);
      expect(item.sk?.S?.length).toBeLessThanOrEqual(40);
      expect(Object.keys(item)).not.toContain("requestParameters");
      expect(item[STATE_TTL_ATTRIBUTE]?.N).toMatch(/^\d+$/);
    }
    const [again] = await invoke(store(), [read(hostile, "2024-05-14T09:05:00Z")]);
    expect(again!.verdict.firstSeen).toBe(false);
  });

  it("treats an item past its expiry as gone, though TTL has not deleted it yet", async () => {
    // Delivered five minutes after the read, as usual.
    await invoke(
      store(() => Date.parse("2024-05-01T09:05:00Z")),
      [read("a", "2024-05-01T09:00:00Z")],
    );
    // Past 7 days and the lateness margin, the pair item is still there (dynalite has no TTL; DynamoDB takes up to ~48 h)…
    const later = () => Date.parse("2024-05-08T15:00:01Z"); // 7 days + the 6-hour lateness margin
    const actor = "arn:aws:iam::111122223333:role/DevOps";
    const raw = await db.client.send(
      new GetItemCommand({
        TableName: db.tableName,
        Key: { pk: { S: hashedKey("pair", actor, "a") }, sk: { S: "-" } },
      }),
    );
    expect(raw.Item).toBeDefined();
    // …but the store does not use it.
    const snapshot = await store(later).load({ pairs: [{ actor, secret: "a" }], windows: [], alerts: [] });
    expect(snapshot.pairs.size).toBe(0);
  });

  it("remembers the last alert per actor x secret x outcome, and reads the stage markers", async () => {
    const s = store();
    const key = repeatKey("actor", "secret:a", "success");
    await s.save({
      accesses: [],
      alerts: [
        { key, memo: { time: NOW - 60_000, severity: "medium", sourceClass: "private", clientFamily: "aws-cli" } },
      ],
    });
    await db.client.send(
      new PutItemCommand({
        TableName: db.tableName,
        Item: { pk: { S: "meta" }, sk: { S: "deployed" }, at: { N: String(NOW - 3_600_000) } },
      }),
    );
    const snapshot = await store().load({ pairs: [], windows: [], alerts: [key] });
    expect(snapshot.alerts.get(key)).toEqual({
      time: NOW - 60_000,
      severity: "medium",
      sourceClass: "private",
      clientFamily: "aws-cli",
    });
    expect(snapshot.meta).toEqual({ deployedAt: NOW - 3_600_000, baselineAt: null });
  });

  it("is an error (StateUnavailableError) when the table is gone, so the handler can alert without it", async () => {
    await db.stop();
    await expect(store().load(stateRequest([read("a", "2024-05-14T09:00:00Z")], matcher))).rejects.toBeInstanceOf(
      StateUnavailableError,
    );
  });

  it("keeps to its time budget: a slow table is an error, not a stalled function", async () => {
    let now = NOW;
    const slow = new DynamoStateStore({
      client: {
        send: async () => {
          now += 500; // every call takes half a second
          return { Responses: {} };
        },
      } as unknown as DynamoDBClient,
      tableName: db.tableName,
      thresholds: DEFAULT_THRESHOLDS,
      clock: () => now,
      budgetMs: 400,
    });
    const hits = Array.from({ length: 150 }, (_, i) => read(`s-${i}`, "2024-05-14T09:00:00Z"));
    await expect(slow.load(stateRequest(hits, matcher))).rejects.toThrow(/more than 400 ms/);
  });
});
