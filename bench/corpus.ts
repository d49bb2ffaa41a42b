/**
 * The benchmark corpus: 100 gzipped CloudTrail S3 log files, at least 100,000 records, ~1%
 * secret-value retrievals, laid out as CloudTrail delivers them under `AWSLogs/`. Generated
 * deterministically from a seed into `.bench/corpus/`, and only again when missing or when
 * the generator changed. Run directly to (re)generate: `npx tsx bench/corpus.ts [--force]`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { noiseRecord } from "./gen/noise.js";
import type { JsonObject } from "./gen/record.js";
import { secretScenario } from "./gen/secrets.js";
import { makeWorld, type World } from "./gen/world.js";
import { ALNUM, Rng } from "./lib/prng.js";
import { percentile } from "./lib/stats.js";

/** Bump when the generator's output changes: the cached corpus is then rebuilt. */
export const GENERATOR_VERSION = 4;
export const SEED = 20240730;
export const FILES = 100;
export const RECORDS = 100_000;
/** Secret-read scenarios per record slot: about 1% of the records end up as secret-value retrievals. */
const SCENARIO_RATE = 0.0067;
const WINDOW_MS = 5 * 60_000;
const START = Date.UTC(2024, 6, 30, 6, 0, 0);

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");
export const DEFAULT_CORPUS_DIR = path.join(REPO_ROOT, ".bench", "corpus");

export interface CorpusManifest {
  version: number;
  seed: number;
  /** Paths relative to the corpus directory, in delivery order. */
  files: string[];
  records: number;
  /** Records the replay should report: GetSecretValue and BatchGetSecretValue calls. */
  secretValueRecords: number;
  getSecretValue: number;
  batchGetSecretValue: number;
  failedReads: number;
  filesWithReads: number;
  compressedBytes: number;
  rawBytes: number;
  recordBytes: { min: number; p5: number; median: number; p95: number; max: number };
}

export const isRead = (r: JsonObject) =>
  r.eventSource === "secretsmanager.amazonaws.com" &&
  (r.eventName === "GetSecretValue" || r.eventName === "BatchGetSecretValue");

/** Records per file: uneven like real deliveries (busy and quiet windows), summing to `RECORDS`. */
function fileSizes(rng: Rng): number[] {
  const raw = Array.from({ length: FILES }, () => 0.35 + rng.next() * 1.3 + (rng.chance(0.05) ? 1.5 : 0));
  const total = raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map((r) => Math.floor((r / total) * RECORDS));
  sizes[0]! += RECORDS - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

function stamp(ms: number): { day: string; key: string } {
  const iso = new Date(ms).toISOString();
  return {
    day: iso.slice(0, 10).replaceAll("-", "/"),
    key: `${iso.slice(0, 10).replaceAll("-", "")}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`,
  };
}

interface FileOut {
  relPath: string;
  body: string;
  records: JsonObject[];
  sizes: number[];
}

/** Where generated records belong and how busy with secret reads they are. */
export interface Stream {
  rng: Rng;
  world: World;
  account: World["accounts"][number];
  region: string;
  startMs: number;
  /** Multiplier of the ~1% secret-read rate (0: none). */
  activity: number;
}

/** Generates records over one delivery window until `done(records)`; secret-read scenarios stay whole. */
export function generateRecords(s: Stream, expected: number, done: (records: JsonObject[]) => boolean): JsonObject[] {
  const records: JsonObject[] = [];
  while (!done(records)) {
    const offset = (records.length / expected) * WINDOW_MS + s.rng.int(-20_000, 20_000);
    const base = {
      rng: s.rng,
      world: s.world,
      account: s.account,
      region: s.region,
      time: new Date(s.startMs + Math.max(0, offset)),
    };
    if (s.rng.chance(SCENARIO_RATE * s.activity)) records.push(...secretScenario(base));
    else records.push(noiseRecord(base));
  }
  return records;
}

function generateFile(world: World, index: number, target: number): FileOut {
  const rng = new Rng(SEED * 131 + index * 7919);
  const account = rng.weighted([
    [world.accounts[0]!, 7],
    [world.accounts[1]!, 3],
  ] as const);
  const region = rng.weighted(world.regions);
  const startMs = START + index * 3 * 60_000;
  const activity = rng.chance(0.15) ? 0 : rng.chance(0.1) ? 3 + rng.next() * 2 : 0.3 + rng.next() * 1.2;
  const records = generateRecords(
    { rng, world, account, region, startMs, activity },
    target,
    (r) => r.length >= target,
  );
  const parts = records.map((r) => JSON.stringify(r));
  const { day, key } = stamp(startMs + WINDOW_MS + rng.int(30_000, 240_000));
  const name = `${account.id}_CloudTrail_${region}_${key}_${rng.chars(16, ALNUM)}.json.gz`;
  return {
    relPath: path.posix.join("AWSLogs", account.id, "CloudTrail", region, day, name),
    body: `{"Records":[${parts.join(",")}]}`,
    records,
    sizes: parts.map((p) => Buffer.byteLength(p)),
  };
}

function generate(dir: string): CorpusManifest {
  const world = makeWorld(SEED);
  const sizes = fileSizes(new Rng(SEED));
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const m: CorpusManifest = {
    version: GENERATOR_VERSION,
    seed: SEED,
    files: [],
    records: 0,
    secretValueRecords: 0,
    getSecretValue: 0,
    batchGetSecretValue: 0,
    failedReads: 0,
    filesWithReads: 0,
    compressedBytes: 0,
    rawBytes: 0,
    recordBytes: { min: 0, p5: 0, median: 0, p95: 0, max: 0 },
  };
  const allSizes: number[] = [];
  sizes.forEach((target, i) => {
    const file = generateFile(world, i, target);
    const gz = gzipSync(file.body);
    mkdirSync(path.join(tmp, path.dirname(file.relPath)), { recursive: true });
    writeFileSync(path.join(tmp, file.relPath), gz);
    const reads = file.records.filter(isRead);
    m.files.push(file.relPath);
    m.records += file.records.length;
    m.secretValueRecords += reads.length;
    m.getSecretValue += reads.filter((r) => r.eventName === "GetSecretValue").length;
    m.batchGetSecretValue += reads.filter((r) => r.eventName === "BatchGetSecretValue").length;
    m.failedReads += reads.filter((r) => r.errorCode !== undefined).length;
    m.filesWithReads += reads.length > 0 ? 1 : 0;
    m.compressedBytes += gz.length;
    m.rawBytes += Buffer.byteLength(file.body);
    allSizes.push(...file.sizes);
  });
  allSizes.sort((a, b) => a - b);
  m.recordBytes = {
    min: allSizes[0] ?? 0,
    p5: percentile(allSizes, 0.05),
    median: percentile(allSizes, 0.5),
    p95: percentile(allSizes, 0.95),
    max: allSizes[allSizes.length - 1] ?? 0,
  };
  writeFileSync(path.join(tmp, "manifest.json"), `${JSON.stringify(m, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  return m;
}

function readManifest(dir: string): CorpusManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as CorpusManifest;
    if (m.version !== GENERATOR_VERSION || m.seed !== SEED) return undefined;
    return m.files.every((f) => existsSync(path.join(dir, f))) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The corpus in `dir`, generated first when missing or stale. */
export function ensureCorpus(
  dir = DEFAULT_CORPUS_DIR,
  force = false,
): { manifest: CorpusManifest; generatedMs: number | null } {
  const cached = force ? undefined : readManifest(dir);
  if (cached) return { manifest: cached, generatedMs: null };
  const t0 = performance.now();
  const manifest = generate(dir);
  return { manifest, generatedMs: performance.now() - t0 };
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) {
  const { manifest, generatedMs } = ensureCorpus(DEFAULT_CORPUS_DIR, process.argv.includes("--force"));
  const { files, ...summary } = manifest;
  console.log(JSON.stringify({ dir: DEFAULT_CORPUS_DIR, files: files.length, generatedMs, ...summary }, null, 2));
}
