/**
 * The report of secret-value retrievals found by `lookup` (and `redrive`'s view): the alerts
 * as they would be emailed (`text`) or one JSON object per hit (`json`, NDJSON) on stdout,
 * and a table per secret × principal (count, denials, errors, first and last time) on
 * stderr, laid out like replay's summary (replay/summary.ts) so the two read the same.
 * Every record string in the table is sanitised (it is attacker-controlled).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import { readKey, type SecretAccess, toBodyText } from "@secretwatch/core";
import { emailText } from "./alerts.js";
import { type Assessor, emailedIn } from "./assessment.js";
import { hitJsonLine } from "./hit-json.js";
import type { Io, Output } from "./io.js";

export type ReportFormat = "text" | "json";
export const REPORT_FORMATS: readonly ReportFormat[] = ["text", "json"];

/** One row of the summary: one secret read by one principal. */
export interface SummaryRow {
  secret: string;
  principal: string;
  count: number;
  denied: number;
  errors: number;
  first: string | null;
  last: string | null;
}

/** Where the subject prefix of text alerts comes from (`[app stage]`), and what the hits are from. */
export interface ReportContext {
  app: string;
  stage: string;
  /** Names the source in the text output's header line, e.g. `CloudTrail event history (us-east-1)`. */
  source: string;
}

const millis = (t: string | null) => (t === null ? Number.NaN : Date.parse(t));
/** A record value for one table cell: sanitised, at most `max` bytes, `-` when empty. */
export const cell = (value: unknown, max = 300) => toBodyText(value, max) || "-";

/**
 * Hits without repeated reads (first one kept: same event ID and name), in event-time order. A
 * record without an event ID is always distinct.
 */
export function uniqueHits(hits: Iterable<SecretAccess>): SecretAccess[] {
  const byKey = new Map<string, SecretAccess>();
  let i = 0;
  for (const hit of hits) {
    const key = readKey(hit) ?? `#${i}`;
    i++;
    if (!byKey.has(key)) byKey.set(key, hit);
  }
  const key = (h: SecretAccess) => millis(h.eventTime);
  return [...byKey.values()].sort(
    (a, b) => (key(a) || 0) - (key(b) || 0) || (a.eventID < b.eventID ? -1 : a.eventID > b.eventID ? 1 : 0),
  );
}

const secretOf = (hit: SecretAccess) =>
  hit.secretId ?? (hit.batch || hit.eventName === "BatchGetSecretValue" ? "(BatchGetSecretValue)" : "(none)");
const principalOf = (hit: SecretAccess) => hit.principalArn ?? `${hit.identity.label} (${hit.identityType})`;

/** Rows per secret × principal, built hit by hit (replay keeps only this, not the hits). */
export class SummaryTable {
  private readonly byPair = new Map<string, SummaryRow>();

  add(hit: SecretAccess): void {
    const [secret, principal] = [secretOf(hit), principalOf(hit)];
    const key = JSON.stringify([secret, principal]);
    const row = this.byPair.get(key) ?? { secret, principal, count: 0, denied: 0, errors: 0, first: null, last: null };
    row.count++;
    if (hit.outcome === "denied") row.denied++;
    if (hit.outcome === "error") row.errors++;
    const ms = millis(hit.eventTime);
    if (Number.isFinite(ms) && (row.first === null || ms < millis(row.first))) row.first = hit.eventTime;
    if (Number.isFinite(ms) && (row.last === null || ms > millis(row.last))) row.last = hit.eventTime;
    this.byPair.set(key, row);
  }

  /** The rows by secret, then principal. */
  rows(): SummaryRow[] {
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...this.byPair.values()].sort((a, b) => order(a.secret, b.secret) || order(a.principal, b.principal));
  }
}

/** Per secret × principal: reads, denials, errors, first and last time; by secret, then principal. */
export function summarize(hits: readonly SecretAccess[]): SummaryRow[] {
  const table = new SummaryTable();
  for (const hit of hits) table.add(hit);
  return table.rows();
}

/** The table, one aligned line per row; empty when there is no row. */
export function formatSummary(rows: readonly SummaryRow[]): string {
  if (rows.length === 0) return "";
  const header = ["SECRET", "PRINCIPAL", "COUNT", "DENIED", "ERRORS", "FIRST", "LAST"];
  const cells = rows.map((r) => [
    ...[cell(r.secret), cell(r.principal), `${r.count}`, `${r.denied}`, `${r.errors}`],
    ...[cell(r.first), cell(r.last)],
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const numeric = new Set([2, 3, 4]);
  const line = (c: string[]) =>
    `  ${c.map((v, i) => (numeric.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd();
  return `${["Secret-value retrievals by secret and principal:", line(header), ...cells.map(line)].join("\n")}\n`;
}

/**
 * The hits, assessed as one delivery unit, on `out`: NDJSON with their verdicts, or every
 * alert the policy would email (no cap) as the enricher would send it.
 */
export async function writeHits(
  out: Output,
  hits: readonly SecretAccess[],
  format: ReportFormat,
  ctx: ReportContext,
  assessor: Assessor,
): Promise<void> {
  const { hits: assessed, plan } = await assessor.unit(hits);
  if (format === "json") {
    const emailed = emailedIn(plan);
    for (const hit of assessed) out.write(hitJsonLine(hit, emailed.get(hit) ?? false));
    return;
  }
  if (plan.messages.length === 0) return;
  out.write(`# ${ctx.source}: ${plan.hits} secret-value retrieval(s), ${plan.messages.length} alert message(s)\n`);
  out.write(plan.messages.map(emailText).join("\n"));
}

/** De-duplicated hits on stdout; `totals` lines, then the table, on stderr. Returns the hits written. */
export async function writeReport(
  io: Io,
  hits: Iterable<SecretAccess>,
  format: ReportFormat,
  ctx: ReportContext & { assessor: Assessor },
  totals: readonly string[] = [],
): Promise<number> {
  const unique = uniqueHits(hits);
  await writeHits(io.stdout, unique, format, ctx, ctx.assessor);
  const table = formatSummary(summarize(unique));
  io.stderr.write([...totals, ...(table ? ["", table] : [""])].join("\n"));
  return unique.length;
}
