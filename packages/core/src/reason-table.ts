/**
 * The reason table as Markdown, for the README: generated from REASONS so the documentation
 * cannot drift from the code (a test compares the README's table with this).
 */
import { REASONS, type ReasonCode } from "./reasons.js";

const ORDER = Object.keys(REASONS) as ReasonCode[];

/** `| code | severity | on a sensitive secret | an expected rule may lower it | meaning |` rows. */
export function reasonTableMarkdown(): string {
  const rows = ORDER.map((code) => {
    const r = REASONS[code];
    const lower = code === "expected" ? "-" : r.lowerable ? "yes" : "**never**";
    return `| \`${code}\` | ${r.severity} | ${r.sensitive} | ${lower} | ${r.text} |`;
  });
  return [
    "| reason | severity | on a sensitive secret | an expected rule may lower it | meaning |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
