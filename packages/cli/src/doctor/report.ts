/**
 * The results of `secretwatch doctor`: one line per check (✓ passed, ✗ failed with its fix,
 * ! a warning that does not fail the run), grouped by the link of the chain it checks.
 */
import { plural } from "../words.js";

/** The settings doctor read, then the links of the chain, in the order events travel through them. */
export const LINKS = ["settings", "trail", "log group", "metric filter", "alarm", "topic", "enricher"] as const;

export type Link = (typeof LINKS)[number];

export type CheckStatus = "pass" | "fail" | "warn";

export interface CheckResult {
  link: Link;
  status: CheckStatus;
  /** What was found, naming the resource. */
  message: string;
  /** What to do about a failure or warning. */
  fix?: string;
}

export function pass(link: Link, message: string): CheckResult {
  return { link, status: "pass", message };
}

export function fail(link: Link, message: string, fix: string): CheckResult {
  return { link, status: "fail", message, fix };
}

export function warn(link: Link, message: string, fix?: string): CheckResult {
  return fix === undefined ? { link, status: "warn", message } : { link, status: "warn", message, fix };
}

export interface DoctorReport {
  app: string;
  stage: string;
  region: string;
  /** True when no check failed (warnings allowed). */
  ok: boolean;
  checks: CheckResult[];
}

/** Orders results by link (stable within a link) and computes `ok`. */
export function buildReport(head: Omit<DoctorReport, "ok" | "checks">, results: readonly CheckResult[]): DoctorReport {
  const checks = LINKS.flatMap((link) => results.filter((r) => r.link === link));
  return { ...head, ok: checks.every((c) => c.status !== "fail"), checks };
}

const MARK: Record<CheckStatus, string> = { pass: "✓", fail: "✗", warn: "!" };

/** `✓ message`, or `✗ message → fix: ...`. */
export function formatCheck(check: CheckResult): string {
  const fix = check.fix === undefined ? "" : ` → fix: ${check.fix}`;
  return `${MARK[check.status]} ${check.message}${fix}`;
}

/** The human report: a header, the checks grouped by link, and a one-line summary. */
export function formatText(report: DoctorReport): string {
  const lines = [`secretwatch doctor: stage ${report.stage} of ${report.app} in ${report.region}`];
  for (const link of LINKS) {
    const checks = report.checks.filter((c) => c.link === link);
    if (checks.length === 0) continue;
    lines.push(`${link}:`);
    for (const check of checks) lines.push(`  ${formatCheck(check)}`);
  }
  const failed = report.checks.filter((c) => c.status === "fail").length;
  const warned = report.checks.filter((c) => c.status === "warn").length;
  const total = report.checks.length;
  const summary =
    failed === 0 ? `all ${plural(total, "check")} passed` : `${failed} of ${plural(total, "check")} failed`;
  lines.push(warned === 0 ? summary : `${summary} (${plural(warned, "warning")})`);
  return `${lines.join("\n")}\n`;
}

/** The machine report (`--json`). */
export function formatJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Commands the fixes point to, for this stage. */
export interface FixHints {
  /** Re-creates the stage's resources as `stacks/` declares them: `npx sst deploy --stage dev`. */
  deploy: string;
  /** Runs another secretwatch command for this stage: `secretwatch redrive --stage dev`. */
  cli(command: string): string;
}
