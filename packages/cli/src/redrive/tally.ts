/**
 * What is parked in the failure queue, counted while reading it: payloads, records,
 * secret-value retrievals, the oldest message, why Lambda gave up, and the messages that
 * cannot be redriven.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import type { Message } from "@aws-sdk/client-sqs";
import { type SecretAccess, toSubjectText } from "@secretwatch/core";
import { formatSummary, summarize } from "../report.js";
import { plural } from "../words.js";
import { sentAt } from "./queue.js";
import type { ParkedPayload } from "./record.js";

export class ParkedTally {
  payloads = 0;
  records = 0;
  readonly hits: SecretAccess[] = [];
  oldest: Date | null = null;
  readonly reasons = new Map<string, number>();
  readonly skipped: { id: string; reason: string }[] = [];

  add(message: Message, payload: ParkedPayload): void {
    this.payloads++;
    this.records += payload.records;
    this.hits.push(...payload.hits);
    const recorded = payload.timestamp === null ? Number.NaN : Date.parse(payload.timestamp);
    const when = sentAt(message) ?? (Number.isNaN(recorded) ? null : new Date(recorded));
    if (when && (this.oldest === null || when < this.oldest)) this.oldest = when;
    const reason = payload.error ? `${payload.condition} (${payload.error})` : payload.condition;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  skip(message: Message, reason: string): void {
    this.skipped.push({ id: toSubjectText(message.MessageId, 80), reason });
  }

  /** The report: counts, oldest, reasons, the per secret × principal summary, what was skipped. */
  format(now: Date, heading = "Parked"): string {
    const oldest = this.oldest ? `, oldest ${this.oldest.toISOString()} (${age(this.oldest, now)} ago)` : "";
    const lines = [
      `${heading}: ${plural(this.payloads, "payload")}, ${plural(this.records, "CloudTrail record")}, ${plural(this.hits.length, "secret-value retrieval")}${oldest}`,
    ];
    for (const [reason, count] of this.reasons) lines.push(`  ${count}x ${reason}`);
    if (this.hits.length > 0) lines.push(formatSummary(summarize(this.hits)).trimEnd());
    if (this.skipped.length > 0) {
      lines.push(`Not redrivable, left in the queue: ${plural(this.skipped.length, "message")}`);
      for (const { id, reason } of this.skipped) lines.push(`  ${id}: ${reason}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

/** The report as data, for `--format json`. */
export function tallyJson(tally: ParkedTally) {
  return {
    payloads: tally.payloads,
    records: tally.records,
    retrievals: tally.hits.length,
    oldest: tally.oldest?.toISOString() ?? null,
    reasons: [...tally.reasons].map(([reason, count]) => ({ reason, count })),
    pairs: summarize(tally.hits),
    notRedrivable: tally.skipped,
  };
}

/** `45 s`, `12 min`, `5 h`, `3 days`. */
export function age(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
