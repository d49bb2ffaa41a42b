/**
 * The state store's calls against a mocked client (documented response shapes): unprocessed keys
 * and items are retried, and the calls stay within the stated bound however many reads there are.
 * (Apart from state.test.ts: aws-sdk-client-mock replaces every DynamoDBClient of the process.)
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 */
import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { assessHits, stateRequest } from "../../packages/core/src/assess.js";
import { DEFAULT_POLICY, DEFAULT_THRESHOLDS } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import { DynamoStateStore, STATE_CALL_BOUND } from "../../packages/functions/src/state.js";
import { aSecretAccess, aSource } from "../core/builders.js";

const NOW = Date.parse("2024-05-14T10:00:00Z");
const matcher = new PolicyMatcher(DEFAULT_POLICY);
const read = (secretId: string, eventTime: string, eventID: string) =>
  aSecretAccess({ secretId, eventTime, eventID, source: aSource({ range: "private" }) });

describe("the store's calls (documented response shapes, mocked)", () => {
  const ddb = mockClient(DynamoDBClient);
  beforeEach(() => ddb.reset());

  it("retries unprocessed keys and items, and stays within its call bound for 5,000 reads", async () => {
    const table = "t";
    let first = true;
    ddb.on(BatchGetItemCommand).callsFake((input) => {
      const keys = input.RequestItems[table].Keys;
      const unprocessed = first ? keys.slice(0, 5) : [];
      first = false;
      return {
        Responses: { [table]: [] },
        UnprocessedKeys: unprocessed.length ? { [table]: { Keys: unprocessed } } : {},
      };
    });
    ddb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
    const s = new DynamoStateStore({
      client: new DynamoDBClient({ region: "us-east-1" }),
      tableName: table,
      thresholds: DEFAULT_THRESHOLDS,
      clock: () => NOW,
    });
    const hits = Array.from({ length: 5000 }, (_, i) => read(`s-${i % 900}`, "2024-05-14T09:00:00Z", `e-${i}`));
    const snapshot = await s.load({ ...stateRequest(hits, matcher), windows: [] });
    expect(snapshot.pairs.size).toBe(0);
    const gets = ddb.commandCalls(BatchGetItemCommand);
    expect(gets.length).toBeLessThanOrEqual(STATE_CALL_BOUND.getKeys / 100 + 1);
    expect(gets[1]!.args[0].input.RequestItems![table]!.Keys).toHaveLength(5); // the retry of the unprocessed ones
    const { update } = assessHits(hits, { matcher, snapshot });
    await s.save({ accesses: update.accesses, alerts: [] });
    expect(ddb.commandCalls(BatchWriteItemCommand).length).toBeLessThanOrEqual(STATE_CALL_BOUND.putItems / 25);
  });
});
