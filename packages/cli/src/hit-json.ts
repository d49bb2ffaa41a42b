/**
 * The one JSON form of a hit, for `--format json` of replay, lookup and redrive: the enriched
 * read as-is, plus its verdict (severity, reason codes, the expected rule's id, whether the
 * Lambda would email it), plus where it was found.
 */
import type { AssessedAccess } from "@secretwatch/core";

/** One NDJSON line (with its newline). */
export function hitJsonLine(hit: AssessedAccess, emailed: boolean, extra: Record<string, unknown> = {}): string {
  const { verdict, ...read } = hit;
  const line = {
    ...read,
    severity: verdict.severity,
    reasons: verdict.reasons,
    expected: verdict.expected?.id ?? null,
    emailed,
    suppressed: verdict.suppressed,
    firstSeen: verdict.firstSeen,
    ...extra,
  };
  return `${JSON.stringify(line)}\n`;
}
