/**
 * `npm run bench`: the benchmarks of issues 3 §7 and 6, side by side in one run, on this machine.
 *   (a) replay with 1 and N workers (the defaults, and the bench's 100-rule policy) vs the
 *       single-thread limit vs jq, whole processes; plus where the time goes, phase by phase;
 *   (b) the handler on a 1 MiB subscription payload vs merely decoding it, with the defaults
 *       and with the 100-rule policy;
 *   (c) the handler bundle's size and cold module-load time.
 * Figures are reported, never gated: a missed target does not fail the run.
 * Options: --quick (fewer runs), --runs N (rounds of (a)), --only a,b,c, --force-corpus,
 * --baseline DIR (a copy of packages/ from before a change: built and measured in the same
 * rounds, its outputs compared with this tree's), --heap "<V8 flags>" (run (b) under these heap
 * flags instead of the deployed function's, stacks/function-heap.ts). Results also go to .bench/results.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Baseline, buildBaseline } from "./baseline.js";
import { type Breakdown, benchBreakdown } from "./breakdown.js";
import { DEFAULT_CORPUS_DIR, ensureCorpus, REPO_ROOT } from "./corpus.js";
import type { HandlerBench } from "./handler.js";
import { benchHandlerAsDeployed } from "./handler-process.js";
import { type CliStatus, ensureReplay } from "./lib/cli.js";
import { describeMachine, machine } from "./lib/machine.js";
import { ms } from "./lib/stats.js";
import { targets } from "./lib/targets.js";
import { type BundleInfo, benchLoad, buildBundle, type LoadBench } from "./load.js";
import { ensurePolicy } from "./policy.js";
import { benchReplay, type ReplayBench } from "./replay.js";
import {
  breakdownLines,
  corpusLines,
  finalTable,
  handlerLines,
  loadLines,
  profileLines,
  replayLines,
} from "./report.js";
import { benchState, stateLines } from "./state.js";

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    only: { type: "string", default: "a,b,c,d" },
    "force-corpus": { type: "boolean", default: false },
    baseline: { type: "string" },
    /** V8 heap flags for (b) instead of the deployed function's, e.g. Lambda's own at 256 MB. */
    heap: { type: "string" },
  },
});
const quick = opts.quick ?? false;
const plan = {
  replayRuns: opts.runs ? Number.parseInt(opts.runs, 10) : quick ? 2 : 5,
  breakdownRepeats: quick ? 1 : 3,
  handlerIterations: quick ? 40 : 150,
  loadRuns: quick ? 5 : 15,
  sections: new Set((opts.only ?? "a,b,c,d").split(",").map((s) => s.trim())),
};
const OUT = path.join(REPO_ROOT, ".bench");
const log = (line = "") => process.stdout.write(`${line}\n`);
const section = (title: string) => log(`\n${title}`);

async function main(): Promise<void> {
  const started = performance.now();
  const host = await machine();
  log(`secretwatch bench · ${new Date().toISOString()}${quick ? " · --quick" : ""}`);
  log(`machine: ${describeMachine(host)}`);
  const { manifest, generatedMs } = ensureCorpus(DEFAULT_CORPUS_DIR, opts["force-corpus"]);
  for (const line of corpusLines(manifest, path.relative(REPO_ROOT, DEFAULT_CORPUS_DIR), generatedMs)) log(line);

  const policy = ensurePolicy();
  log(
    `policy:  ${path.relative(REPO_ROOT, policy.file)}: ${policy.rules} expected rules, ${policy.compiled.policy.decoys.length} decoys, ${policy.compiled.policy.sensitive.length} sensitive patterns (${policy.compiled.hash.slice(0, 19)}…)${policy.warnings.length ? `; ${policy.warnings.length} warnings` : ""}`,
  );
  const needBundle = plan.sections.has("b") || plan.sections.has("c");
  const bundle: BundleInfo | undefined = needBundle ? await buildBundle(path.join(OUT, "bundle")) : undefined;
  let baseline: Baseline | undefined;
  if (opts.baseline) {
    baseline = await buildBaseline(opts.baseline);
    log(`baseline: ${baseline.dir} (handler bundle ${(baseline.handler.bytes / 1024).toFixed(1)} KB; CLI built)`);
  }

  let a: ReplayBench | undefined;
  let breakdown: Breakdown | undefined;
  let replay: CliStatus | undefined;
  if (plan.sections.has("a")) {
    const workers = os.availableParallelism();
    const rounds = `${plan.replayRuns} interleaved round${plan.replayRuns === 1 ? "" : "s"}`;
    section(`(a) replay over the corpus — whole processes, ${rounds} after a warm-up`);
    replay = await ensureReplay();
    log(
      replay.ok
        ? `  replay: ${replay.built ? "CLI rebuilt (dist was missing or stale)" : "CLI build is fresh"}`
        : `  replay: not built — ${replay.reason}`,
    );
    a = await benchReplay(
      {
        corpusDir: DEFAULT_CORPUS_DIR,
        files: manifest.files,
        expectedHits: manifest.secretValueRecords,
        expectedRecords: manifest.records,
        runs: plan.replayRuns,
        workers,
        replay,
        policyFile: policy.file,
        ...(baseline && { baselineBin: baseline.cliBin }),
        jq: host.jq !== null,
        scratch: path.join(OUT, "startup"),
      },
      log,
    );
    for (const line of replayLines(a, manifest.records)) log(`  ${line}`);
    for (const line of profileLines(a)) log(`  ${line}`);
    breakdown = benchBreakdown(DEFAULT_CORPUS_DIR, manifest.files, plan.breakdownRepeats);
    for (const line of breakdownLines(breakdown)) log(`  ${line}`);
  }

  let b: HandlerBench | undefined;
  if (plan.sections.has("b") && bundle) {
    section(
      `(b) enricher handler on a 1 MiB subscription payload — production bundle, stub SNS, under ${opts.heap ? "the V8 heap of --heap" : "the deployed V8 heap"}`,
    );
    b = await benchHandlerAsDeployed(
      {
        bundleUrl: pathToFileURL(bundle.file).href,
        ...(baseline && { baselineUrl: pathToFileURL(baseline.handler.file).href }),
        iterations: plan.handlerIterations,
        policy: policy.compiled,
      },
      path.join(OUT, "handler"),
      log,
      ...(opts.heap ? [opts.heap.trim().split(/\s+/)] : []),
    );
    for (const line of handlerLines(b)) log(`  ${line}`);
  }

  let load: LoadBench | undefined;
  if (plan.sections.has("c") && bundle) {
    section("(c) handler bundle — esbuild, minified ESM, as SST builds it");
    load = await benchLoad(bundle.file, path.join(OUT, "load"), plan.loadRuns, log, baseline?.handler.file);
    for (const line of loadLines(bundle, load)) log(`  ${line}`);
  }

  if (plan.sections.has("d")) {
    section("(d) enricher with its state table (dynalite), reads only — in-process, from source, stub SNS");
    const d = await benchState(quick ? 10 : 30, log);
    for (const line of stateLines(d)) log(`  ${line}`);
  }

  const checked = targets(a, b);
  const loadEnd = Math.round(os.loadavg()[0]! * 100) / 100;
  section("summary");
  const replayNote = replay && !replay.ok ? "replay: not built" : undefined;
  const baselineBytes = baseline?.handler.bytes;
  for (const line of finalTable({
    a,
    b,
    bundle,
    load,
    targets: checked,
    ...(replayNote && { replayNote }),
    ...(baselineBytes !== undefined && { baselineBytes }),
  }))
    log(`  ${line}`);
  if (replay && !replay.ok) log("  replay: not built");
  log(
    `  load average (1 min): ${host.loadAverage} at start, ${loadEnd} at end (on a shared machine, figures drift; ratios are interleaved)`,
  );

  const { files: _files, ...corpus } = manifest;
  const results = {
    generatedAt: new Date().toISOString(),
    quick,
    plan: { ...plan, sections: [...plan.sections] },
    machine: { ...host, loadAverageEnd: loadEnd },
    corpus,
    replay: a,
    replayStatus: replay,
    breakdown,
    handler: b,
    bundle,
    baseline: baseline && { dir: baseline.dir, handlerBytes: baseline.handler.bytes },
    policy: { file: path.relative(REPO_ROOT, policy.file), rules: policy.rules, hash: policy.compiled.hash },
    load,
    targets: checked,
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  log(
    `\nresults: ${path.relative(REPO_ROOT, path.join(OUT, "results.json"))} · total ${ms(performance.now() - started)}`,
  );
}

await main();
