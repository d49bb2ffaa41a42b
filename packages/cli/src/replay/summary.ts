/**
 * The totals replay prints on stderr when it is done: what was read and skipped, and one row
 * per secret × principal with the count, denials, errors, and first and last time. Only
 * aggregates are kept (one row per pair seen, the first problems word for word).
 */
import { formatSummary, SummaryTable, cell as text } from "../report.js";
import { groupDigits } from "../words.js";
import type { InputEntry } from "./files.js";
import type { FileReport, UnitResult } from "./protocol.js";

/** Problem lines kept word for word; further ones are counted. */
const MAX_PROBLEMS = 50;

const plural = (n: number, one: string, many = `${one}s`) => `${groupDigits(n)} ${n === 1 ? one : many}`;

const skipped = (r: FileReport) => r.invalidJson + r.notCloudTrail + r.badPayloads;

/** `skipped 2 invalid JSON values, 1 value that is not a CloudTrail record (line 3: invalid JSON; ...)` */
function skippedText(report: FileReport): string {
  const counts = [
    report.invalidJson && plural(report.invalidJson, "invalid JSON value"),
    report.notCloudTrail &&
      plural(report.notCloudTrail, "value that is not a CloudTrail record", "values that are not CloudTrail records"),
    report.badPayloads && plural(report.badPayloads, "undecodable payload"),
  ].filter(Boolean);
  const notes = report.notes.map((note) => text(note, 200));
  if (skipped(report) > notes.length && notes.length > 0) notes.push("...");
  return `skipped ${counts.join(", ")}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

export class ReplaySummary {
  readonly totals = {
    ...{ files: 0, usable: 0, unreadable: 0, empty: 0, ignored: 0, hidden: 0, missing: 0, records: 0, payloads: 0 },
    ...{ found: 0, duplicates: 0, kept: 0, invalidJson: 0, notCloudTrail: 0, badPayloads: 0, digests: 0 },
    published: 0,
    tamper: 0,
  };
  private readonly pairs = new SummaryTable();
  private readonly problems: string[] = [];
  private readonly ignored: string[] = [];
  private moreProblems = 0;

  private problem(line: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(line);
    else this.moreProblems++;
  }

  entry(entry: Exclude<InputEntry, { kind: "file" }>): void {
    if (entry.kind === "ignored") {
      this.totals.ignored++;
      this.ignored.push(text(entry.path));
    } else if (entry.kind === "hidden") this.totals.hidden++;
    else {
      this.totals.missing++;
      this.problem(`${text(entry.path)}: ${text(entry.reason)}`);
    }
  }

  unit(unit: UnitResult): void {
    this.totals.found += unit.found;
    this.totals.duplicates += unit.duplicates;
    this.totals.kept += unit.hits.length;
    for (const hit of unit.hits) this.pairs.add(hit);
  }

  /** Tamper events of the stage kept in a unit (after de-duplication and filters). */
  tamperEvents(count: number): void {
    this.totals.tamper += count;
  }

  file(report: FileReport): void {
    const t = this.totals;
    t.files++;
    if (report.usable) t.usable++;
    if (report.status === "unreadable") t.unreadable++;
    if (report.status === "empty") t.empty++;
    for (const key of ["records", "payloads", "invalidJson", "notCloudTrail", "badPayloads", "digests"] as const) {
      t[key] += report[key];
    }
    if (report.status !== "read") this.problem(`${text(report.path)}: ${text(report.error ?? "empty file")}`);
    else if (skipped(report) > 0) this.problem(`${text(report.path)}: ${skippedText(report)}`);
    else if (!report.usable && report.digests === 0) this.problem(`${text(report.path)}: no CloudTrail records`);
  }

  /** Whether any file held a form replay understands. */
  get anythingRead(): boolean {
    return this.totals.usable > 0;
  }

  /** The summary text for stderr; `extra` lines (the alert budget) go after the totals. */
  render(extra: readonly string[] = []): string {
    const t = this.totals;
    const files = [
      `${groupDigits(t.usable)} with CloudTrail data`,
      t.unreadable && `${t.unreadable} unreadable`,
      t.empty && `${t.empty} empty`,
      t.digests && plural(t.digests, "digest file"),
    ].filter(Boolean);
    const other = [
      t.missing && `${plural(t.missing, "path")} could not be opened`,
      t.ignored && `${t.ignored} ignored by name (listed below)`,
      t.hidden && `${plural(t.hidden, "hidden entry", "hidden entries")} skipped`,
    ];
    const dropped = t.duplicates ? ` (${plural(t.duplicates, "duplicate")} dropped)` : "";
    const lines = [
      `replay: ${plural(t.files, "file")} (${files.join(", ")})${other
        .filter(Boolean)
        .map((o) => `; ${o}`)
        .join("")}`,
      `replay: ${plural(t.records, "CloudTrail record")}, ${plural(t.payloads, "subscription payload")}; ` +
        `${plural(t.found, "secret-value retrieval")}${dropped}, ${groupDigits(t.kept)} after filters` +
        (t.tamper > 0 ? `; ${plural(t.tamper, "tamper event")}` : ""),
    ];
    const skipped = t.invalidJson + t.notCloudTrail + t.badPayloads;
    if (skipped > 0) {
      lines.push(
        `replay: skipped ${plural(t.invalidJson, "invalid JSON value")}, ${plural(t.notCloudTrail, "non-CloudTrail value")}, ` +
          plural(t.badPayloads, "undecodable payload"),
      );
    }
    if (t.published > 0) lines.push(`replay: published ${plural(t.published, "SNS message")}`);
    lines.push(...extra);
    const table = formatSummary(this.pairs.rows());
    if (table) lines.push("", table.trimEnd());
    if (this.ignored.length > 0) {
      lines.push("", "Ignored (not a log file name; name a file on the command line to read it):");
      lines.push(...this.ignored.map((p) => `  ${p}`));
    }
    if (this.problems.length > 0) {
      lines.push("", "Problems:", ...this.problems.map((p) => `  ${p}`));
      if (this.moreProblems > 0) lines.push(`  ... and ${this.moreProblems} more`);
    }
    return `${lines.join("\n")}\n`;
  }
}
