#!/usr/bin/env node
// The `secretwatch` command: checks the Node.js version, then runs the CLI built into ../dist
// by `npm install` (prepare). Plain JavaScript that any Node.js runs, so that an old one gets
// one line saying what is needed instead of a failure deep in a dependency.
import { existsSync } from "node:fs";
import module from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The root package.json's `engines.node` (tests/cli/node-version.test.ts keeps them equal). */
const REQUIRED_NODE = ">=22.12";

/** True when `version` (`22.11.0`) is at least `required` (`>=22.12`). */
function satisfies(version, required) {
  const want = required.replace(/^>=/, "").split(".").map(Number);
  const have = version.split(".").map(Number);
  for (let i = 0; i < want.length; i++) {
    const [h, w] = [have[i] ?? 0, want[i] ?? 0];
    if (h !== w) return h > w;
  }
  return true;
}

if (!satisfies(process.versions.node, REQUIRED_NODE)) {
  process.stderr.write(`secretwatch: needs Node.js ${REQUIRED_NODE}, found ${process.versions.node}\n`);
  process.exit(2);
}

const entry = new URL("../dist/secretwatch.mjs", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "secretwatch: the CLI is not built yet; run `npm install` (or `npm run build`) at the repository root\n",
  );
  process.exit(2);
}
// V8 keeps the CLI's compiled code on disk, so a run after the first skips most of the compiling
// (https://nodejs.org/api/module.html#moduleenablecompilecachecachedir). It lives beside the
// policy cache (policy-file.ts): SECRETWATCH_CACHE_DIR, else node_modules/.cache/secretwatch.
const cacheSetting = process.env.SECRETWATCH_CACHE_DIR?.trim();
if (cacheSetting !== "off") {
  const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const cacheDir = cacheSetting || path.join(here, "node_modules", ".cache", "secretwatch");
  module.enableCompileCache?.(path.join(cacheDir, "v8"));
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
