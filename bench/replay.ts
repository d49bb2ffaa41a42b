/**
 * (a) Replay throughput, as whole processes over the corpus: `secretwatch replay` with 1 worker
 * (the defaults, and the bench's 100-rule policy file) and with N workers (the policy), the
 * single-thread limit (gunzip + JSON.parse, nothing else) and jq over zcat; with a baseline
 * build (`--baseline`), also its replay with 1 worker and the policy. Runs are interleaved
 * (A B C D A B C D …) after one warm-up round, which also checks that the outputs agree (and
 * that the baseline prints exactly what this tree prints). The same contenders on one empty
 * log file give each one's fixed start-up cost.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { CLI_BIN, type CliStatus } from "./lib/cli.js";
import { type ProcResult, type ProcSpec, runProcess } from "./lib/proc.js";
import { type Summary, summarize } from "./lib/stats.js";
import { type Profile, profileProcess } from "./profile.js";

export const JQ_FILTER =
  '.Records[] | select(.eventSource=="secretsmanager.amazonaws.com" and (.eventName=="GetSecretValue" or .eventName=="BatchGetSecretValue"))';

export type CaseId =
  | "limit"
  | "floor"
  | "replay-1"
  | "replay-1-policy"
  | "replay-N"
  | "jq"
  | "baseline-replay-1-policy";
/** The contenders that print one NDJSON line per hit. */
const REPLAYS = ["replay-1", "replay-1-policy", "replay-N", "baseline-replay-1-policy"] as const;

export interface CaseResult {
  id: CaseId;
  label: string;
  command: string;
  /** Why it did not run. */
  skipped?: string;
  /** Wall time over the corpus. */
  time?: Summary;
  /** CPU time (user + system, the whole process tree) over the corpus. */
  cpu?: Summary;
  /** Wall time on one empty log file: the fixed start-up cost. */
  startup?: Summary;
  /** Output lines of the last good run (hits for replay and jq; 1 for the limit). */
  lines?: number;
  /** One extra run under `node --cpu-prof` (node contenders only). */
  profile?: Profile | { error: string };
  failures: string[];
}

export interface Agreement {
  expectedHits: number;
  expectedRecords: number;
  limitRecords: number | null;
  counts: Partial<Record<CaseId, number>>;
  /** eventIDs that jq printed and a replay did not, or the reverse (warm-up round). */
  idMismatches: Partial<Record<CaseId, { missing: number; extra: number }>>;
  /** Tamper lines (`kind: "tamper"`) each replay printed besides its read lines. */
  tamperLines: Partial<Record<CaseId, number>>;
  /** With a baseline: whether its NDJSON (the policy) is byte for byte this tree's. */
  baselineIdentical: boolean | null;
  ok: boolean;
  notes: string[];
}

export interface ReplayBench {
  workers: number;
  runs: number;
  cases: CaseResult[];
  agreement: Agreement;
}

export interface ReplayOptions {
  corpusDir: string;
  files: string[];
  expectedHits: number;
  expectedRecords: number;
  runs: number;
  workers: number;
  replay: CliStatus;
  /** The policy file replay is given with `--policy` (absolute). */
  policyFile: string;
  /** The baseline CLI's entry (`bin.mjs`), when a baseline is measured. */
  baselineBin?: string;
  jq: boolean;
  /** A scratch directory (for the empty log file). */
  scratch: string;
}

interface Contender {
  id: CaseId;
  label: string;
  command: string;
  spec?: (files: string[], cwd: string) => ProcSpec;
  skipped?: string;
}

function contenders(o: ReplayOptions): Contender[] {
  const node = process.execPath;
  const replay = (id: CaseId, label: string, bin: string, n: number, policy: boolean): Contender => {
    const extra = policy ? ["--policy", o.policyFile] : [];
    return {
      id,
      label,
      command: `node ${bin === CLI_BIN ? "packages/cli/bin/secretwatch.js" : path.basename(bin)} replay <files> --format json --workers ${n}${policy ? " --policy .bench/policy.yaml" : ""}`,
      ...(o.replay.ok
        ? {
            spec: (files, cwd) => ({
              cmd: node,
              args: [bin, "replay", ...files, "--format", "json", "--workers", String(n), ...extra],
              cwd,
            }),
          }
        : { skipped: `not built (${o.replay.reason})` }),
    };
  };
  const limit: Contender = {
    id: "limit",
    label: "limit (gunzip+parse)",
    command: "node bench/limit.mjs <files>",
    spec: (files, cwd) => ({ cmd: node, args: [path.join(import.meta.dirname, "limit.mjs"), ...files], cwd }),
  };
  const floor: Contender = {
    id: "floor",
    label: "floor (gunzip+byte scan)",
    command: "node bench/floor.mjs <files>",
    spec: (files, cwd) => ({ cmd: node, args: [path.join(import.meta.dirname, "floor.mjs"), ...files], cwd }),
  };
  const jq: Contender = {
    id: "jq",
    label: "zcat | jq -c",
    command: `zcat <files> | jq -c '${JQ_FILTER}'`,
    ...(o.jq
      ? {
          spec: (files, cwd) => ({
            cmd: "/bin/sh",
            args: ["-c", 'zcat -- "$@" | jq -c "$JQ_FILTER"', "sh", ...files],
            cwd,
            env: { ...process.env, JQ_FILTER },
          }),
        }
      : { skipped: "skipped (jq not found)" }),
  };
  const single = {
    id: "replay-N" as const,
    label: "replay -w N --policy",
    command: "",
    skipped: "1 core: as --workers 1",
  };
  return [
    limit,
    floor,
    replay("replay-1", "replay -w 1", CLI_BIN, 1, false),
    replay("replay-1-policy", "replay -w 1 --policy", CLI_BIN, 1, true),
    o.workers > 1 ? replay("replay-N", `replay -w ${o.workers} --policy`, CLI_BIN, o.workers, true) : single,
    jq,
    ...(o.baselineBin ? [replay("baseline-replay-1-policy", "baseline: -w 1 --policy", o.baselineBin, 1, true)] : []),
  ];
}

/**
 * The eventIDs of the read lines of an NDJSON output (replay's `kind` `read` or `batch`, or
 * jq's, which have no `kind`), and how many tamper lines it also held: replay reports the
 * corpus's Secrets Manager tamper events (`kind: "tamper"`) too, which jq's filter does not select.
 */
function readLines(result: ProcResult): { ids: Set<string>; reads: number; tamper: number } {
  const ids = new Set<string>();
  let [reads, tamper] = [0, 0];
  for (const line of (result.stdout ?? "").split("\n")) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as { eventID?: unknown; kind?: unknown };
      if (value.kind === "tamper") {
        tamper++;
        continue;
      }
      reads++;
      if (typeof value.eventID === "string") ids.add(value.eventID);
    } catch {
      reads++; // counted as a line, so the comparison shows it
    }
  }
  return { ids, reads, tamper };
}

function failure(r: ProcResult): string | undefined {
  if (r.code === 0) return undefined;
  return `exit ${r.code ?? r.signal}: ${r.stderrTail.trim().split("\n").slice(-2).join(" ").slice(0, 200)}`;
}

/** One empty CloudTrail log file, for the start-up cost. */
function emptyLogFile(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "empty.json.gz"), gzipSync('{"Records":[]}'));
  return "empty.json.gz";
}

export async function benchReplay(o: ReplayOptions, log: (line: string) => void): Promise<ReplayBench> {
  const list = contenders(o);
  const active = list.filter((c) => c.spec);
  const results = new Map<CaseId, CaseResult>(
    list.map((c) => [
      c.id,
      { id: c.id, label: c.label, command: c.command, failures: [], ...(c.skipped && { skipped: c.skipped }) },
    ]),
  );
  const wall = new Map<CaseId, number[]>(list.map((c) => [c.id, []]));
  const cpu = new Map<CaseId, number[]>(list.map((c) => [c.id, []]));
  const startup = new Map<CaseId, number[]>(list.map((c) => [c.id, []]));
  const empty = emptyLogFile(o.scratch);

  log("  warm-up round (also checks outputs) …");
  const warm = new Map<CaseId, ProcResult>();
  for (const c of active) {
    const r = await runProcess({ ...c.spec!(o.files, o.corpusDir), collect: c.id !== "limit" });
    warm.set(c.id, r);
    await runProcess(c.spec!([empty], o.scratch));
    const f = failure(r);
    if (f) results.get(c.id)!.failures.push(`warm-up: ${f}`);
  }
  let limitRecords: number | null = null;
  for (let round = 1; round <= o.runs; round++) {
    const line: string[] = [];
    for (const c of active) {
      const r = await runProcess({ ...c.spec!(o.files, o.corpusDir), cpu: true });
      const res = results.get(c.id)!;
      const f = failure(r);
      if (f) res.failures.push(`run ${round}: ${f}`);
      else {
        wall.get(c.id)!.push(r.ms);
        if (r.cpuMs !== undefined) cpu.get(c.id)!.push(r.cpuMs);
        res.lines = r.stdoutLines;
        if (c.id === "limit") limitRecords = Number.parseInt(r.stdoutHead, 10);
      }
      line.push(`${c.id} ${(r.ms / 1000).toFixed(2)}s`);
    }
    for (const c of active) {
      const r = await runProcess(c.spec!([empty], o.scratch));
      if (r.code === 0) startup.get(c.id)!.push(r.ms);
    }
    log(`  round ${round}/${o.runs}: ${line.join("  ")}`);
  }
  log("  one profiled run each (node --cpu-prof) …");
  for (const c of active) {
    if (c.id !== "jq" && c.id !== "floor")
      results.get(c.id)!.profile = await profileProcess(c.spec!(o.files, o.corpusDir));
  }
  for (const [id, res] of results) {
    if (wall.get(id)!.length > 0) res.time = summarize(wall.get(id)!);
    if (cpu.get(id)!.length > 0) res.cpu = summarize(cpu.get(id)!);
    if (startup.get(id)!.length > 0) res.startup = summarize(startup.get(id)!);
  }
  return {
    workers: o.workers,
    runs: o.runs,
    cases: [...results.values()],
    agreement: agree(o, warm, limitRecords),
  };
}

function agree(o: ReplayOptions, warm: Map<CaseId, ProcResult>, limitRecords: number | null): Agreement {
  const counts: Agreement["counts"] = {};
  const tamperLines: Agreement["tamperLines"] = {};
  const parsed = new Map<CaseId, ReturnType<typeof readLines>>();
  for (const id of [...REPLAYS, "jq"] as const) {
    const r = warm.get(id);
    if (r?.code !== 0) continue;
    const lines = readLines(r);
    parsed.set(id, lines);
    counts[id] = lines.reads;
    if (id !== "jq") tamperLines[id] = lines.tamper;
  }
  const notes: string[] = [];
  const idMismatches: Agreement["idMismatches"] = {};
  const jqIds = parsed.get("jq")?.ids;
  for (const id of REPLAYS) {
    const ids = parsed.get(id)?.ids;
    if (!jqIds || !ids) continue;
    const missing = [...jqIds].filter((x) => !ids.has(x)).length;
    const extra = [...ids].filter((x) => !jqIds.has(x)).length;
    idMismatches[id] = { missing, extra };
    if (missing || extra) notes.push(`${id}: ${missing} eventIDs of jq's output missing, ${extra} not in jq's output`);
  }
  for (const [id, n] of Object.entries(counts)) {
    if (n !== o.expectedHits)
      notes.push(`${id} printed ${n} read lines; the corpus holds ${o.expectedHits} secret-value records`);
  }
  const [mine, theirs] = [warm.get("replay-1-policy"), warm.get("baseline-replay-1-policy")];
  const baselineIdentical =
    mine && theirs && mine.code === 0 && theirs.code === 0 ? mine.stdout === theirs.stdout : null;
  if (baselineIdentical === false) notes.push("the baseline's NDJSON with the policy differs from this tree's");
  if (limitRecords !== null && limitRecords !== o.expectedRecords) {
    notes.push(`the limit parsed ${limitRecords} records; the corpus holds ${o.expectedRecords}`);
  }
  return {
    expectedHits: o.expectedHits,
    expectedRecords: o.expectedRecords,
    limitRecords,
    counts,
    idMismatches,
    tamperLines,
    baselineIdentical,
    ok: notes.length === 0 && Object.keys(counts).length > 0,
    notes,
  };
}
