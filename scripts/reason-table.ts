/** Prints the README's reason table (packages/core/src/reasons.ts is the source): `npx tsx scripts/reason-table.ts`. */
import { reasonTableMarkdown } from "../packages/core/src/reason-table.js";

process.stdout.write(`${reasonTableMarkdown()}\n`);
