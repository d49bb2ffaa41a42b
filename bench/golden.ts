/**
 * Byte-for-byte check of core's pipeline against another source tree, fast enough to run after
 * every change: both trees' `packages/core` bundled with esbuild, then the handler payloads
 * (mixed and reads only) with the defaults and the 100-rule policy, each without state and with
 * an empty state snapshot (first-seen and rapid retrieval), through decode → enrich → assess →
 * plan; the assessed hits, the plan and the state update compared as JSON. Not part of `npm run bench`:
 *   npx tsx bench/golden.ts /tmp/before    (a copy of packages/ from before the change, as for --baseline)
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { CompiledPolicy } from "@secretwatch/core";
import { build } from "esbuild";
import { NODE_PATHS, workspaceIn } from "./baseline.js";
import { REPO_ROOT } from "./corpus.js";
import { payload } from "./handler.js";
import { ensurePolicy } from "./policy.js";

type Core = typeof import("@secretwatch/core");

async function load(dir: string, name: string): Promise<Core> {
  const outfile = path.join(REPO_ROOT, ".bench/golden", `${name}.mjs`);
  await build({
    entryPoints: [path.join(dir, "packages/core/src/index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    keepNames: true,
    nodePaths: NODE_PATHS,
    plugins: [workspaceIn(dir)],
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
    logLevel: "warning",
  });
  return (await import(`${pathToFileURL(outfile).href}?${Date.now()}`)) as Core;
}

const NOW = new Date("2024-07-30T12:10:00Z");

function run(core: Core, data: string, compiled: CompiledPolicy | null, withState: boolean): string {
  const policy = compiled ?? core.compilePolicy(core.DEFAULT_POLICY, "defaults");
  const matcher = new core.PolicyMatcher(policy.policy);
  const decoded = core.decodeSubscriptionData(data);
  const hits = core.enrichEvents(decoded.events, NOW);
  const snapshot = withState ? { pairs: new Map(), windows: new Map(), alerts: new Map() } : null;
  const result = core.assessAndPlan(hits, { matcher, snapshot: snapshot as never, app: "secretwatch", stage: "bench" });
  return JSON.stringify({ malformed: decoded.malformed, ...result, emailed: core.emailedMemos(result.plan) });
}

const dir = process.argv[2];
if (!dir) throw new Error("usage: npx tsx bench/golden.ts <dir with packages/>");
const [before, after] = [await load(path.resolve(dir), "before"), await load(REPO_ROOT, "after")];
const bench = ensurePolicy().compiled;
let failed = 0;
for (const kind of ["mixed", "reads"] as const) {
  const data = payload(kind).event.awslogs.data;
  for (const [name, doc] of [
    ["defaults", null],
    ["100 rules", bench],
  ] as const) {
    for (const withState of [false, true]) {
      const [a, b] = [run(before, data, doc, withState), run(after, data, doc, withState)];
      const same = a === b;
      if (!same) failed++;
      process.stdout.write(
        `${kind}, ${name}, ${withState ? "empty state" : "no state"}: ${same ? "identical" : "DIFFERENT"} (${b.length} chars)\n`,
      );
    }
  }
}
process.exitCode = failed > 0 ? 1 : 0;
