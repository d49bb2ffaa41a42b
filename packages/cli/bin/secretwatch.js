#!/usr/bin/env node
// The `secretwatch` command: checks the Node.js version, then runs the CLI built into ../dist
// by `npm install` (prepare). Plain JavaScript that any Node.js runs, so that an old one gets
// one line saying what is needed instead of a failure deep in a dependency.
import { existsSync } from "node:fs";

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
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
