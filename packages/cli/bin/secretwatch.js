#!/usr/bin/env node
// The `secretwatch` command: runs the CLI built into ../dist by `npm install` (prepare).
import { existsSync } from "node:fs";

const entry = new URL("../dist/secretwatch.mjs", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "secretwatch: the CLI is not built yet; run `npm install` (or `npm run build`) at the repository root\n",
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
