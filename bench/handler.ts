/**
 * (b) The enricher handler on a CloudWatch Logs subscription payload holding 1 MiB of decoded
 * messages, against merely decoding it (base64, gunzip, JSON.parse of the envelope and of
 * every message). In-process, the production bundle's `createHandler` with an SNS stub that
 * resolves at once; everything interleaved within each iteration. Two payloads: mixed records
 * with ~1% secret reads (the brief), and secret reads only (what the deployed subscription
 * filter actually delivers); each with the default policy and with the bench's 100-rule policy
 * (`policy: () => compiled`, as the deployed function gets it). With a baseline bundle (another
 * source tree, `--baseline`), each handler case also runs on it, in the same iterations.
 */
import { gunzipSync } from "node:zlib";
import {
  assessHits,
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_POLICY,
  decodeSubscriptionData,
  enrichEvents,
  PolicyMatcher,
  planMessages,
} from "@secretwatch/core";
import type { EnricherDeps, EnricherResult } from "@secretwatch/functions/enricher";
import { publishAll, type SnsSender } from "@secretwatch/functions/publish";
import type { CloudWatchLogsEvent } from "aws-lambda";
import { subscriptionEvent } from "../tests/helpers/subscription.js";
import { generateRecords, isRead, SEED } from "./corpus.js";
import type { JsonObject } from "./gen/record.js";
import { makeWorld } from "./gen/world.js";
import { Rng } from "./lib/prng.js";
import { type Summary, summarize } from "./lib/stats.js";

export const PAYLOAD_BYTES = 1 << 20;
const NOW = new Date("2024-07-30T12:10:00Z");
const TOPIC = "arn:aws:sns:us-east-1:123456789012:secretwatch-bench-alerts";

export type Kind = "mixed" | "reads";
/** `default`: no policy file (the documented defaults); `bench`: the 100-rule policy. */
export type PolicyCase = "default" | "bench";

export interface HandlerCase {
  kind: Kind;
  policy: PolicyCase;
  /** The bundle measured: this tree's, or the baseline's. */
  build: "current" | "baseline";
  handler: Summary;
  /** handler median / decode median of the same payload. */
  ratio: number;
  result: EnricherResult;
}

export interface PayloadInfo {
  kind: Kind;
  messages: number;
  messageBytes: number;
  secretReads: number;
  /** Size of `awslogs.data` (base64 of the gzip). */
  dataBytes: number;
  decode: Summary;
}

export interface PartsCase {
  kind: Kind;
  policy: PolicyCase;
  /** Medians of the handler's phases, run one at a time with core's own functions, ms. */
  parts: Record<string, number>;
}

export interface HandlerBench {
  iterations: number;
  policyRules: number;
  policyHash: string;
  payloads: PayloadInfo[];
  cases: HandlerCase[];
  parts: PartsCase[];
  baseline: string | null;
  /** Per `kind/policy`: whether the baseline published exactly the messages this tree did (null: no baseline). */
  baselineIdentical: Record<string, boolean> | null;
}

/** Generated records, endlessly: the noise of a delivery window, or only its secret reads. */
function* records(reads: boolean): Generator<JsonObject> {
  // The corpus's world: the bench policy names its accounts, roles and addresses.
  const world = makeWorld(SEED);
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

/** The 1 MiB subscription event of `kind`, with its messages and how many are secret reads. */
export function payload(kind: Kind) {
  const msgs = messages(kind, PAYLOAD_BYTES);
  const event = subscriptionEvent(msgs, { logGroup: "/secretwatch/bench/cloudtrail" });
  const secretReads = msgs.filter((m) => isRead(JSON.parse(m) as JsonObject)).length;
  return { kind, msgs, event, secretReads };
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

/** What every bench handler is built with: an SNS stub that answers like Publish, the bench's topic and clock. */
export const BENCH_DEPS = { sns: stub, topicArn: TOPIC, app: "secretwatch", stage: "bench", clock: () => NOW };

/** The handler's phases one at a time, with this tree's core (decode, select+enrich, assess, plan incl. format, publish). */
async function parts(event: CloudWatchLogsEvent, policy: CompiledPolicy, repeats: number) {
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
    // As the handler does: one matcher per policy hash and container, so its caches stay warm.
    const matcher = matcherFor(policy);
    const payload = time("decode", () => decodeSubscriptionData(data));
    const hits = time("select+enrich", () => enrichEvents(payload.events, NOW));
    const { assessed } = time("assess", () => assessHits(hits, { matcher, snapshot: null }));
    const plan = time("plan+format", () => planMessages(assessed, { ...context, notify: matcher.policy.notify }));
    const t0 = performance.now();
    await publishAll(stub, TOPIC, plan.messages);
    note("publish (stub)", t0);
  }
  return Object.fromEntries([...samples].map(([k, v]) => [k, summarize(v).median]));
}

const matchers = new Map<string, PolicyMatcher>();
function matcherFor(policy: CompiledPolicy): PolicyMatcher {
  let m = matchers.get(policy.hash);
  if (!m) {
    m = new PolicyMatcher(policy.policy);
    matchers.set(policy.hash, m);
  }
  return m;
}

/** Publishes each payload once through both bundles with a recording SNS stub: the same messages, byte for byte? */
async function sameMessages(
  current: string,
  baseline: string,
  policy: CompiledPolicy,
  payloads: readonly { kind: Kind; event: CloudWatchLogsEvent }[],
): Promise<Record<string, boolean>> {
  const sent: unknown[] = [];
  const recorder = {
    send: async (command: { input: unknown }) => {
      sent.push(command.input);
      return { $metadata: {}, MessageId: "bench" };
    },
  } as unknown as SnsSender;
  const [a, b] = [await handlers(current, policy, recorder), await handlers(baseline, policy, recorder)];
  const out: Record<string, boolean> = {};
  for (const p of payloads) {
    for (const policyCase of ["default", "bench"] as const) {
      sent.length = 0;
      await a[policyCase](p.event);
      const mine = JSON.stringify(sent);
      sent.length = 0;
      await b[policyCase](p.event);
      out[`${p.kind}/${policyCase}`] = mine === JSON.stringify(sent) && mine !== "[]";
    }
  }
  return out;
}

type CreateHandler = (deps: EnricherDeps) => (event: CloudWatchLogsEvent) => Promise<EnricherResult>;
type Handler = (event: CloudWatchLogsEvent) => Promise<EnricherResult>;

async function handlers(
  bundleUrl: string,
  policy: CompiledPolicy,
  sns: SnsSender = stub,
): Promise<Record<PolicyCase, Handler>> {
  const mod = (await import(bundleUrl)) as { createHandler: CreateHandler };
  const deps = { ...BENCH_DEPS, sns };
  return {
    default: mod.createHandler(deps),
    bench: mod.createHandler({ ...deps, policy: () => policy }),
  };
}

export interface HandlerOptions {
  bundleUrl: string;
  /** A second bundle to measure in the same iterations (the tree before a change). */
  baselineUrl?: string;
  iterations: number;
  policy: CompiledPolicy;
}

export async function benchHandler(o: HandlerOptions, log: (line: string) => void): Promise<HandlerBench> {
  const builds = { current: await handlers(o.bundleUrl, o.policy) } as Record<
    HandlerCase["build"],
    Record<PolicyCase, Handler>
  >;
  if (o.baselineUrl) builds.baseline = await handlers(o.baselineUrl, o.policy);
  const payloads = (["mixed", "reads"] as const).map((kind) => ({ ...payload(kind), decode: [] as number[] }));
  type Slot = { kind: Kind; policy: PolicyCase; build: HandlerCase["build"]; samples: number[] };
  const slots: Slot[] = [];
  for (const kind of ["mixed", "reads"] as const)
    for (const policy of ["default", "bench"] as const)
      for (const build of Object.keys(builds) as HandlerCase["build"][])
        slots.push({ kind, policy, build, samples: [] });
  const results = new Map<Slot, EnricherResult>();
  const warmup = Math.max(5, Math.round(o.iterations / 5));
  log(
    `  ${warmup} warm-up + ${o.iterations} iterations, every case once per iteration (interleaved, in a shuffled order) …`,
  );
  let sink = 0;
  const order = new Rng(7);
  for (let i = -warmup; i < o.iterations; i++) {
    for (const p of payloads) {
      // Decode-only and each handler case, in a new random order every iteration: whichever runs
      // right after another pays for its garbage, so no case may always follow the same one.
      const runs: Array<() => Promise<void>> = [
        async () => {
          const t0 = performance.now();
          sink += decodeOnly(p.event);
          if (i >= 0) p.decode.push(performance.now() - t0);
        },
        ...slots
          .filter((slot) => slot.kind === p.kind)
          .map((slot) => async () => {
            const t1 = performance.now();
            results.set(slot, await builds[slot.build][slot.policy](p.event));
            if (i >= 0) slot.samples.push(performance.now() - t1);
          }),
      ];
      for (const run of order.shuffle(runs)) await run();
    }
  }
  if (sink === 0) log("  (no messages decoded)");
  const info: PayloadInfo[] = payloads.map((p) => ({
    kind: p.kind,
    messages: p.msgs.length,
    messageBytes: p.msgs.reduce((s, m) => s + Buffer.byteLength(m), 0),
    secretReads: p.secretReads,
    dataBytes: p.event.awslogs.data.length,
    decode: summarize(p.decode),
  }));
  const cases = slots.map((s): HandlerCase => {
    const handler = summarize(s.samples);
    const decode = info.find((p) => p.kind === s.kind)!.decode;
    const result = results.get(s)!;
    return { kind: s.kind, policy: s.policy, build: s.build, handler, ratio: handler.median / decode.median, result };
  });
  const defaults = compilePolicy(DEFAULT_POLICY, "defaults");
  const repeats = Math.max(5, Math.round(o.iterations / 4));
  const partsCases: PartsCase[] = [];
  for (const p of payloads) {
    for (const policy of ["default", "bench"] as const) {
      const parted = await parts(p.event, policy === "bench" ? o.policy : defaults, repeats);
      partsCases.push({ kind: p.kind, policy, parts: parted });
    }
  }
  return {
    baselineIdentical: o.baselineUrl ? await sameMessages(o.bundleUrl, o.baselineUrl, o.policy, payloads) : null,
    iterations: o.iterations,
    policyRules: o.policy.policy.expected.length,
    policyHash: o.policy.hash,
    payloads: info,
    cases,
    parts: partsCases,
    baseline: o.baselineUrl ?? null,
  };
}
