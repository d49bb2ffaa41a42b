/**
 * The report of secret-value retrievals found by `lookup` (and `redrive`'s view): the alerts
 * as they would be emailed (`text`) or one JSON object per hit (`json`, NDJSON) on stdout,
 * and a table per secret × principal (count, denials, errors, first and last time) on
 * stderr, laid out like replay's summary (replay/summary.ts) so the two read the same.
 * Every record string in the table is sanitised (it is attacker-controlled).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import { type AssessedAccess, readKey, type SecretAccess, type TamperPlan, toBodyText } from "@secretwatch/core";
import { emailText } from "./alerts.js";
import { type Assessor, emailedIn } from "./assessment.js";
import { hitJsonLine, tamperJsonLine } from "./hit-json.js";
import type { Io, Output } from "./io.js";
import { tamperEmailed } from "./replay/tamper.js";
import { secretLabel } from "./secret-label.js";

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
  /** The tamper events found with the reads (the enricher's plan), written before them. */
  tamper?: TamperPlan | null;
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

const principalOf = (hit: SecretAccess) => hit.principalArn ?? `${hit.identity.label} (${hit.identityType})`;

/** Rows per secret × principal, built hit by hit (replay keeps only this, not the hits). */
export class SummaryTable {
  /** Each row with the times of its first and last read (parsed once, not on every comparison). */
  private readonly byPair = new Map<string, { row: SummaryRow; firstMs: number; lastMs: number }>();

  add(hit: SecretAccess): void {
    const [secret, principal] = [secretLabel(hit), principalOf(hit)];
    const key = JSON.stringify([secret, principal]);
    let entry = this.byPair.get(key);
    if (entry === undefined) {
      const row = { secret, principal, count: 0, denied: 0, errors: 0, first: null, last: null };
      entry = { row, firstMs: Number.NaN, lastMs: Number.NaN };
      this.byPair.set(key, entry);
    }
    const { row } = entry;
    row.count++;
    if (hit.outcome === "denied") row.denied++;
    if (hit.outcome === "error") row.errors++;
    const ms = millis(hit.eventTime);
    if (!Number.isFinite(ms)) return;
    if (row.first === null || ms < entry.firstMs) {
      row.first = hit.eventTime;
      entry.firstMs = ms;
    }
    if (row.last === null || ms > entry.lastMs) {
      row.last = hit.eventTime;
      entry.lastMs = ms;
    }
  }

  /** The rows by secret, then principal. */
  rows(): SummaryRow[] {
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const rows = [...this.byPair.values()].map((e) => e.row);
    return rows.sort((a, b) => order(a.secret, b.secret) || order(a.principal, b.principal));
  }
}

/** Per secret × principal: reads, denials, errors, first and last time; by secret, then principal. */
export function summarize(hits: readonly SecretAccess[]): SummaryRow[] {
  const table = new SummaryTable();
  for (const hit of hits) table.add(hit);
  return table.rows();
}

/** Widest table line: fits a 100-column terminal. */
export const TABLE_WIDTH = 100;
const HEADER = ["SECRET", "PRINCIPAL", "COUNT", "DENIED", "ERRORS", "FIRST", "LAST"];
const NUMERIC = new Set([2, 3, 4]);
const GAP = 2;

/** `text` in at most `width` characters: cut at the end, or in the middle (`keepEnd`), marked with `…`. */
export function ellipsis(text: string, width: number, keepEnd = false): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return "…".slice(0, width);
  if (!keepEnd) return `${chars.slice(0, width - 1).join("")}…`;
  const tail = Math.ceil((width - 1) * 0.6); // the end of an ARN names the principal
  return `${chars.slice(0, width - 1 - tail).join("")}…${chars.slice(chars.length - tail).join("")}`;
}

const width = (text: string) => [...text].length;

/** A compact row when the full one is too wide: minutes, and no `arn:aws:iam::` before the account. */
function compact(row: string[]): string[] {
  const minutes = (t: string) => t.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}(?:\.\d+)?Z$/, "$1 $2Z");
  const [secret = "", principal = "", ...rest] = row;
  const shortPrincipal = principal.replace(/^arn:aws:(?:iam|sts)::/, "");
  return [secret, shortPrincipal, ...rest.slice(0, 3), ...rest.slice(3).map(minutes)];
}

function lineOf(cells: string[], widths: number[]): string {
  const padded = cells.map((v, i) => {
    const pad = " ".repeat(Math.max(0, (widths[i] ?? 0) - width(v)));
    return NUMERIC.has(i) ? pad + v : v + pad;
  });
  return `  ${padded.join(" ".repeat(GAP))}`.trimEnd();
}

/**
 * The table, one aligned line per row, at most {@link TABLE_WIDTH} columns: when the full
 * table is wider, times lose their seconds, principal ARNs their `arn:aws:iam::` / `sts::`,
 * and the secret (at its end) and principal (in its middle) are cut with `…`. Empty when
 * there is no row.
 */
export function formatSummary(rows: readonly SummaryRow[]): string {
  if (rows.length === 0) return "";
  const full = rows.map((r) => [
    ...[cell(r.secret), cell(r.principal), `${r.count}`, `${r.denied}`, `${r.errors}`],
    ...[cell(r.first), cell(r.last)],
  ]);
  const widthsOf = (cells: string[][]) =>
    HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => width(c[i] ?? ""))));
  const total = (w: number[]) => 2 + w.reduce((a, b) => a + b, 0) + GAP * (w.length - 1);
  let cells = full;
  let widths = widthsOf(cells);
  if (total(widths) > TABLE_WIDTH) {
    cells = full.map(compact);
    widths = widthsOf(cells);
    const over = total(widths) - TABLE_WIDTH;
    if (over > 0) {
      const [secret = 0, principal = 0] = widths;
      const room = secret + principal - over;
      // The secret first (it is the table's key), leaving the principal at least 18 columns.
      const secretWidth = Math.max(HEADER[0]!.length, Math.min(secret, Math.max(room - 18, Math.floor(room / 2))));
      widths[0] = secretWidth;
      widths[1] = Math.max(HEADER[1]!.length, room - secretWidth);
      cells = cells.map(([s = "", p = "", ...rest]) => [
        ellipsis(s, widths[0]!),
        ellipsis(p, widths[1]!, true),
        ...rest,
      ]);
    }
  }
  const title = "Secret-value retrievals by secret and principal:";
  return `${[title, lineOf(HEADER, widths), ...cells.map((c) => lineOf(c, widths))].join("\n")}\n`;
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
): Promise<Assessed> {
  const { hits: assessed, plan } = await assessor.unit(hits);
  const emailed = emailedIn(plan);
  const tamper = ctx.tamper ?? null;
  if (format === "json") {
    const sent = tamper ? tamperEmailed(tamper) : new Map();
    for (const hit of tamper?.hits ?? []) out.write(tamperJsonLine(hit, sent.get(hit) ?? false));
    for (const hit of assessed) out.write(hitJsonLine(hit, emailed.get(hit) ?? false));
  } else {
    const messages = [...(tamper?.messages ?? []), ...plan.messages];
    if (messages.length > 0) {
      const changes = tamper && tamper.hits.length > 0 ? `, ${tamper.hits.length} tamper event(s)` : "";
      out.write(
        `# ${ctx.source}: ${plan.hits} secret-value retrieval(s)${changes}, ${messages.length} alert message(s)\n`,
      );
      out.write(messages.map(emailText).join("\n"));
    }
  }
  return { hits: assessed, emailed };
}

/** The hits as assessed, and whether each was emailed: what the HTML report shows. */
export interface Assessed {
  hits: AssessedAccess[];
  emailed: Map<AssessedAccess, boolean>;
}

/** De-duplicated hits on stdout; `totals` lines, then the table, on stderr. Returns how many hits were written, assessed. */
export async function writeReport(
  io: Io,
  hits: Iterable<SecretAccess>,
  format: ReportFormat,
  ctx: ReportContext & { assessor: Assessor },
  totals: readonly string[] = [],
): Promise<Assessed & { count: number }> {
  const unique = uniqueHits(hits);
  const assessed = await writeHits(io.stdout, unique, format, ctx, ctx.assessor);
  const table = formatSummary(summarize(unique));
  io.stderr.write([...totals, ...(table ? ["", table] : [""])].join("\n"));
  return { count: unique.length, ...assessed };
}
