/**
 * Where the handler's time goes on one 1 MiB payload: `createHandler` from this tree's sources
 * (so every sample names its source file), run repeatedly under the V8 CPU profiler
 * (node:inspector), summed by core file and by function (self time), plus the inclusive time of
 * the pipeline's steps. Not part of `npm run bench`; run it by hand:
 *   npx tsx bench/profile-handler.ts [--kind reads|mixed] [--policy default|bench] [--runs 60] [--out file.cpuprofile] [--bundle]
 * With `--bundle`, the handler is bundled as SST does (not minified) and samples name its lines.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createHandler as fromSources } from "@secretwatch/functions/enricher";
import { bundleHandler } from "../tests/helpers/bundle.js";
import { REPO_ROOT } from "./corpus.js";
import { BENCH_DEPS, type Kind, payload } from "./handler.js";
import { ms } from "./lib/stats.js";
import { HANDLER_ENTRY } from "./load.js";
import { ensurePolicy } from "./policy.js";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const { values: opts } = parseArgs({
  options: {
    kind: { type: "string", default: "reads" },
    policy: { type: "string", default: "bench" },
    runs: { type: "string", default: "60" },
    out: { type: "string" },
    bundle: { type: "boolean", default: false },
  },
});

const where = (url: string) => {
  if (!url) return "(native)";
  const file = url.replace(/^file:\/\//, "");
  return file.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, file) : file.startsWith("node:") ? "node:" : "other";
};

function summarise(p: Profile, inclusiveOf: readonly string[]) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (const [i, id] of p.samples.entries()) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const files = new Map<string, number>();
  const fns = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    total += t;
    const file = where(n.callFrame.url);
    files.set(file, (files.get(file) ?? 0) + t);
    const fn = `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + t);
    // Inclusive: once per named ancestor (recursion counted once).
    const seen = new Set<string>();
    for (let a: number | undefined = id; a !== undefined; a = parent.get(a)) {
      const name = byId.get(a)!.callFrame.functionName;
      if (inclusiveOf.includes(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + t);
      }
    }
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { total, files: top(files, 25), fns: top(fns, 40), inclusive };
}

const STEPS = [
  "enricher",
  "decodeSubscriptionData",
  "enrichEvents",
  "enrichRecord",
  "identityOf",
  "sourceOf",
  "parseUserAgent",
  "assessAndPlan",
  "assessHits",
  "expectedRule",
  "isDecoy",
  "isSensitive",
  "planMessages",
  "groupHits",
  "planGroup",
  "planSummary",
  "formatBodyHeader",
  "formatBody",
  "formatSubject",
  "formatEventEntry",
  "nextSteps",
  "groupVerdict",
  "toBodyText",
  "toSubjectText",
  "publishAll",
];

// --bundle: the handler as SST bundles it, but not minified, so samples name the bundle's lines.
const createHandler: typeof fromSources = opts.bundle
  ? (
      (await import(
        pathToFileURL((await bundleHandler(HANDLER_ENTRY, path.join(REPO_ROOT, ".bench/profile"), false)).file).href
      )) as { createHandler: typeof fromSources }
    ).createHandler
  : fromSources;
const policy = ensurePolicy().compiled;
const handler = createHandler({ ...BENCH_DEPS, ...(opts.policy === "bench" && { policy: () => policy }) });
const { event, secretReads, msgs } = payload(opts.kind as Kind);
const runs = Number.parseInt(opts.runs ?? "60", 10);
for (let i = 0; i < 10; i++) await handler(event); // warm-up
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const t0 = performance.now();
for (let i = 0; i < runs; i++) await handler(event);
const wall = performance.now() - t0;
const { profile } = (await session.post("Profiler.stop")) as { profile: Profile };
session.disconnect();
if (opts.out) writeFileSync(opts.out, JSON.stringify(profile));

const s = summarise(profile, STEPS);
const per = (t: number) => ms(t / runs);
const log = (line: string) => process.stdout.write(`${line}\n`);
log(`${opts.kind} payload (${msgs.length} messages, ${secretReads} reads), policy ${opts.policy}, ${runs} runs`);
log(`wall ${per(wall)} per run; profiled ${per(s.total)} per run`);
log("\ninclusive, per run:");
for (const name of STEPS) if (s.inclusive.has(name)) log(`  ${name.padEnd(24)} ${per(s.inclusive.get(name)!)}`);
log("\nself time by file, per run:");
for (const [file, t] of s.files) log(`  ${file.padEnd(48)} ${per(t)}`);
log("\nself time by function, per run:");
for (const [fn, t] of s.fns) log(`  ${fn.padEnd(72)} ${per(t)}`);
