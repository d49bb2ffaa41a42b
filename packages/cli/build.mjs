// Builds the CLI into packages/cli/dist (run by the root `prepare` script on npm install/ci):
// plain Node cannot run the TypeScript sources. Our workspace packages (@secretwatch/*) and the
// small packages every command loads (BUNDLED) are bundled in; any other third-party package
// stays external when the built CLI can resolve it from
// here (npm may have installed a workspace's dependency under that workspace only: then it is
// bundled). Commands are split into chunks loaded on demand, so `replay` does not load the
// AWS SDK clients of `doctor`. `--outdir DIR` (inside packages/cli, so that the externals
// resolve) builds elsewhere than dist/, for a test that must not replace the dist others run.
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));

/** True when Node, running dist/*.mjs, finds the package in a node_modules above packages/cli. */
function resolvableFromDist(specifier) {
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "node_modules", name, "package.json"))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

/**
 * Small pure-JavaScript packages every command loads: bundled, so that a start-up does not
 * resolve them through node_modules and lex them as CommonJS (about 10 ms of replay's start-up).
 */
const BUNDLED = new Set(["commander", "ipaddr.js"]);

const thirdPartyExternal = {
  name: "third-party-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@secretwatch/") || args.path.startsWith("node:")) return undefined;
      if (BUNDLED.has(args.path)) return undefined;
      return resolvableFromDist(args.path) ? { path: args.path, external: true } : undefined;
    });
  },
};

const flag = process.argv.indexOf("--outdir");
const outdir = flag > 0 && process.argv[flag + 1] ? path.resolve(process.argv[flag + 1]) : path.join(here, "dist");
// Start clean: chunk names carry content hashes, so old ones would pile up.
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: {
    secretwatch: path.join(here, "src/main.ts"),
    "replay-worker": path.join(here, "src/replay/worker.ts"),
  },
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  outExtension: { ".js": ".mjs" },
  sourcemap: true,
  splitting: true,
  plugins: [thirdPartyExternal],
  logLevel: "warning",
});
