/**
 * Realistic assessed hits for the HTML report's tests: committed CloudTrail fixtures through
 * the same enrich → assess steps as replay (the CLI's Assessor, one unit per log file, in
 * file order), with the policy each fixture was written for.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Assessor, emailedIn } from "../../../packages/cli/src/assessment.js";
import { enrichRecord, isSecretValueRetrieval, parsePolicyDocument } from "../../../packages/core/src/index.js";
import type { AssessedAccess, CloudTrailRecord } from "../../../packages/core/src/types.js";

const FIXTURES = new URL("../../fixtures/", import.meta.url).pathname;

export interface Assessed {
  hits: AssessedAccess[];
  emailed: Map<AssessedAccess, boolean>;
}

function policy(file: string | null) {
  const text = file === null ? "version: 1\n" : readFileSync(file, "utf8");
  const parsed = parsePolicyDocument(text, file ?? "defaults");
  if (!parsed.ok) throw new Error(`bad test policy ${file}: ${JSON.stringify(parsed.problems)}`);
  return parsed.compiled;
}

const recordsOf = (doc: unknown): CloudTrailRecord[] =>
  (Array.isArray(doc) ? doc : ((doc as { Records?: unknown[] }).Records ?? [])) as CloudTrailRecord[];

/** Each unit of records assessed in turn with one state, as replay does. */
export async function assess(units: CloudTrailRecord[][], policyFile: string | null, now: Date): Promise<Assessed> {
  const assessor = new Assessor(policy(policyFile), { app: "secretwatch", stage: "prod" });
  const out: Assessed = { hits: [], emailed: new Map() };
  for (const records of units) {
    const reads = records.filter((r) => isSecretValueRetrieval(r)).map((r) => enrichRecord(r, { now }));
    if (reads.length === 0) continue;
    const { hits, plan } = await assessor.unit(reads);
    out.hits.push(...hits);
    for (const [hit, emailed] of emailedIn(plan)) out.emailed.set(hit, emailed);
  }
  return out;
}

function gzFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".json.gz"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
}

/** The backtest archive (two days of one account, tests/fixtures/backtest/expected.json). */
export function backtestHits(): Promise<Assessed> {
  const dir = `${FIXTURES}backtest/`;
  const units = gzFiles(`${dir}AWSLogs`).map((f) =>
    recordsOf(JSON.parse(gunzipSync(readFileSync(f)).toString("utf8"))),
  );
  return assess(units, `${dir}secretwatch.policy.yaml`, new Date("2024-06-05T00:00:00Z"));
}

/** One file of tests/fixtures/cloudtrail/ as one unit. */
export function cloudtrailHits(name: string, policyFile: string | null = null): Promise<Assessed> {
  const doc = JSON.parse(readFileSync(`${FIXTURES}cloudtrail/${name}.json`, "utf8"));
  const policyPath = policyFile === null ? null : `${FIXTURES}cloudtrail/${policyFile}`;
  return assess([recordsOf(doc)], policyPath, new Date("2024-08-01T00:00:00Z"));
}
