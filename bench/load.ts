/**
 * (c) The handler bundle, built as SST builds it (tests/helpers/bundle.ts: esbuild, minified
 * ESM, everything inside, each dynamic import() its own chunk): the bytes `import()` of the
 * handler loads, the whole package, and its cold module-load time in fresh `node` processes
 * against an empty module, interleaved.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bundleHandler } from "../tests/helpers/bundle.js";
import { REPO_ROOT } from "./corpus.js";
import { runProcess } from "./lib/proc.js";
import { type Summary, summarize } from "./lib/stats.js";

export const HANDLER_ENTRY = path.join(REPO_ROOT, "packages/functions/src/enricher.ts");

export interface BundleInfo {
  /** The handler's module. */
  file: string;
  /** Minified bytes `import()` of the handler loads (its module and the chunks it imports statically). */
  bytes: number;
  /** Those files gzipped. */
  gzipBytes: number;
  /** Every module file in the package, the lazily imported chunks included. */
  packageBytes: number;
  /** Files loaded by `import()`, and chunks only a dynamic import reaches. */
  loadedFiles: number;
  lazyFiles: number;
  buildMs: number;
}

export interface LoadCase {
  /** `import()` of the module, measured inside the child, ms. */
  importMs: Summary;
  /** From the child's time origin to the module loaded, ms. */
  readyMs: Summary;
  /** The whole process, spawn to exit, ms. */
  processMs: Summary;
}

export interface LoadBench {
  runs: number;
  bundle: LoadCase;
  empty: LoadCase;
  /** The baseline's bundle (`--baseline`), in the same rounds. */
  baseline?: LoadCase;
}

export async function buildBundle(outdir: string): Promise<BundleInfo> {
  const t0 = performance.now();
  const b = await bundleHandler(HANDLER_ENTRY, outdir, true);
  const buildMs = performance.now() - t0;
  return {
    file: b.file,
    bytes: b.bytes,
    gzipBytes: b.gzipBytes,
    packageBytes: b.packageBytes,
    loadedFiles: b.loaded.length,
    lazyFiles: b.lazy.length,
    buildMs,
  };
}

const PROBE = `const t0 = performance.now();
await import(process.argv[2]);
const t1 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, readyMs: t1 }));
`;

export async function benchLoad(
  bundleFile: string,
  dir: string,
  runs: number,
  log: (line: string) => void,
  baselineFile?: string,
): Promise<LoadBench> {
  mkdirSync(dir, { recursive: true });
  const probe = path.join(dir, "load-probe.mjs");
  const empty = path.join(dir, "empty.mjs");
  writeFileSync(probe, PROBE);
  writeFileSync(empty, "");
  const targets: Record<string, string> = { bundle: pathToFileURL(bundleFile).href, empty: pathToFileURL(empty).href };
  if (baselineFile) targets.baseline = pathToFileURL(baselineFile).href;
  type Samples = { importMs: number[]; readyMs: number[]; processMs: number[] };
  const samples: Record<string, Samples> = {};
  for (const key of Object.keys(targets)) samples[key] = { importMs: [], readyMs: [], processMs: [] };
  const warmup = 2;
  log(`  ${warmup} warm-up + ${runs} interleaved fresh processes each …`);
  for (let i = -warmup; i < runs; i++) {
    for (const key of Object.keys(targets)) {
      const r = await runProcess({ cmd: process.execPath, args: [probe, targets[key]!], cwd: dir });
      if (r.code !== 0) throw new Error(`loading the ${key} module failed: ${r.stderrTail.trim()}`);
      if (i < 0) continue;
      const m = JSON.parse(r.stdoutHead) as { importMs: number; readyMs: number };
      samples[key]!.importMs.push(m.importMs);
      samples[key]!.readyMs.push(m.readyMs);
      samples[key]!.processMs.push(r.ms);
    }
  }
  const sum = (s: Samples): LoadCase => ({
    importMs: summarize(s.importMs),
    readyMs: summarize(s.readyMs),
    processMs: summarize(s.processMs),
  });
  return {
    runs,
    bundle: sum(samples.bundle!),
    empty: sum(samples.empty!),
    ...(samples.baseline && { baseline: sum(samples.baseline) }),
  };
}
