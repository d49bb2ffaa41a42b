/**
 * What `secretwatch baseline` tells the user: what was read, what was (or, with `--dry-run`,
 * would be) written, and the top actors. Actor keys and secret IDs come from records; every
 * one is sanitised before it is printed.
 */
import { cell } from "../report.js";
import { plural } from "../words.js";
import type { ActorRow, SeedStats } from "./seed.js";

/** Actors listed in the table. */
export const TOP_ACTORS = 10;

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

/** `24 actor × secret pairs seeded from 77 reads by 5 actors of 24 secrets, 2024-06-03T… .. 2024-06-04T…` */
export function seedLine(stats: SeedStats, dryRun: boolean): string {
  const verb = dryRun ? "would be seeded" : "seeded";
  const range = stats.from === null ? "" : `, ${iso(stats.from)} .. ${iso(stats.to)}`;
  return (
    `${plural(stats.pairs, "actor × secret pair")} ${verb} from ${plural(stats.reads, "successful single-secret read")} ` +
    `by ${plural(stats.actors, "actor")} of ${plural(stats.secrets, "secret")}${range}`
  );
}

/** `3 calls not counted (failed, denied, batch or without a time); 1 duplicate dropped`, or null. */
export function skippedLine(stats: SeedStats): string | null {
  const parts = [
    stats.notCounted > 0 && `${plural(stats.notCounted, "call")} not counted (failed, denied, batch or without a time)`,
    stats.duplicates > 0 && `${plural(stats.duplicates, "duplicate")} dropped`,
  ].filter((text): text is string => typeof text === "string");
  return parts.length > 0 ? parts.join("; ") : null;
}

/** The top actors by reads, one aligned line each, and how many more there are. */
export function actorTable(rows: readonly ActorRow[], top = TOP_ACTORS): string {
  if (rows.length === 0) return "";
  const header = ["ACTOR", "SECRETS", "READS", "FIRST", "LAST"];
  const cells = rows
    .slice(0, top)
    .map((r) => [cell(r.actor), String(r.secrets), String(r.reads), iso(r.first), iso(r.last)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const numeric = new Set([1, 2]);
  const line = (c: string[]) =>
    `  ${c.map((v, i) => (numeric.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd();
  const more = rows.length > top ? [`  ... and ${plural(rows.length - top, "more actor")}`] : [];
  const title = `Top actors (${Math.min(top, rows.length)} of ${rows.length}):`;
  return `${[title, line(header), ...cells.map(line), ...more].join("\n")}\n`;
}
