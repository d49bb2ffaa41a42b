/**
 * `secretwatch replay` on the quirks fixture (tests/fixtures/cloudtrail/quirks.json): records
 * without eventID or eventTime, or with eventTime written `2024-10-17 21:48:45.000000000`, reach
 * decode through every input form (the S3 fast path included) and come out as hits with their
 * notes and the event time in ISO 8601 UTC; only a true copy (same eventID and name) is dropped.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import type { SecretAccess } from "../../packages/core/src/types.js";
import { fixture, NOW, recordsEvent, s3File, tempDir } from "./replay-inputs.js";
import { runCli } from "./run-cli.js";

const dir = tempDir("replay-quirks-");
afterAll(() => dir.remove());

const records = fixture("quirks");
const { expected } = JSON.parse(
  readFileSync(new URL("../fixtures/cloudtrail/quirks.expected.json", import.meta.url), "utf8"),
) as { expected: (Partial<SecretAccess> | null)[] };

/** The reads replay must print: every expected hit, the second of a same-eventID-and-name pair left out. */
const seen = new Set<string>();
const wanted = records.flatMap((record, i) => {
  const want = expected[i];
  if (!want) return [];
  const key = JSON.stringify([want.eventID, want.eventName]);
  if (want.eventID !== "" && seen.has(key)) return [];
  seen.add(key);
  return [{ ...want, requestID: record.requestID as string }];
});

/** What one line must say, in a stable order: replay has no clock for delivery lag (null). */
const view = (h: Partial<SecretAccess>) =>
  JSON.stringify([h.requestID, h.eventName, h.eventID, h.eventTime, h.notes, h.consoleUrl]);

const inputs: Array<[string, () => string]> = [
  ["an S3 log file (the byte-scanning fast path)", () => dir.json("s3.json", s3File(records))],
  ["a JSON array of records", () => dir.json("array.json", records)],
  ["NDJSON, one record a line", () => dir.ndjson("records.ndjson", records)],
  ["a CloudWatch Logs subscription event", () => dir.json("event.json", recordsEvent(records))],
];

describe.each(inputs)("replay of %s", (_name, write) => {
  test("prints every quirky read as a hit with its notes and its event time in ISO 8601 UTC", async () => {
    const run = await runCli(["replay", "--workers", "1", write(), "--format", "json"], { now: NOW });
    expect(run.code).toBe(0);
    const lines = run.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SecretAccess);
    expect(lines.map(view).sort()).toEqual(wanted.map(view).sort());
    expect(lines.every((h) => h.deliveryLagSeconds === null)).toBe(true);
    // The space-separated nanosecond time of the issue, by name.
    const spaced = lines.find((h) => h.notes.includes("eventTime was written as 2024-10-17 21:48:45.000000000"));
    expect(spaced).toMatchObject({ eventTime: "2024-10-17T21:48:45.000Z", outcome: "denied" });
    // Reads without an eventID: "" and no console link, each noted; the two identical ones both printed.
    const noId = lines.filter((h) => h.eventID === "");
    expect(noId.length).toBe(wanted.filter((w) => w.eventID === "").length);
    expect(noId.every((h) => h.consoleUrl === null && h.notes.some((n) => n.includes("eventID")))).toBe(true);
    expect(new Set(noId.map((h) => h.requestID)).size).toBe(noId.length - 1);
  });
});
