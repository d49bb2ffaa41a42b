/**
 * Writes the policy file's JSON Schema (schemas/secretwatch.policy.schema.json) from the zod
 * schema in packages/core/src/policy-schema.ts, formatted by Biome as `npm run lint` expects.
 * Run `npm run policy:schema` after changing that schema: tests/core/policy-schema.test.ts
 * fails while the committed file differs.
 * @see https://zod.dev/json-schema
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { policyJsonSchemaText } from "../packages/core/src/policy-schema.js";

const FILE = "schemas/secretwatch.policy.schema.json";
const target = fileURLToPath(new URL(`../${FILE}`, import.meta.url));
writeFileSync(target, policyJsonSchemaText());
const biome = createRequire(import.meta.url).resolve("@biomejs/biome/bin/biome");
execFileSync(process.execPath, [biome, "format", "--write", target], { stdio: "ignore" });
process.stdout.write(`wrote ${FILE}\n`);
