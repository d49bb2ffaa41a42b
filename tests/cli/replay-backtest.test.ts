/**
 * Replay as a backtest of the policy, on a fixture with a known answer
 * (tests/fixtures/backtest/expected.json explains every number).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { runCli } from "./run-cli.js";

const FIXTURE = new URL("../fixtures/backtest/", import.meta.url).pathname;
const POLICY = `${FIXTURE}secretwatch.policy.yaml`;
/** The archive: the S3 layout and a copy of one of its files. */
const INPUTS = [`${FIXTURE}AWSLogs`, `${FIXTURE}copy`];
const expected = JSON.parse(readFileSync(`${FIXTURE}expected.json`, "utf8"));

interface Line {
  eventID: string;
  eventTime: string;
  secretId: string;
  severity: string;
  reasons: string[];
  expected: string | null;
  emailed: boolean;
  suppressed: string | null;
  identity: { userName: string };
}
const lines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

async function backtest(...extra: string[]) {
  const run = await runCli(["replay", ...INPUTS, "--policy", POLICY, "--format", "json", "--workers", "1", ...extra]);
  expect(run.code).toBe(0);
  return { run, hits: lines(run.stdout) };
}

describe("replay as a backtest", () => {
  test("every read once (a copied file counts once), with its severity, reasons, rule and whether it is emailed", async () => {
    const { hits } = await backtest();
    expect(hits).toHaveLength(expected.reads);
    const count = (pick: (h: Line) => boolean) => hits.filter(pick).length;
    for (const [severity, n] of Object.entries(expected.bySeverity))
      expect(count((h) => h.severity === severity)).toBe(n);
    expect(count((h) => h.emailed)).toBe(expected.emailedReads);
    expect(count((h) => h.suppressed === "repeat")).toBe(expected.suppressed);
    // The expected workload: info, its rule named, never emailed.
    const app = hits.filter((h) => h.secretId === "prod/app/db");
    expect(new Set(app.map((h) => `${h.severity} ${h.expected} ${h.emailed}`))).toEqual(new Set(["info app-db false"]));
  });

  test("first-seen, repeat suppression and rapid retrieval come out as the Lambda would have had them", async () => {
    const { hits } = await backtest();
    const batch = hits.filter((h) => h.secretId === "dev/batch/token").map((h) => [h.severity, h.emailed]);
    expect(batch).toEqual([
      ["medium", true],
      ["low", false],
      ["low", false],
      ["low", false],
    ]);
    const bob = hits.filter((h) => h.identity.userName === "bob").map((h) => [h.eventTime, h.emailed, h.suppressed]);
    expect(bob).toEqual([
      ["2024-06-03T10:00:00Z", true, null],
      ["2024-06-03T10:20:00Z", false, "repeat"],
      ["2024-06-03T10:40:00Z", false, "repeat"],
      ["2024-06-03T11:30:00Z", true, null],
    ]);
    const rapid = hits.filter((h) => h.reasons.includes("rapid-retrieval"));
    expect(rapid.map((h) => [h.secretId, h.severity])).toEqual([["team/s20", "high"]]);
    const decoy = hits.find((h) => h.secretId === "canary/root-keys");
    expect(decoy).toMatchObject({ severity: "critical", emailed: true, reasons: expect.arrayContaining(["decoy"]) });
  });

  test("the summary ends with the alert budget: reads by severity, emails a day, the busiest day and hour", async () => {
    const { run } = await backtest();
    const s = expected.bySeverity;
    expect(run.stderr).toContain(
      `${expected.reads} reads (${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low, ${s.info} info)`,
    );
    expect(run.stderr).toContain(
      `${expected.emailedReads} emailed (${expected.inSummaries} of them in summaries), ${expected.belowNotify} below the notify level, ${expected.suppressed} repeats suppressed`,
    );
    expect(run.stderr).toContain(
      `the Lambda would have sent ${expected.emails} emails over ${expected.days} days (9.0 a day; ` +
        `busiest day ${expected.busiestDay[0]}: ${expected.busiestDay[1]}; busiest hour ${expected.busiestHour[0]}:00Z: ${expected.busiestHour[1]})`,
    );
  });

  test("--baseline-days 1: the first day only teaches the history", async () => {
    const { run, hits } = await backtest("--baseline-days", "1");
    const b = expected.withBaselineDays1;
    expect(run.stderr).toContain(`${b.baseline} used as baseline only`);
    expect(run.stderr).toContain(`${b.reads} reads`);
    expect(run.stderr).toContain(`would have sent ${b.emails} email `);
    expect(hits.filter((h) => h.emailed).map((h) => h.secretId)).toEqual(["canary/root-keys"]);
  });

  test("the history runs in event time whatever the input order: files given newest first give the same verdicts", async () => {
    const dir = `${FIXTURE}AWSLogs/111122223333/CloudTrail/eu-west-1/2024/06/`;
    const files = ["03", "04"].flatMap((d) => readdirSync(`${dir}${d}`).map((f) => `${dir}${d}/${f}`));
    const reversed = await runCli([
      "replay",
      ...files.reverse(),
      "--policy",
      POLICY,
      "--format",
      "json",
      "--workers",
      "1",
    ]);
    const verdicts = (hits: Line[]) =>
      Object.fromEntries(hits.map((h) => [h.eventID, [h.severity, h.emailed, h.suppressed, h.reasons.join()]]));
    expect(verdicts(lines(reversed.stdout))).toEqual(verdicts((await backtest()).hits));
  });

  test("text output shows each unit's alerts with their severity", async () => {
    const run = await runCli(["replay", ...INPUTS, "--policy", POLICY, "--workers", "1"]);
    expect(run.stdout).toMatch(/Subject: CRITICAL \[secretwatch replay\] .*canary\/root-keys/);
    expect(run.stdout).toMatch(/\nSubject: HIGH \[secretwatch replay\] /);
    expect(run.stdout).not.toContain("prod/app/db read");
  });

  test("a bad policy file stops replay with exit 2 and every problem", async () => {
    const run = await runCli(["replay", ...INPUTS, "--policy", `${FIXTURE}expected.json`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/expected\.json/);
  });
});
