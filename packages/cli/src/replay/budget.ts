/**
 * The alert budget of a backtest: reads by severity, and how many emails the Lambda would have
 * sent with this policy, per day and in the busiest hour (an email counts at the latest event
 * time it covers; CloudTrail delivers minutes later). This is how a policy is tuned before it
 * is deployed.
 */
import {
  type AssessedAccess,
  eventMillis,
  type Plan,
  type PlannedMessage,
  SEVERITIES,
  type Severity,
  type TamperPlan,
} from "@secretwatch/core";
import { groupDigits } from "../words.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const number = groupDigits;
const plural = (n: number, one: string, many = `${one}s`) => `${number(n)} ${n === 1 ? one : many}`;

export class AlertBudget {
  private readonly bySeverity = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  private readonly emailsByHour = new Map<number, number>();
  private readonly emailsByDay = new Map<number, number>();
  private readonly outcomes = {
    ...{ alert: 0, summary: 0, "below-notify": 0, "repeat-suppressed": 0, learning: 0, baseline: 0 },
  };
  private readonly tamperBySeverity = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  private tamperEmailed = 0;
  private emails = 0;
  private untimed = 0;
  private first = Infinity;
  private last = -Infinity;

  add(plan: Plan): void {
    const times = new Map<string, number>();
    for (const { hit, outcome } of plan.decisions) {
      this.outcomes[outcome]++;
      if (outcome !== "baseline")
        this.bySeverity.set(hit.verdict.severity, (this.bySeverity.get(hit.verdict.severity) ?? 0) + 1);
      const ms = eventMillis(hit.eventTime);
      if (ms !== null) {
        times.set(hit.eventID, Math.max(times.get(hit.eventID) ?? -Infinity, ms));
        [this.first, this.last] = [Math.min(this.first, ms), Math.max(this.last, ms)];
      }
    }
    this.count(plan.messages, times);
  }

  /** A unit's tamper plan (the enricher's): its events by severity, its emails with the reads'. */
  addTamper(plan: TamperPlan): void {
    const times = new Map<string, number>();
    for (const { hit, outcome } of plan.decisions) {
      this.tamperBySeverity.set(hit.severity, (this.tamperBySeverity.get(hit.severity) ?? 0) + 1);
      if (outcome !== "below-notify") this.tamperEmailed++;
      const ms = eventMillis(hit.eventTime);
      if (ms !== null) {
        times.set(hit.eventID, Math.max(times.get(hit.eventID) ?? -Infinity, ms));
        [this.first, this.last] = [Math.min(this.first, ms), Math.max(this.last, ms)];
      }
    }
    this.count(plan.messages, times);
  }

  /** Emails by the latest event time they cover. */
  private count(messages: readonly PlannedMessage[], times: Map<string, number>): void {
    for (const message of messages) {
      this.emails++;
      const ms = message.eventIDs.reduce((m, id) => Math.max(m, times.get(id) ?? -Infinity), -Infinity);
      if (!Number.isFinite(ms)) {
        this.untimed++;
        continue;
      }
      const hour = Math.floor(ms / HOUR_MS);
      const day = Math.floor(ms / DAY_MS);
      this.emailsByHour.set(hour, (this.emailsByHour.get(hour) ?? 0) + 1);
      this.emailsByDay.set(day, (this.emailsByDay.get(day) ?? 0) + 1);
    }
  }

  /** Reads counted so far. */
  get reads(): number {
    return [...this.bySeverity.values()].reduce((a, b) => a + b, 0);
  }

  /** Reads decided so far, baseline reads included (those are not in {@link reads}). */
  private get readDecisions(): number {
    return Object.values(this.outcomes).reduce((a, b) => a + b, 0);
  }

  /** Tamper events counted so far. */
  get tamperEvents(): number {
    return [...this.tamperBySeverity.values()].reduce((a, b) => a + b, 0);
  }

  /**
   * Lines for replay's summary: the reads by severity and what became of them (one heading line
   * instead when the input held no secret read), the tamper events (when there were any), and
   * the emails.
   */
  render(policyLabel: string): string[] {
    const severities = [...SEVERITIES]
      .reverse()
      .map((s) => `${number(this.bySeverity.get(s) ?? 0)} ${s}`)
      .join(", ");
    const o = this.outcomes;
    // An input without secret reads (tamper events only) gets a heading, not "0 reads" lines.
    const lines =
      this.readDecisions > 0 ? [] : [`replay: alert budget with ${policyLabel}: no secret-value retrievals`];
    if (this.readDecisions > 0) {
      lines.push(
        `replay: alert budget with ${policyLabel}: ${plural(this.reads, "read")} (${severities})`,
        `replay:   ${number(o.alert + o.summary)} emailed (${number(o.summary)} of them in summaries), ` +
          `${number(o["below-notify"])} below the notify level, ${number(o["repeat-suppressed"])} repeats suppressed` +
          (o.learning > 0 ? `, ${number(o.learning)} learned` : "") +
          (o.baseline > 0 ? `, ${number(o.baseline)} used as baseline only` : ""),
      );
    }
    if (this.tamperEvents > 0) {
      const tamper = [...SEVERITIES]
        .reverse()
        .map((s) => `${number(this.tamperBySeverity.get(s) ?? 0)} ${s}`)
        .join(", ");
      lines.push(
        `replay:   ${plural(this.tamperEvents, "tamper event")} (${tamper}), ${number(this.tamperEmailed)} emailed`,
      );
    }
    const days = Number.isFinite(this.first) ? Math.max(1, Math.ceil((this.last - this.first + 1) / DAY_MS)) : 0;
    const busiest = (map: Map<number, number>) =>
      [...map].reduce<[number, number] | null>((best, e) => (best === null || e[1] > best[1] ? e : best), null);
    const hour = busiest(this.emailsByHour);
    const day = busiest(this.emailsByDay);
    const perDay = days > 0 ? (this.emails / days).toFixed(1) : "-";
    let text = `replay:   the Lambda would have sent ${plural(this.emails, "email")}`;
    if (days > 0) text += ` over ${plural(days, "day")} (${perDay} a day`;
    if (day) text += `; busiest day ${new Date(day[0] * DAY_MS).toISOString().slice(0, 10)}: ${day[1]}`;
    if (hour) text += `; busiest hour ${new Date(hour[0] * HOUR_MS).toISOString().slice(0, 13)}:00Z: ${hour[1]}`;
    if (days > 0) text += ")";
    if (this.untimed > 0) text += `, ${plural(this.untimed, "email")} without an event time`;
    lines.push(text);
    return lines;
  }
}

/** The severities of assessed hits, for tests. */
export function severityCounts(hits: readonly AssessedAccess[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const hit of hits) counts[hit.verdict.severity]++;
  return counts;
}
