/**
 * What the HTML report shows, computed in Node from the assessed hits: the severity summary,
 * the timelines (all reads, per secret, per actor, denied attempts; each stacked by severity),
 * the first-seen pairs and the table rows. Every record string is sanitised with the email
 * body's `toBodyText` (control characters, bidi overrides and zero-width characters become
 * visible escapes), and placed in the page as text by the client script, never as markup.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
 */
import {
  type AssessedAccess,
  eventMillis,
  type Outcome,
  REASONS,
  type ReasonCode,
  SEVERITIES,
  type Severity,
  severityRank,
  sourceClass,
  type TamperHit,
  toBodyText,
} from "@secretwatch/core";
import { secretLabel } from "../secret-label.js";
import { type TamperRow, tamperRows } from "./tamper.js";
import { type Timeline, timelineOf } from "./timeline.js";

/** What a report is made of; more kinds of findings join as new fields. */
export interface ReportInput {
  hits: readonly AssessedAccess[];
  /** Whether each hit would be emailed (from the plan); a hit not in the map shows as unknown. */
  emailed?: ReadonlyMap<AssessedAccess, boolean>;
  /** Tamper and exposure events (their own table; not in the read charts). */
  tamper?: readonly TamperHit[];
}

export interface ReportOptions {
  /** Where the hits come from, e.g. `replay of 3 files` or `CloudTrail event history (eu-west-1)`. */
  source: string;
  app?: string;
  stage?: string;
  title?: string;
  /** When the report was made (default: now). */
  generatedAt?: Date;
  /**
   * Table rows at most, the most severe kept (the charts count every hit); default 5,000, which
   * a browser lays out in a second or two (20,000 took tens of seconds in headless Chromium).
   */
  maxRows?: number;
  /** First-seen pairs listed at most; default 500. */
  maxPairs?: number;
  /** Secrets and actors with a chart of their own; the others are summed as one. Default 8. */
  topN?: number;
}

/** One table row; short keys keep the embedded JSON small. */
export interface ReportRow {
  /** Event time as recorded (sanitised), and in epoch ms when readable. */
  time: string;
  ms: number | null;
  severity: Severity;
  secret: string;
  actor: string;
  principal: string;
  outcome: Outcome;
  /** The error code of a denied or failed call. */
  error: string | null;
  source: string;
  region: string;
  account: string;
  userAgent: string;
  client: string;
  reasons: ReasonCode[];
  expected: string | null;
  emailed: boolean | null;
  firstSeen: boolean | null;
  suppressed: string | null;
  eventID: string;
  /** The CloudTrail console link, only when it is an https link to the AWS console. */
  url: string | null;
}

export interface FirstSeenPair {
  actor: string;
  secret: string;
  time: string;
  severity: Severity;
}

export interface ReportModel {
  title: string;
  source: string;
  app: string | null;
  stage: string | null;
  generatedAt: string;
  severities: readonly Severity[];
  summary: {
    total: number;
    bySeverity: Record<Severity, number>;
    emailed: number;
    denied: number;
    errors: number;
    /** Hits without a readable event time: in the table, not in the timelines. */
    undated: number;
  };
  timeline: Timeline;
  firstSeen: FirstSeenPair[];
  /** First-seen pairs left out by `maxPairs`. */
  firstSeenOmitted: number;
  reasonText: Partial<Record<ReasonCode, string>>;
  rows: ReportRow[];
  /** Hits left out of the table by `maxRows`. */
  rowsOmitted: number;
  /** Tamper and exposure events, most severe first. */
  tamper: TamperRow[];
}

const text = (value: unknown, max = 400) => toBodyText(value ?? "", max) || "-";

/** The console's own hosts (`console.aws.amazon.com`, `<region>.console.aws.amazon.com`, China and GovCloud). */
const CONSOLE_HOST = /^(?:[a-z0-9-]+\.)?console\.(?:aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com)$/;

/** The hit's console link when it is a plain https link to the AWS console; else null. */
export function consoleLink(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" && CONSOLE_HOST.test(parsed.hostname) ? parsed.href : null;
  } catch {
    return null;
  }
}

function rowOf(hit: AssessedAccess, emailed: boolean | null): ReportRow {
  const v = hit.verdict;
  return {
    time: text(hit.eventTime, 64),
    ms: eventMillis(hit.eventTime),
    severity: v.severity,
    secret: text(secretLabel(hit)),
    actor: text(v.actor),
    principal: text(hit.principalArn ?? `${hit.identity.label} (${hit.identityType})`),
    outcome: hit.outcome,
    error: hit.errorCode === null ? null : text(hit.errorCode, 200),
    source: text(`${hit.source.raw ?? "-"} (${sourceClass(hit)})`),
    region: text(hit.region, 64),
    account: text(hit.recipientAccountId, 64),
    userAgent: text(hit.userAgent, 600),
    client: text(hit.client.name, 200),
    reasons: [...v.reasons],
    expected: v.expected ? text(v.expected.id, 200) : null,
    emailed,
    firstSeen: v.firstSeen,
    suppressed: v.suppressed,
    eventID: text(hit.eventID, 128),
    url: consoleLink(hit.consoleUrl),
  };
}

const byTime = (a: ReportRow, b: ReportRow) => (a.ms ?? Number.MAX_VALUE) - (b.ms ?? Number.MAX_VALUE);

/** At most `max` rows of time-ordered ones: the most severe (the earliest among equals), in time order. */
function mostSevere(ordered: readonly ReportRow[], max: number): ReportRow[] {
  if (ordered.length <= max) return [...ordered];
  // Stable sorts: equal severities keep their time order.
  const kept = [...ordered].sort((a, b) => severityRank(b.severity) - severityRank(a.severity)).slice(0, max);
  return kept.sort(byTime);
}

/** The report's content, ready to embed as JSON. */
export function buildReportModel(input: ReportInput, options: ReportOptions): ReportModel {
  const maxRows = options.maxRows ?? 5_000;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const rows = input.hits.map((hit) => rowOf(hit, input.emailed?.get(hit) ?? null));
  const reasonText: Partial<Record<ReasonCode, string>> = {};
  for (const row of rows) {
    bySeverity[row.severity]++;
    for (const code of row.reasons) reasonText[code] = REASONS[code].text;
  }
  const ordered = [...rows].sort(byTime);
  const maxPairs = options.maxPairs ?? 500;
  const firstSeen = ordered
    .filter((r) => r.firstSeen === true)
    .map((r) => ({ actor: r.actor, secret: r.secret, time: r.time, severity: r.severity }));
  return {
    title: options.title ?? "secretwatch report",
    source: text(options.source),
    app: options.app ?? null,
    stage: options.stage ?? null,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    severities: SEVERITIES,
    summary: {
      total: rows.length,
      bySeverity,
      emailed: rows.filter((r) => r.emailed === true).length,
      denied: rows.filter((r) => r.outcome === "denied").length,
      errors: rows.filter((r) => r.outcome === "error").length,
      undated: rows.filter((r) => r.ms === null).length,
    },
    timeline: timelineOf(rows, options.topN ?? 8),
    firstSeen: firstSeen.slice(0, maxPairs),
    firstSeenOmitted: Math.max(0, firstSeen.length - maxPairs),
    reasonText,
    rows: mostSevere(ordered, maxRows),
    rowsOmitted: Math.max(0, ordered.length - maxRows),
    tamper: tamperRows(input.tamper ?? []),
  };
}
