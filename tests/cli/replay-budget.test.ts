/**
 * The alert budget at the end of `secretwatch replay`'s summary: the reads line (reads by
 * severity, and what became of them) only when the input held secret reads; the tamper line
 * when it held tamper events; the emails line always. Inputs are the committed fixtures: the
 * backtest archive (tests/fixtures/backtest/, its numbers explained in expected.json) and the
 * tamper `trail` set (tests/fixtures/cloudtrail/tamper/trail.json, outcomes beside it).
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import { AlertBudget } from "../../packages/cli/src/replay/budget.js";
import { planMessages } from "../../packages/core/src/plan.js";
import { planTamper, stageTamperScope } from "../../packages/core/src/tamper/index.js";
import { tempDir } from "./replay-inputs.js";
import { expectedHits, tamperRecords } from "./replay-tamper-cases.js";
import { runCli } from "./run-cli.js";

const BACKTEST = new URL("../fixtures/backtest/", import.meta.url).pathname;
const POLICY = `${BACKTEST}secretwatch.policy.yaml`;
const READS = [`${BACKTEST}AWSLogs`, `${BACKTEST}copy`];
const expected = JSON.parse(readFileSync(`${BACKTEST}expected.json`, "utf8"));

const dir = tempDir("replay-budget-");
afterAll(() => dir.remove());
/** The trail set alone, as an S3 log file: tamper events, not one secret read. */
const TAMPER_ONLY = dir.json("AWSLogs/trail.json", { Records: tamperRecords("trail") });

const trailHits = expectedHits("trail", true);
const bySeverity = (s: string) => trailHits.filter((h) => h.severity === s).length;
/** The trail set's tamper line: every event is emailed (none is below `notify`). */
const TAMPER_LINE =
  `replay:   ${trailHits.length} tamper events (${bySeverity("critical")} critical, ${bySeverity("high")} high, ` +
  `${bySeverity("medium")} medium, ${bySeverity("low")} low, ${bySeverity("info")} info), ${trailHits.length} emailed`;

/** The budget lines of replay's stderr: from the reads line (or the first indented line) to the emails line. */
function budgetLines(stderr: string): string[] {
  const lines = stderr.split("\n");
  const from = lines.findIndex((l) => l.startsWith("replay: alert budget") || l.startsWith("replay:   "));
  const to = lines.findIndex((l) => l.startsWith("replay:   the Lambda would have sent"));
  expect(from, stderr).toBeGreaterThanOrEqual(0);
  expect(to, stderr).toBeGreaterThanOrEqual(from);
  return lines.slice(from, to + 1);
}

const replay = (...args: string[]) =>
  runCli(["replay", "--workers", "1", ...args], { now: new Date("2026-12-02T00:00:00Z") });
/** `policy <source> (sha256:<12 hex>)`, as replay labels the policy (the hash is the compiled policy's). */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const label = (source: string) => `policy ${literal(source)} \\(sha256:[0-9a-f]{12}\\)`;

describe("replay's alert budget", () => {
  test("tamper events only: a heading instead of the reads lines; the tamper and emails lines stay", async () => {
    const run = await replay("--stage", "dev", TAMPER_ONLY);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("0 secret-value retrievals");
    expect(run.stderr).not.toMatch(/\d reads? \(/);
    expect(run.stderr).not.toContain("below the notify level");
    const lines = budgetLines(run.stderr);
    expect(lines[0]).toMatch(
      /^replay: alert budget with policy defaults \(sha256:[0-9a-f]{12}\): no secret-value retrievals$/,
    );
    expect(lines.slice(1)).toEqual([
      TAMPER_LINE,
      `replay:   the Lambda would have sent ${trailHits.length} emails over 1 day (${trailHits.length}.0 a day; ` +
        `busiest day 2026-12-01: ${trailHits.length}; busiest hour 2026-12-01T09:00Z: ${trailHits.length})`,
    ]);
  });

  test("reads: the reads line and its emailed line exactly as before, then the emails line", async () => {
    const run = await replay(...READS, "--policy", POLICY);
    expect(run.code, run.stderr).toBe(0);
    const s = expected.bySeverity;
    const lines = budgetLines(run.stderr);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(
        `^replay: alert budget with ${label(POLICY)}: ${expected.reads} reads ` +
          `\\(${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low, ${s.info} info\\)$`,
      ),
    );
    expect(lines.slice(1)).toEqual([
      `replay:   ${expected.emailedReads} emailed (${expected.inSummaries} of them in summaries), ` +
        `${expected.belowNotify} below the notify level, ${expected.suppressed} repeats suppressed`,
      `replay:   the Lambda would have sent ${expected.emails} emails over ${expected.days} days (9.0 a day; ` +
        `busiest day ${expected.busiestDay[0]}: ${expected.busiestDay[1]}; ` +
        `busiest hour ${expected.busiestHour[0]}:00Z: ${expected.busiestHour[1]})`,
    ]);
  });

  test("reads and tamper events: the reads lines, then the tamper line, then the emails of both", async () => {
    const run = await replay("--stage", "dev", ...READS, TAMPER_ONLY, "--policy", POLICY);
    expect(run.code, run.stderr).toBe(0);
    const lines = budgetLines(run.stderr);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^replay: alert budget with ${label(POLICY)}: ${expected.reads} reads `));
    expect(lines[1]).toContain(`${expected.emailedReads} emailed (${expected.inSummaries} of them in summaries)`);
    expect(lines[2]).toBe(TAMPER_LINE);
    expect(lines[3]).toMatch(
      new RegExp(`^replay: {3}the Lambda would have sent ${expected.emails + trailHits.length} emails `),
    );
  });

  test("every read used as baseline only: still an input with reads, so its lines stay (0 reads, N baseline)", async () => {
    // The reads start on 2024-06-03; 1,000 days of baseline cover them all, not the 2026 tamper events.
    const run = await replay("--stage", "dev", ...READS, TAMPER_ONLY, "--policy", POLICY, "--baseline-days", "1000");
    expect(run.code, run.stderr).toBe(0);
    const lines = budgetLines(run.stderr);
    expect(lines[0]).toMatch(
      new RegExp(`^replay: alert budget with ${label(POLICY)}: 0 reads \\(0 critical, 0 high, 0 medium`),
    );
    expect(lines[1]).toBe(
      `replay:   0 emailed (0 of them in summaries), 0 below the notify level, 0 repeats suppressed, ` +
        `${expected.reads} used as baseline only`,
    );
    expect(lines.slice(2)).toEqual([
      TAMPER_LINE,
      expect.stringMatching(new RegExp(`^replay: {3}the Lambda would have sent ${trailHits.length} emails `)),
    ]);
  });
});

describe("AlertBudget.render on the plans the backtest makes", () => {
  const scope = stageTamperScope({ app: "secretwatch", stage: "dev" });
  const tamperPlan = () => planTamper(tamperRecords("trail"), { scope, app: "secretwatch", stage: "dev" });

  test("a unit without reads (an empty read plan) and a tamper plan: the heading, the tamper and emails lines", () => {
    const budget = new AlertBudget();
    budget.add(planMessages([], { app: "secretwatch", stage: "dev" }));
    budget.addTamper(tamperPlan());
    const lines = budget.render("policy defaults (sha256:000000000000)");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      "replay: alert budget with policy defaults (sha256:000000000000): no secret-value retrievals",
    );
    expect(lines[1]).toBe(TAMPER_LINE);
    expect(lines[2]).toMatch(
      new RegExp(`^${literal("replay:   the Lambda would have sent")} ${trailHits.length} emails`),
    );
  });
});
