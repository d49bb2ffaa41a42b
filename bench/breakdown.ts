/**
 * Where replay time goes, in-process over the same corpus, phase by phase: read, gunzip,
 * UTF-8 decode, JSON.parse, select, enrich (core's own functions), serialise the hits as
 * NDJSON. Also a byte scan for the event source, the cost of a text pre-filter.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { type CloudTrailRecord, enrichRecord, isSecretValueRetrieval } from "@secretwatch/core";
import { summarize } from "./lib/stats.js";

export const PHASES = ["read", "gunzip", "utf8", "parse", "select", "enrich", "serialize"] as const;
export type Phase = (typeof PHASES)[number];

export interface Breakdown {
  repeats: number;
  /** Median total per phase over the whole corpus, ms. */
  phases: Record<Phase, number>;
  /** Sum of the phases. */
  totalMs: number;
  /** Buffer.indexOf of "secretsmanager.amazonaws.com" over the gunzipped bytes (an alternative, not in the total). */
  scanMs: number;
  records: number;
  hits: number;
}

const NEEDLE = Buffer.from('"secretsmanager.amazonaws.com"');

function once(files: readonly string[], now: Date) {
  const t: Record<Phase | "scan", number> = {
    read: 0,
    gunzip: 0,
    utf8: 0,
    parse: 0,
    select: 0,
    enrich: 0,
    serialize: 0,
    scan: 0,
  };
  let records = 0;
  let hits = 0;
  let sink = 0;
  for (const file of files) {
    let t0 = performance.now();
    const gz = readFileSync(file);
    let t1 = performance.now();
    t.read += t1 - t0;
    const raw = gunzipSync(gz);
    t0 = performance.now();
    t.gunzip += t0 - t1;
    for (let i = raw.indexOf(NEEDLE); i !== -1; i = raw.indexOf(NEEDLE, i + 1)) sink++;
    t1 = performance.now();
    t.scan += t1 - t0;
    const text = raw.toString("utf8");
    t0 = performance.now();
    t.utf8 += t0 - t1;
    const doc = JSON.parse(text) as { Records: CloudTrailRecord[] };
    t1 = performance.now();
    t.parse += t1 - t0;
    const selected = doc.Records.filter(isSecretValueRetrieval);
    t0 = performance.now();
    t.select += t0 - t1;
    const enriched = selected.map((r) => enrichRecord(r, { now }));
    t1 = performance.now();
    t.enrich += t1 - t0;
    let out = "";
    for (const e of enriched) out += `${JSON.stringify(e)}\n`;
    t0 = performance.now();
    t.serialize += t0 - t1;
    records += doc.Records.length;
    hits += selected.length;
    sink += out.length;
  }
  return { t, records, hits, sink };
}

export function benchBreakdown(corpusDir: string, files: readonly string[], repeats: number): Breakdown {
  const abs = files.map((f) => path.join(corpusDir, f));
  const now = new Date("2024-07-30T12:00:00Z");
  once(abs, now); // warm-up: JIT and page cache
  const runs = Array.from({ length: repeats }, () => once(abs, now));
  const med = (k: Phase | "scan") => summarize(runs.map((r) => r.t[k])).median;
  const phases = Object.fromEntries(PHASES.map((p) => [p, med(p)])) as Record<Phase, number>;
  const last = runs[runs.length - 1]!;
  return {
    repeats,
    phases,
    totalMs: PHASES.reduce((sum, p) => sum + phases[p], 0),
    scanMs: med("scan"),
    records: last.records,
    hits: last.hits,
  };
}
