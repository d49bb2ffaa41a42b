/**
 * (b) The enricher handler on a CloudWatch Logs subscription payload holding 1 MiB of decoded
 * messages, against merely decoding it (base64, gunzip, JSON.parse of the envelope and of
 * every message). In-process, the production bundle's `createHandler` with an SNS stub that
 * resolves at once; runs interleaved. Two payloads: mixed records with ~1% secret reads (the
 * brief), and secret reads only (what the deployed subscription filter actually delivers).
 */
import { gunzipSync } from "node:zlib";
import { assessAndPlan, DEFAULT_POLICY, decodeSubscriptionData, enrichEvents, PolicyMatcher } from "@secretwatch/core";
import type { EnricherDeps, EnricherResult } from "@secretwatch/functions/enricher";
import { publishAll, type SnsSender } from "@secretwatch/functions/publish";
import type { CloudWatchLogsEvent } from "aws-lambda";
import { subscriptionEvent } from "../tests/helpers/subscription.js";
import { generateRecords, isRead } from "./corpus.js";
import type { JsonObject } from "./gen/record.js";
import { makeWorld } from "./gen/world.js";
import { Rng } from "./lib/prng.js";
import { type Summary, summarize } from "./lib/stats.js";

export const PAYLOAD_BYTES = 1 << 20;
const NOW = new Date("2024-07-30T12:10:00Z");
const TOPIC = "arn:aws:sns:us-east-1:123456789012:secretwatch-bench-alerts";

type Kind = "mixed" | "reads";

export interface PayloadCase {
  kind: Kind;
  messages: number;
  messageBytes: number;
  secretReads: number;
  /** Size of `awslogs.data` (base64 of the gzip). */
  dataBytes: number;
  decode: Summary;
  handler: Summary;
  result: EnricherResult;
  /** Medians of the handler's parts (core functions, one at a time), ms. */
  parts: Record<string, number>;
}

export interface HandlerBench {
  iterations: number;
  cases: PayloadCase[];
}

/** Generated records, endlessly: the noise of a delivery window, or only its secret reads. */
function* records(reads: boolean): Generator<JsonObject> {
  const world = makeWorld(7);
  const stream = {
    rng: new Rng(reads ? 13 : 11),
    world,
    account: world.accounts[0]!,
    region: "us-east-1",
    startMs: NOW.getTime() - 600_000,
  };
  for (;;) {
    const batch = generateRecords({ ...stream, activity: reads ? 100 : 0 }, 700, (r) => r.length >= 50);
    yield* reads ? batch.filter(isRead) : batch;
  }
}

/** Messages totalling at least `bytes`; for "mixed", every 100th is a secret read (1%). */
function messages(kind: Kind, bytes: number): string[] {
  const noise = records(false);
  const reads = records(true);
  const out: string[] = [];
  let total = 0;
  while (total < bytes) {
    const read = kind === "reads" || out.length % 100 === 50;
    const m = JSON.stringify((read ? reads : noise).next().value);
    out.push(m);
    total += Buffer.byteLength(m);
  }
  return out;
}

/** Merely decoding: base64, gunzip, JSON.parse of the envelope and of every message. */
function decodeOnly(event: CloudWatchLogsEvent): number {
  const envelope = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8")) as {
    logEvents: { message: string }[];
  };
  let n = 0;
  for (const e of envelope.logEvents) n += (JSON.parse(e.message) as object) ? 1 : 0;
  return n;
}

const stub = { send: async () => ({ $metadata: {}, MessageId: "bench" }) } as unknown as SnsSender;

async function parts(event: CloudWatchLogsEvent, repeats: number): Promise<Record<string, number>> {
  const data = event.awslogs.data;
  const samples = new Map<string, number[]>();
  const note = (name: string, t0: number) => {
    const list = samples.get(name) ?? [];
    list.push(performance.now() - t0);
    samples.set(name, list);
  };
  const time = <T>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    const value = fn();
    note(name, t0);
    return value;
  };
  const context = { app: "secretwatch", stage: "bench" };
  for (let i = 0; i < repeats; i++) {
    const raw = time("base64 decode", () => Buffer.from(data, "base64"));
    time("base64 check (round trip, as core does)", () => raw.toString("base64") === data);
    const text = time("gunzip + utf8", () => gunzipSync(raw).toString("utf8"));
    const envelope = time("parse envelope", () => JSON.parse(text) as { logEvents: { message: string }[] });
    time("parse messages", () => envelope.logEvents.map((e) => JSON.parse(e.message) as unknown));
    const payload = time("core decodeSubscriptionData", () => decodeSubscriptionData(data));
    const hits = time("core select+enrich", () => enrichEvents(payload.events, NOW));
    const { plan } = time("core assess+plan", () =>
      assessAndPlan(hits, { ...context, matcher: new PolicyMatcher(DEFAULT_POLICY), snapshot: null }),
    );
    const t0 = performance.now();
    await publishAll(stub, TOPIC, plan.messages);
    note("publish (stub SNS)", t0);
  }
  return Object.fromEntries([...samples].map(([k, v]) => [k, summarize(v).median]));
}

type CreateHandler = (deps: EnricherDeps) => (event: CloudWatchLogsEvent) => Promise<EnricherResult>;

export async function benchHandler(
  bundleFile: string,
  iterations: number,
  log: (line: string) => void,
): Promise<HandlerBench> {
  const mod = (await import(bundleFile)) as { createHandler: CreateHandler };
  const handler = mod.createHandler({
    sns: stub,
    topicArn: TOPIC,
    app: "secretwatch",
    stage: "bench",
    clock: () => NOW,
  });
  const payloads = (["mixed", "reads"] as const).map((kind) => {
    const msgs = messages(kind, PAYLOAD_BYTES);
    const event = subscriptionEvent(msgs, { logGroup: "/secretwatch/bench/cloudtrail" });
    const secretReads = msgs.filter((m) => isRead(JSON.parse(m) as JsonObject)).length;
    return { kind, msgs, event, secretReads };
  });
  const samples = payloads.map(() => ({ decode: [] as number[], handler: [] as number[] }));
  const results: EnricherResult[] = [];
  const warmup = Math.max(5, Math.round(iterations / 5));
  log(`  ${warmup} warm-up + ${iterations} interleaved iterations per case …`);
  let sink = 0;
  for (let i = -warmup; i < iterations; i++) {
    for (const [j, p] of payloads.entries()) {
      let t0 = performance.now();
      sink += decodeOnly(p.event);
      const dt = performance.now() - t0;
      t0 = performance.now();
      results[j] = await handler(p.event);
      const ht = performance.now() - t0;
      if (i >= 0) {
        samples[j]!.decode.push(dt);
        samples[j]!.handler.push(ht);
      }
    }
  }
  if (sink === 0) log("  (no messages decoded)");
  const cases: PayloadCase[] = [];
  for (const [j, p] of payloads.entries()) {
    cases.push({
      kind: p.kind,
      messages: p.msgs.length,
      messageBytes: p.msgs.reduce((s, m) => s + Buffer.byteLength(m), 0),
      secretReads: p.secretReads,
      dataBytes: p.event.awslogs.data.length,
      decode: summarize(samples[j]!.decode),
      handler: summarize(samples[j]!.handler),
      result: results[j]!,
      parts: await parts(p.event, Math.max(5, Math.round(iterations / 4))),
    });
  }
  return { iterations, cases };
}
