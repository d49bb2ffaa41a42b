/**
 * The one JSON form of a hit, for `--format json` of replay, lookup, history and redrive: `kind` (`read`,
 * `batch`, or `tamper` for {@link tamperJsonLine}), then the enriched
 * read as-is, plus its verdict (severity, reason codes, the expected rule's id, whether the
 * Lambda would email it), plus where it was found.
 */
import { type AssessedAccess, isBatchRead, type TamperHit } from "@secretwatch/core";

/** One NDJSON line (with its newline). */
export function hitJsonLine(hit: AssessedAccess, emailed: boolean, extra: Record<string, unknown> = {}): string {
  const { verdict, ...read } = hit;
  const kind = isBatchRead(hit) ? "batch" : "read";
  const line = {
    kind,
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

/** One NDJSON line of a tamper hit (`kind: "tamper"`, its severity and reason codes, the sanitised changes). */
export function tamperJsonLine(hit: TamperHit, emailed: boolean, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...hit, emailed, ...extra })}\n`;
}
