/**
 * The report's tamper section: one row per tamper or exposure event (the trail stopped, a
 * subscription filter deleted, a secret's policy opened...), most severe first, as a plain
 * table rendered in Node by the escaping `html` template (no script needed). Every record
 * string is sanitised with the email body's `toBodyText` first, then HTML-escaped.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html
 */
import { severityRank, type TamperHit, toBodyText } from "@secretwatch/core";
import { html, type Markup } from "./embed.js";

/** One row of the tamper table (every string sanitised). */
export interface TamperRow {
  time: string;
  severity: TamperHit["severity"];
  api: string;
  resource: string;
  actor: string;
  outcome: string;
  reasons: string[];
  notice: boolean;
  eventID: string;
}

const text = (value: unknown, max = 300) => toBodyText(value ?? "", max) || "-";

/** The rows, most severe first, then by time. */
export function tamperRows(hits: readonly TamperHit[]): TamperRow[] {
  const rows = hits.map((h) => ({
    time: text(h.eventTime, 64),
    severity: h.severity,
    api: text(h.api, 64),
    resource: text(h.qualifier ? `${h.resource}:${h.qualifier}` : h.resource),
    actor: text(h.principalArn ?? h.identity.label),
    outcome: text(h.errorCode ? `${h.outcome} ${h.errorCode}` : h.outcome, 120),
    reasons: [...h.reasons],
    notice: h.notice,
    eventID: text(h.eventID, 100),
  }));
  return rows.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.time < b.time ? -1 : 1));
}

/** The section, or nothing when there are no tamper events. */
export function tamperSection(rows: readonly TamperRow[]): Markup | null {
  if (rows.length === 0) return null;
  const header = ["Time", "Severity", "API", "Resource", "By", "Outcome", "Reasons", "Event ID"];
  return html`<section id="tamper"><h2>Tamper and exposure events</h2>
<p class="note">Changes to the chain (trail, log group, alarms, topics, functions, state table) and to secrets' policies, keys and replicas, classified as the enricher does.</p>
<table id="tamper-events"><thead><tr>${header.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>
${rows.map(
  (r) =>
    html`<tr class="${r.severity}"><td>${r.time}</td><td>${r.severity}${r.notice ? " (deploy-tool notice)" : ""}</td><td>${r.api}</td><td>${r.resource}</td><td>${r.actor}</td><td>${r.outcome}</td><td>${r.reasons.join(", ")}</td><td>${r.eventID}</td></tr>\n`,
)}</tbody></table>
</section>`;
}
