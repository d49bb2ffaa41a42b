/**
 * A quick look at the handler's ratio while working on it: `createHandler` from this tree's
 * sources (not the bundle) on the reads-only (or mixed) payload, interleaved with decode-only,
 * plus the phases one at a time. Not part of `npm run bench`:
 *   npx tsx bench/quick-handler.ts [--kind reads|mixed] [--policy bench|default] [--runs 100]
 */

import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import {
  assessHits,
  compilePolicy,
  DEFAULT_POLICY,
  decodeSubscriptionData,
  enrichEvents,
  PolicyMatcher,
  planMessages,
} from "@secretwatch/core";
import { createHandler } from "@secretwatch/functions/enricher";
import { BENCH_DEPS, type Kind, payload } from "./handler.js";
import { ms, summarize } from "./lib/stats.js";
import { ensurePolicy } from "./policy.js";

const { values: opts } = parseArgs({
  options: {
    kind: { type: "string", default: "reads" },
    policy: { type: "string", default: "bench" },
    runs: { type: "string", default: "100" },
  },
});
const policy = ensurePolicy().compiled;
const handler = createHandler({ ...BENCH_DEPS, ...(opts.policy === "bench" && { policy: () => policy }) });
const { event } = payload(opts.kind as Kind);
const decodeOnly = () => {
  const envelope = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8")) as {
    logEvents: { message: string }[];
  };
  let n = 0;
  for (const e of envelope.logEvents) n += (JSON.parse(e.message) as object) ? 1 : 0;
  return n;
};
const runs = Number.parseInt(opts.runs ?? "100", 10);
const [d, h, dc, hc]: [number[], number[], number[], number[]] = [[], [], [], []];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let messages = 0;
for (let i = -20; i < runs; i++) {
  const [t0, c0] = [performance.now(), cpu()];
  decodeOnly();
  const [t1, c1] = [performance.now(), cpu()];
  const r = await handler(event);
  const [t2, c2] = [performance.now(), cpu()];
  messages = r.published;
  if (i >= 0) [d.push(t1 - t0), h.push(t2 - t1), dc.push(c1 - c0), hc.push(c2 - c1)];
}
const med = (xs: number[] | undefined) => summarize(xs ?? []).median;
const min = (xs: number[] | undefined) => summarize(xs ?? []).min;
const [dm, hm, dcm, hcm] = [med(d), med(h), med(dc), med(hc)];
process.stdout.write(
  `${opts.kind}/${opts.policy}: wall decode ${ms(dm)}, handler ${ms(hm)}, ratio ${(hm / dm).toFixed(2)}x; cpu decode ${ms(dcm)}, handler ${ms(hcm)}, ratio ${(hcm / dcm).toFixed(2)}x; min ${ms(min(d))} / ${ms(min(h))} = ${(min(h) / min(d)).toFixed(2)}x; ${messages} messages\n`,
);

// The phases one at a time, as bench/handler.ts times them.
const compiled = opts.policy === "bench" ? policy : compilePolicy(DEFAULT_POLICY, "defaults");
const matcher = new PolicyMatcher(compiled.policy);
const NOW = BENCH_DEPS.clock();
const phases = new Map<string, number[]>();
const time = <T>(name: string, fn: () => T): T => {
  const t0 = cpu();
  const value = fn();
  if (!phases.has(name)) phases.set(name, []);
  phases.get(name)!.push(cpu() - t0);
  return value;
};
for (let i = 0; i < runs; i++) {
  const p = time("decode", () => decodeSubscriptionData(event.awslogs.data));
  const hits = time("enrich", () => enrichEvents(p.events, NOW));
  const { assessed } = time("assess", () => assessHits(hits, { matcher, snapshot: null }));
  time("plan", () => planMessages(assessed, { app: "secretwatch", stage: "bench", notify: compiled.policy.notify }));
}
process.stdout.write(
  `  phases (cpu median / min): ${[...phases].map(([k, v]) => `${k} ${ms(med(v))} / ${ms(min(v))}`).join(" · ")}\n`,
);
