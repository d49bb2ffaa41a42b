/**
 * `secretwatch history` reports the stage's tamper events found by its one query: Athena (mocked
 * as the other history tests do) names a log file holding the tamper fixtures (records as
 * CloudTrail writes them), the file is read back from S3 by replay's reader and classified with
 * the stage's scope; only the event IDs the query found are kept, as for reads.
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { ACCOUNT, BUCKET, HEADER, mockAws, objectBody, readRows, row, runHistory } from "./history-harness.js";
import { compared, expectedHits, TAMPER_SETS, type TamperSet, tamperRecords } from "./replay-tamper-cases.js";

const NOW = new Date("2026-12-02T00:00:00Z");
const KEY = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-2/2026/12/01/${ACCOUNT}_CloudTrail_us-east-2_20261201T0920Z_Tamper0000000001.json.gz`;
const URI = `s3://${BUCKET}/${KEY}`;
const all = TAMPER_SETS.flatMap((set) => tamperRecords(set));
const byId = (a: { eventID: string }, b: { eventID: string }) => (a.eventID < b.eventID ? -1 : 1);
const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);

/** History over the tamper log file, Athena naming the event IDs of `found` sets' records. */
async function history(found: readonly TamperSet[], args: string[] = []) {
  const ids = found.flatMap((set) => tamperRecords(set)).map((r) => row(URI, String(r.eventID)));
  const mocks = mockAws({ pages: [[HEADER, ...readRows("us"), ...ids]] });
  mocks.s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).callsFake(() => ({
    Body: objectBody(gzipSync(JSON.stringify({ Records: all }))),
  }));
  const run = await runHistory(["--stage", "dev", "--since", "2024-07-01", "--account", ACCOUNT, ...args], mocks, {
    now: () => NOW,
  });
  return { run, mocks };
}

describe("history --stage dev reports the stage's tamper events", () => {
  it.each(TAMPER_SETS)("%s: kind tamper lines with their reason codes, as replay --stage dev", async (set) => {
    const { run } = await history(TAMPER_SETS, ["--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const ids = new Set(tamperRecords(set).map((r) => r.eventID));
    const tamper = lines(run.stdout).filter((l) => l.kind === "tamper" && ids.has(l.eventID));
    expect(tamper.map(compared).sort(byId)).toEqual([...expectedHits(set, true)].sort(byId));
    for (const line of tamper) expect(line.file).toBe(URI);
  });

  it("keeps only the event IDs the query found in the file (here: the trail set's)", async () => {
    const { run } = await history(["trail"], ["--format", "json"]);
    const tamper = lines(run.stdout).filter((l) => l.kind === "tamper");
    expect(tamper.map(compared).sort(byId)).toEqual([...expectedHits("trail", true)].sort(byId));
    // The reads of the other file are still there, kind read or batch.
    const reads = lines(run.stdout).filter((l) => l.kind !== "tamper");
    expect(reads.length).toBe(readRows("us").length);
    expect(new Set(reads.map((l) => l.kind))).toEqual(new Set(["read", "batch"]));
  });

  it("text: the tamper alerts as emailed; stderr counts them and the budget has their line", async () => {
    const { run } = await history(TAMPER_SETS);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "Subject: CRITICAL [secretwatch dev] TAMPER: StopLogging on secretwatch-dev-trail by alice",
    );
    const count = TAMPER_SETS.reduce((n, set) => n + expectedHits(set, true).length, 0);
    expect(run.stderr).toContain(`, ${count} tamper event(s) of the stage`);
    expect(run.stderr).toMatch(new RegExp(`^history: {3}${count} tamper events \\(\\d+ critical, `, "m"));
  });

  it("--report: the HTML report has the tamper table", async () => {
    const file = path.join(tmpdir(), `history-tamper-${process.pid}.html`);
    try {
      const { run } = await history(["trail"], ["--report", file]);
      expect(run.code, run.stderr).toBe(0);
      const html = readFileSync(file, "utf8");
      expect(html).toContain('<section id="tamper">');
      const rows = html.slice(html.indexOf('<table id="tamper-events">')).split("</table>")[0]!;
      expect(rows.match(/<tr class=/g)).toHaveLength(expectedHits("trail", true).length);
      expect(rows).toContain("<td>StopLogging</td><td>secretwatch-dev-trail</td>");
    } finally {
      rmSync(file, { force: true });
    }
  });
});
