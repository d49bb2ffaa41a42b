/**
 * The five severities of an alert, lowest first. One ordering for the assessment, the plan,
 * the SNS `severity` attribute, the pager's filter policy and the policy file.
 */

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;

export type Severity = (typeof SEVERITIES)[number];

const RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** 0 for `info` … 4 for `critical`. */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/** True for one of the five severity names (exactly, lower case). */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/** True when `severity` is at or above `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

/** Every severity at or above `threshold`, lowest first (`high` → `["high", "critical"]`). */
export function severitiesFrom(threshold: Severity): Severity[] {
  return SEVERITIES.filter((s) => atLeast(s, threshold));
}

const LABEL: Readonly<Record<Severity, string>> = {
  info: "INFO",
  low: "LOW",
  medium: "MEDIUM",
  high: "HIGH",
  critical: "CRITICAL",
};

/** `HIGH`, `CRITICAL`…: how subjects and bodies spell a severity. */
export function severityLabel(severity: Severity): string {
  return LABEL[severity];
}
