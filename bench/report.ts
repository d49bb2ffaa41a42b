/** Text output: one block per section as it finishes, and the compact table at the end. */
import type { Breakdown } from "./breakdown.js";
import type { CorpusManifest } from "./corpus.js";
import type { HandlerBench, Kind, PolicyCase } from "./handler.js";
import { int, mb, ms, msRange, ratio } from "./lib/stats.js";
import { ratios, type Target } from "./lib/targets.js";
import type { BundleInfo, LoadBench } from "./load.js";
import type { ReplayBench } from "./replay.js";

const row = (cells: string[], widths: number[]) =>
  cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join("  ")
    .trimEnd();
const range = (s: { min: number; max: number }) => msRange(s.min, s.max);

export function corpusLines(m: CorpusManifest, dir: string, generatedMs: number | null): string[] {
  const b = m.recordBytes;
  return [
    `corpus:  ${m.files.length} files · ${int(m.records)} records · ${int(m.secretValueRecords)} secret-value records (${int(m.getSecretValue)} GetSecretValue, ${int(m.batchGetSecretValue)} BatchGetSecretValue, ${int(m.failedReads)} failed) in ${m.filesWithReads} files`,
    `         ${mb(m.compressedBytes)} gzipped · ${mb(m.rawBytes)} JSON · record size median ${int(b.median)} B (p5 ${int(b.p5)}, p95 ${int(b.p95)}, max ${int(b.max)})`,
    `         ${dir} (${generatedMs === null ? "cached" : `generated in ${ms(generatedMs)}`})`,
  ];
}

export function replayLines(a: ReplayBench, records: number): string[] {
  const w = [26, 8, 13, 10, 8, 9, 0];
  const out = [row(["case", "median", "min–max", "records/s", "cpu", "startup", "output"], w)];
  for (const c of a.cases) {
    if (!c.time) {
      out.push(row([c.label, c.skipped ?? `failed: ${c.failures[0] ?? "no successful run"}`], [26, 0]));
      continue;
    }
    const output =
      c.id === "limit"
        ? `${int(a.agreement.limitRecords ?? Number.NaN)} records`
        : c.id === "floor"
          ? "match count"
          : `${int(c.lines ?? 0)} lines`;
    const perSecond = `${int(records / (c.time.median / 1000))}`;
    const cpu = c.cpu ? ms(c.cpu.median) : "–";
    const startup = c.startup ? ms(c.startup.median) : "–";
    out.push(row([c.label, ms(c.time.median), range(c.time), perSecond, cpu, startup, output], w));
    for (const f of c.failures) out.push(`    ! ${f}`);
  }
  out.push("(cpu: user+system of the process tree; startup: the same command on one empty log file)");
  const r = ratios(a);
  const f = (x: number | null) => ratio(x ?? Number.NaN);
  out.push(
    `ratios: replay-1/limit ${f(r.replay1OverLimit)} · replay-1 --policy/limit ${f(r.replay1PolicyOverLimit)} · replay-${a.workers} --policy/limit ${f(r.replayNOverLimit)} · jq/replay-1 --policy ${f(r.jqOverReplay1Policy)} · jq/limit ${f(r.jqOverLimit)}`,
    `issue 9: replay-1/floor ${f(r.replay1OverFloor)} · replay-1 --policy/floor ${f(r.replay1PolicyOverFloor)} (floor: gunzip + byte scan, one process) · jq/replay-1 ${f(r.jqOverReplay1)}`,
    `net of start-up (each minus its empty-file time): replay-1/limit ${f(r.replay1OverLimitNet)} · replay-1 --policy/limit ${f(r.replay1PolicyOverLimitNet)}`,
    ...(r.baselineOverReplay1Policy !== null
      ? [`baseline/this tree, replay -w 1 --policy: ${f(r.baselineOverReplay1Policy)}`]
      : []),
  );
  const g = a.agreement;
  const counts = Object.entries(g.counts)
    .map(([id, n]) => `${id} ${int(n)}`)
    .join(" = ");
  if (Object.keys(g.counts).length === 0) out.push("outputs agree: nothing to compare");
  else if (g.ok) {
    const ids = Object.keys(g.idMismatches).length > 0 ? ", same eventIDs" : "";
    const tamper = [...new Set(Object.values(g.tamperLines ?? {}))];
    const plus =
      tamper.length === 1 && tamper[0] ? ` (read lines; each replay also printed ${int(tamper[0])} tamper lines)` : "";
    out.push(
      `outputs agree: yes — ${counts} = corpus ${int(g.expectedHits)}${ids}${plus}; limit parsed ${int(g.limitRecords ?? Number.NaN)} records`,
    );
  } else out.push(`outputs agree: NO — ${counts}; corpus ${int(g.expectedHits)}`, ...g.notes.map((n) => `    ! ${n}`));
  if (g.baselineIdentical !== null)
    out.push(
      `baseline's NDJSON (-w 1 --policy): ${g.baselineIdentical ? "identical to this tree's" : "DIFFERS from this tree's"}`,
    );
  return out;
}

const CATEGORIES = [
  "gunzip (zlib)",
  "buffer decode/copy",
  "JS code",
  "dependencies",
  "fs",
  "module loading",
  "GC",
  "node internals",
  "VM (program)",
  "idle",
];

export function profileLines(a: ReplayBench): string[] {
  const profiled = a.cases.flatMap((c) => (c.profile && "totalMs" in c.profile ? [{ c, p: c.profile }] : []));
  const failed = a.cases.flatMap((c) => (c.profile && "error" in c.profile ? [`${c.id}: ${c.profile.error}`] : []));
  if (profiled.length === 0) return failed.map((f) => `profile failed: ${f}`);
  const w = [20, ...profiled.map(({ c }) => Math.max(10, c.id.length + 2))];
  const out = [
    "CPU profile, one run each (self time summed over all threads):",
    row(["category", ...profiled.map(({ c }) => c.id)], w),
  ];
  for (const cat of CATEGORIES) {
    if (profiled.every(({ p }) => (p.categories[cat] ?? 0) < 0.5)) continue;
    out.push(row([cat, ...profiled.map(({ p }) => ms(p.categories[cat] ?? 0))], w));
  }
  out.push(row(["total", ...profiled.map(({ p }) => ms(p.totalMs))], w));
  out.push(row(["threads", ...profiled.map(({ p }) => String(p.threads))], w));
  out.push("(JS code includes built-ins V8 counts in their caller, JSON.parse above all. Profiles cover JS threads");
  out.push(" only: gunzip run async on the libuv thread pool is not in them; the cpu column above has everything.)");
  const unprofiled = profiled.filter(({ c, p }) => c.id === "replay-N" && p.threads === 1);
  if (unprofiled.length > 0) out.push("(replay-N: worker threads wrote no profile; only its main thread is shown)");
  for (const { c, p } of profiled) {
    if (c.id === "limit" || c.id === "floor" || p.topFunctions.length === 0) continue;
    out.push(`${c.id} top functions: ${p.topFunctions.map((f) => `${f.name} ${ms(f.ms)}`).join(" · ")}`);
  }
  return [...out, ...failed.map((f) => `profile failed: ${f}`)];
}

export function breakdownLines(b: Breakdown): string[] {
  const parts = Object.entries(b.phases).map(([k, v]) => `${k} ${ms(v)}`);
  const share = (k: keyof Breakdown["phases"]) => `${Math.round((b.phases[k] / b.totalMs) * 100)}%`;
  return [
    `where replay time goes (in-process, one thread, median of ${b.repeats}, ${int(b.records)} records, ${int(b.hits)} hits):`,
    `  ${parts.join(" · ")} = ${ms(b.totalMs)}`,
    `  gunzip ${share("gunzip")} · utf8+parse ${Math.round(((b.phases.utf8 + b.phases.parse) / b.totalMs) * 100)}% · select+enrich+serialize ${Math.round(((b.phases.select + b.phases.enrich + b.phases.serialize) / b.totalMs) * 100)}%`,
    `  byte scan for "secretsmanager.amazonaws.com" over the gunzipped data: ${ms(b.scanMs)} (a text pre-filter's cost)`,
  ];
}

const POLICY_NAME: Record<PolicyCase, string> = { default: "defaults", bench: "100 rules" };
const KIND_NAME: Record<Kind, string> = { mixed: "mixed, ~1% reads", reads: "secret reads only" };

export function handlerLines(b: HandlerBench): string[] {
  const w = [18, 10, 9, 22, 7, 0];
  const out: string[] = [];
  for (const p of b.payloads) {
    out.push(
      `${KIND_NAME[p.kind]}: ${int(p.messages)} messages (${Math.round(p.messageBytes / 1024)} KB), ${int(p.secretReads)} secret reads, data ${Math.round(p.dataBytes / 1024)} KB; decode only ${ms(p.decode.median)} (${range(p.decode)})`,
    );
  }
  out.push(row(["payload", "policy", "build", "handler", "ratio", "of min", "published"], [...w.slice(0, 5), 8, 0]));
  for (const c of b.cases) {
    const r = c.result;
    const decodeMin = b.payloads.find((p) => p.kind === c.kind)?.decode.min ?? Number.NaN;
    out.push(
      row(
        [
          c.kind === "mixed" ? "mixed" : "reads only",
          POLICY_NAME[c.policy],
          c.build === "current" ? "this tree" : "baseline",
          `${ms(c.handler.median)} (${range(c.handler)})`,
          ratio(c.ratio),
          ratio(c.handler.min / decodeMin),
          `${r.published} msgs, ${r.hits} hits, ${r.belowNotify} below notify`,
        ],
        [...w.slice(0, 5), 8, 0],
      ),
    );
  }
  out.push(
    "(ratio: handler median / decode-only median of the same payload; of min: the same of the fastest runs, less moved by other load; all cases interleaved per iteration)",
  );
  for (const c of b.cases) {
    if (c.build !== "baseline") continue;
    const mine = b.cases.find((x) => x.kind === c.kind && x.policy === c.policy && x.build === "current");
    if (mine)
      out.push(
        `baseline/this tree, ${c.kind} with ${POLICY_NAME[c.policy]}: ${ratio(c.handler.median / mine.handler.median)}`,
      );
  }
  if (b.baselineIdentical) {
    const same = Object.entries(b.baselineIdentical);
    const differ = same.filter(([, v]) => !v).map(([k]) => k);
    out.push(
      differ.length === 0
        ? `published messages: identical to the baseline's (${same.map(([k]) => k).join(", ")})`
        : `published messages: DIFFER from the baseline's in ${differ.join(", ")}`,
    );
  }
  out.push("phases, one at a time with this tree's core (median ms):");
  for (const p of b.parts) {
    const parts = Object.entries(p.parts).map(([k, v]) => `${k} ${ms(v)}`);
    out.push(`  ${p.kind}, ${POLICY_NAME[p.policy]}: ${parts.join(" · ")}`);
  }
  return out;
}

export function loadLines(bundle: BundleInfo, l: LoadBench): string[] {
  const over = l.bundle.importMs.median - l.empty.importMs.median;
  return [
    `size: ${int(bundle.bytes)} B (${(bundle.bytes / 1024).toFixed(1)} KB; ${(bundle.gzipBytes / 1024).toFixed(1)} KB gzipped), built in ${ms(bundle.buildMs)}`,
    `cold load, ${l.runs} fresh node processes each:`,
    `  import()   bundle ${ms(l.bundle.importMs.median)} (${range(l.bundle.importMs)}) · empty .mjs ${ms(l.empty.importMs.median)} → +${ms(over)}${l.baseline ? ` · baseline bundle ${ms(l.baseline.importMs.median)}` : ""}`,
    `  ready      bundle ${ms(l.bundle.readyMs.median)} · empty ${ms(l.empty.readyMs.median)} (node start to module loaded)`,
    `  process    bundle ${ms(l.bundle.processMs.median)} · empty ${ms(l.empty.processMs.median)} (spawn to exit)`,
  ];
}

export interface FinalTable {
  a?: ReplayBench;
  replayNote?: string;
  b?: HandlerBench;
  bundle?: BundleInfo;
  /** The baseline's handler bundle, minified bytes. */
  baselineBytes?: number;
  load?: LoadBench;
  targets: Target[];
}

export function finalTable(t: FinalTable): string[] {
  const w = [44, 14, 30];
  const out = [row(["measure", "median", "detail"], w), row(["-".repeat(44), "-".repeat(14), "-".repeat(30)], w)];
  if (t.a) {
    const limit = t.a.cases.find((c) => c.id === "limit")?.time?.median ?? Number.NaN;
    for (const c of t.a.cases) {
      const missing = c.skipped ? (c.skipped.startsWith("not built") ? "not built" : c.skipped) : "failed";
      const detail = c.time
        ? c.id === "limit"
          ? range(c.time)
          : `${ratio(c.time.median / limit)} of limit · ${range(c.time)}`
        : "";
      out.push(row([`(a) ${c.label}`, c.time ? ms(c.time.median) : missing, detail], w));
    }
  } else if (t.replayNote) out.push(row(["(a) replay", t.replayNote], w));
  for (const p of t.b?.payloads ?? []) {
    const name = p.kind === "mixed" ? "mixed" : "reads only";
    out.push(row([`(b) decode only, 1 MiB ${name}`, ms(p.decode.median), range(p.decode)], w));
    for (const c of t.b?.cases.filter((x) => x.kind === p.kind) ?? []) {
      const who = c.build === "baseline" ? "baseline " : "";
      out.push(
        row(
          [`(b) ${who}handler, ${name}, ${POLICY_NAME[c.policy]}`, ms(c.handler.median), `${ratio(c.ratio)} of decode`],
          w,
        ),
      );
    }
  }
  if (t.bundle)
    out.push(
      row(
        [
          "(c) bundle size (minified)",
          `${(t.bundle.bytes / 1024).toFixed(1)} KB`,
          `${int(t.bundle.bytes)} B, ${(t.bundle.gzipBytes / 1024).toFixed(1)} KB gz${t.baselineBytes ? `; baseline ${int(t.baselineBytes)} B` : ""}`,
        ],
        w,
      ),
    );
  if (t.load) {
    out.push(
      row(
        [
          "(c) cold import() of the bundle",
          ms(t.load.bundle.importMs.median),
          `empty .mjs ${ms(t.load.empty.importMs.median)}${t.load.baseline ? `; baseline ${ms(t.load.baseline.importMs.median)}` : ""}`,
        ],
        w,
      ),
    );
    out.push(
      row(
        [
          "(c) node process with the bundle loaded",
          ms(t.load.bundle.processMs.median),
          `empty ${ms(t.load.empty.processMs.median)}`,
        ],
        w,
      ),
    );
  }
  const tw = [50, 28, 8, 0];
  out.push("", row(["target", "goal", "value", "status"], tw));
  for (const g of t.targets) {
    const status = g.met === null ? "not measured" : g.met ? "met" : "NOT MET";
    out.push(row([g.name, g.goal, g.value === null ? "–" : ratio(g.value), status], tw));
  }
  return out;
}
