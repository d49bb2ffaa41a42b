/**
 * Where a whole process spends its CPU: runs it once under `node --cpu-prof` (main thread and
 * workers each write a profile, if they exit normally) and sums the samples' self time into
 * categories — gunzip, buffer decoding, GC, module loading, JS code — plus its top JS functions.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ProcSpec, runProcess } from "./lib/proc.js";

export interface Profile {
  threads: number;
  totalMs: number;
  categories: Record<string, number>;
  /** Top functions of the program's own code (not Node internals), self time. */
  topFunctions: { name: string; file: string; ms: number }[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

const MODULE_LOADING = /^node:internal\/(modules|deps\/cjs-module-lexer|bootstrap\/realm)/;
const LOADER_FUNCTIONS = new Set([
  "wrapSafe",
  "compileForInternalLoader",
  "compileSourceTextModule",
  "internalModuleStat",
]);
const FS_FUNCTIONS = new Set(["read", "open", "close", "stat", "fstat", "lstat", "readFileUtf8", "readdir"]);

/**
 * The bucket of one sample. V8 counts built-ins such as JSON.parse in the calling JS function,
 * so "JS code" includes the JSON parsing done there.
 */
export function category(functionName: string, url: string): string {
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "VM (program)";
  if (url === "node:zlib") return "gunzip (zlib)";
  if (url === "node:buffer" || url === "node:internal/buffer" || /Slice$/.test(functionName))
    return "buffer decode/copy";
  if (url === "node:fs" || (url === "" && FS_FUNCTIONS.has(functionName))) return "fs";
  if (MODULE_LOADING.test(url) || LOADER_FUNCTIONS.has(functionName)) return "module loading";
  if (url.includes("/node_modules/")) return "dependencies";
  if (url.startsWith("node:") || url === "") return "node internals";
  return "JS code";
}

export function summarizeProfiles(files: string[]): Profile {
  const categories: Record<string, number> = {};
  const functions = new Map<string, { name: string; file: string; ms: number }>();
  let totalMs = 0;
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    p.samples.forEach((id, i) => {
      const frame = byId.get(id);
      const ms = (p.timeDeltas[i] ?? 0) / 1000;
      if (!frame) return;
      const c = category(frame.functionName, frame.url);
      categories[c] = (categories[c] ?? 0) + ms;
      totalMs += ms;
      if (c === "JS code") {
        const name = frame.functionName || "(anonymous)";
        const key = `${name} ${frame.url}`;
        const entry = functions.get(key) ?? { name, file: path.basename(frame.url), ms: 0 };
        entry.ms += ms;
        functions.set(key, entry);
      }
    });
  }
  const topFunctions = [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, 6);
  return { threads: files.length, totalMs, categories, topFunctions };
}

/** Runs a `node` command (spec.cmd must be node) once with `--cpu-prof` and summarises it. */
export async function profileProcess(spec: ProcSpec): Promise<Profile | { error: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-bench-prof-"));
  try {
    const r = await runProcess({ ...spec, args: ["--cpu-prof", "--cpu-prof-dir", dir, ...spec.args] });
    if (r.code !== 0) return { error: `exit ${r.code}: ${r.stderrTail.trim().slice(-200)}` };
    const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
    return summarizeProfiles(files.map((f) => path.join(dir, f)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
