/**
 * A baseline to measure against in the same run: another copy of the sources (a directory
 * holding `packages/core`, `packages/functions` and `packages/cli`, e.g. copied before a
 * change), built the way this tree's handler bundle (tests/helpers/bundle.ts) and CLI
 * (packages/cli/build.mjs) are built, into `.bench/baseline/`. Its `@secretwatch/*` imports
 * resolve inside that copy; third-party packages come from this repository's node_modules.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build, type Plugin } from "esbuild";
import { SST_FUNCTION_BUILD } from "../tests/helpers/bundle.js";
import { REPO_ROOT } from "./corpus.js";

export interface Baseline {
  /** The copy measured. */
  dir: string;
  handler: { file: string; bytes: number };
  /** Runs the baseline CLI like packages/cli/bin/secretwatch.js runs this tree's. */
  cliBin: string;
}

export const NODE_PATHS = ["node_modules", "packages/functions/node_modules", "packages/cli/node_modules"].map((p) =>
  path.join(REPO_ROOT, p),
);

/** `@secretwatch/<pkg>[/sub]` to the copy's file, through the package's own `exports`. */
export function workspaceIn(dir: string): Plugin {
  return {
    name: "baseline-workspace",
    setup(b) {
      b.onResolve({ filter: /^@secretwatch\// }, (args) => {
        const [, pkg, sub] = /^@secretwatch\/([^/]+)(\/.*)?$/.exec(args.path) ?? [];
        const root = path.join(dir, "packages", pkg ?? "");
        const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
          exports: Record<string, string>;
          sideEffects?: boolean;
        };
        const target = manifest.exports[`.${sub ?? ""}`];
        if (!target) return { errors: [{ text: `${args.path} is not exported by the baseline's ${pkg}` }] };
        // As esbuild reads it from package.json: `"sideEffects": false` lets unused modules (zod, yaml) drop out.
        return { path: path.join(root, target), ...(manifest.sideEffects === false && { sideEffects: false }) };
      });
    },
  };
}

/** Third-party packages this repository resolves from packages/cli stay external, as in packages/cli/build.mjs. */
const thirdPartyExternal: Plugin = {
  name: "third-party-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@secretwatch/") || args.path.startsWith("node:")) return undefined;
      const parts = args.path.split("/");
      const name = args.path.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
      for (let d = path.join(REPO_ROOT, "packages/cli"); ; d = path.dirname(d)) {
        if (existsSync(path.join(d, "node_modules", name, "package.json"))) return { path: args.path, external: true };
        if (path.dirname(d) === d) return undefined;
      }
    });
  },
};

export async function buildBaseline(
  dir: string,
  outdir = path.join(REPO_ROOT, ".bench", "baseline"),
): Promise<Baseline> {
  const src = path.resolve(dir);
  if (!existsSync(path.join(src, "packages/core/src/index.ts"))) {
    throw new Error(`--baseline ${dir}: no packages/core/src/index.ts there`);
  }
  rmSync(outdir, { recursive: true, force: true });
  const handlerDir = path.join(outdir, "handler");
  // SST's build of Node functions (tests/helpers/bundle.ts), minified, resolving the baseline's own sources.
  const handler = await build({
    ...SST_FUNCTION_BUILD,
    entryPoints: { enricher: path.join(src, "packages/functions/src/enricher.ts") },
    outdir: handlerDir,
    minify: true,
    nodePaths: NODE_PATHS,
    plugins: [workspaceIn(src)],
  });
  const [file, meta] = Object.entries(handler.metafile.outputs).find(([f]) => f.endsWith(".mjs")) ?? [];
  if (!file || !meta) throw new Error("esbuild produced no baseline handler bundle");
  // The options of packages/cli/build.mjs.
  const cliDist = path.join(outdir, "cli", "dist");
  await build({
    entryPoints: {
      secretwatch: path.join(src, "packages/cli/src/main.ts"),
      "replay-worker": path.join(src, "packages/cli/src/replay/worker.ts"),
    },
    outdir: cliDist,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outExtension: { ".js": ".mjs" },
    sourcemap: true,
    splitting: true,
    nodePaths: NODE_PATHS,
    plugins: [workspaceIn(src), thirdPartyExternal],
    logLevel: "warning",
  });
  const cliBin = path.join(outdir, "cli", "bin.mjs");
  mkdirSync(path.dirname(cliBin), { recursive: true });
  writeFileSync(
    cliBin,
    'const { main } = await import(new URL("./dist/secretwatch.mjs", import.meta.url).href);\nprocess.exitCode = await main(process.argv.slice(2));\n',
  );
  return { dir: src, handler: { file: path.resolve(file), bytes: meta.bytes }, cliBin };
}
