/**
 * (d) The enricher with its state table: the reads-only 1 MiB payload through createHandler
 * (from source, in process) against dynalite (a DynamoDB implementation on a loopback port, with
 * the real SDK client and the stack's table definition), the state store and the exactly-once
 * guard, side by side with the stateless handler in the same rounds. Every round is a first
 * delivery to a fresh table (a second delivery would send nothing). Prints the DynamoDB calls per
 * invocation by operation, against the stated bound (STATE_CALL_BOUND).
 */
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { type CompiledPolicy, compilePolicy, DEFAULT_POLICY } from "@secretwatch/core";
import { powertoolsDeliveryGuard } from "@secretwatch/functions/delivery";
import { createHandler } from "@secretwatch/functions/enricher";
import type { SnsSender } from "@secretwatch/functions/publish";
import { DynamoStateStore, STATE_CALL_BOUND, stateTableDefinition } from "@secretwatch/functions/state";
import type { Context } from "aws-lambda";
import { startDynamo } from "../tests/helpers/dynalite.js";
import { payload } from "./handler.js";
import { type Summary, summarize } from "./lib/stats.js";

export interface StateBench {
  stateless: Summary;
  withState: Summary;
  ratio: number;
  /** DynamoDB calls of one invocation, by operation. */
  calls: Record<string, number>;
  messages: number;
  bound: typeof STATE_CALL_BOUND;
}

const stubSns = { send: async () => ({ MessageId: "m" }) } as unknown as SnsSender;
/** What Powertools reads of the Lambda context: the time left (as a 60 s function just started). */
const CONTEXT = { getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

export async function benchState(iterations: number, log: (line: string) => void, policy?: CompiledPolicy) {
  const compiled = policy ?? compilePolicy(DEFAULT_POLICY, "defaults");
  const db = await startDynamo();
  const client = db.client;
  const calls: Record<string, number> = {};
  let counting = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (counting) calls[context.commandName ?? "?"] = (calls[context.commandName ?? "?"] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "countCalls" },
  );
  const { event } = payload("reads");
  const base = { sns: stubSns, topicArn: "arn:aws:sns:us-east-1:1:t", app: "secretwatch", stage: "bench" };
  const clock = () => new Date("2024-07-30T12:10:00Z");
  const stateless = createHandler({ ...base, clock, policy: () => compiled });
  const stateful = (table: string) =>
    createHandler({
      ...base,
      clock,
      policy: () => compiled,
      state: (p) => new DynamoStateStore({ client, tableName: table, thresholds: p.thresholds, budgetMs: 10_000 }),
      deliveries: powertoolsDeliveryGuard(client, table),
    });
  const [a, b] = [[] as number[], [] as number[]];
  let messages = 0;
  log(`  3 warm-up + ${iterations} rounds, each a first delivery to a fresh dynalite table …`);
  try {
    for (let i = -3; i < iterations; i++) {
      const table = `bench-state-${i + 3}`;
      await client.send(new CreateTableCommand({ TableName: table, ...stateTableDefinition }));
      const handler = stateful(table);
      let t = performance.now();
      await stateless(event);
      if (i >= 0) a.push(performance.now() - t);
      counting = i === iterations - 1;
      t = performance.now();
      const result = await handler(event, CONTEXT);
      if (i >= 0) b.push(performance.now() - t);
      counting = false;
      messages = result.published;
    }
  } finally {
    client.destroy();
    await db.stop();
  }
  const [s, w] = [summarize(a), summarize(b)];
  return { stateless: s, withState: w, ratio: w.median / s.median, calls, messages, bound: STATE_CALL_BOUND };
}

/** Lines for the report. */
export function stateLines(r: StateBench): string[] {
  const calls = Object.entries(r.calls)
    .sort()
    .map(([name, n]) => `${name.replace(/Command$/, "")} ${n}`)
    .join(" · ");
  const total = Object.values(r.calls).reduce((x, y) => x + y, 0);
  return [
    `stateless handler ${r.stateless.median.toFixed(1)} ms · with state and exactly-once ${r.withState.median.toFixed(1)} ms (${r.ratio.toFixed(2)}×, dynalite on loopback: a real table is further away)`,
    `DynamoDB calls in one invocation of 722 reads and ${r.messages} messages: ${total} (${calls})`,
    `bound: ≤ ${r.bound.getKeys / 100} BatchGetItem, ≤ ${r.bound.windowActors} Query, ≤ ${r.bound.putItems / 25} BatchWriteItem (+ ≤ ${r.bound.retries} retries each), plus 2 per message (Powertools) and, with the digest on, 3 for its counters (GetItem of the payload's marker, PutItem of the entry and of the marker)`,
  ];
}
