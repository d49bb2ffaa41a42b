/**
 * `npm run bench`: the benchmarks of issue 3 §7, side by side in one run, on this machine.
 *   (a) replay with 1 and N workers vs the single-thread limit vs jq, whole processes;
 *       plus where the time goes, phase by phase;
 *   (b) the handler on a 1 MiB subscription payload vs merely decoding it;
 *   (c) the handler bundle's size and cold module-load time.
 * Figures are reported, never gated: a missed target does not fail the run.
 * Options: --quick (fewer runs), --runs N (rounds of (a)), --only a,b,c, --force-corpus.
 * Results also go to .bench/results.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Breakdown, benchBreakdown } from "./breakdown.js";
import { DEFAULT_CORPUS_DIR, ensureCorpus, REPO_ROOT } from "./corpus.js";
import { benchHandler, type HandlerBench } from "./handler.js";
import { type CliStatus, ensureReplay } from "./lib/cli.js";
import { describeMachine, machine } from "./lib/machine.js";
import { ms } from "./lib/stats.js";
import { targets } from "./lib/targets.js";
import { type BundleInfo, benchLoad, buildBundle, type LoadBench } from "./load.js";
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

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    only: { type: "string", default: "a,b,c" },
    "force-corpus": { type: "boolean", default: false },
  },
});
const quick = opts.quick ?? false;
const plan = {
  replayRuns: opts.runs ? Number.parseInt(opts.runs, 10) : quick ? 2 : 5,
  breakdownRepeats: quick ? 1 : 3,
  handlerIterations: quick ? 40 : 150,
  loadRuns: quick ? 5 : 15,
  sections: new Set((opts.only ?? "a,b,c").split(",").map((s) => s.trim())),
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

  const needBundle = plan.sections.has("b") || plan.sections.has("c");
  const bundle: BundleInfo | undefined = needBundle ? await buildBundle(path.join(OUT, "bundle")) : undefined;

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
    section("(b) enricher handler on a 1 MiB subscription payload — in-process, production bundle, stub SNS");
    b = await benchHandler(pathToFileURL(bundle.file).href, plan.handlerIterations, log);
    for (const line of handlerLines(b)) log(`  ${line}`);
  }

  let load: LoadBench | undefined;
  if (plan.sections.has("c") && bundle) {
    section("(c) handler bundle — esbuild, minified ESM, as SST builds it");
    load = await benchLoad(bundle.file, path.join(OUT, "load"), plan.loadRuns, log);
    for (const line of loadLines(bundle, load)) log(`  ${line}`);
  }

  const checked = targets(a, b);
  const loadEnd = Math.round(os.loadavg()[0]! * 100) / 100;
  section("summary");
  const replayNote = replay && !replay.ok ? "replay: not built" : undefined;
  for (const line of finalTable({ a, b, bundle, load, targets: checked, ...(replayNote && { replayNote }) }))
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
