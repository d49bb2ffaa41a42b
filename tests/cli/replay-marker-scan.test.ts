/**
 * The S3 fast path's first try: the marker scan finds records by `},{"x` on the bytes. Wherever
 * it answers, it must answer exactly what the structural scan (scan.ts) answers; where it
 * cannot show a piece is one record, it walks that record exactly or gives up (null).
 */
import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { scanByMarkers } from "../../packages/cli/src/replay/marker-scan.js";
import { scanRecordsFile } from "../../packages/cli/src/replay/scan.js";
import { noise, stratus } from "./replay-inputs.js";

const bytesOf = (json: string) => Buffer.from(json, "utf8");
const exact = (json: string, names = false) => scanRecordsFile(bytesOf(json).toString("latin1"), names);
const file = (records: unknown[], indent?: number | string) => JSON.stringify({ Records: records }, null, indent);
/** The elements the scan would parse, as values. */
function picked(json: string) {
  const bytes = bytesOf(json);
  const scan = scanByMarkers(bytes);
  if (!scan) return null;
  const out: { index: number; value: unknown }[] = [];
  for (let k = 0; k < scan.candidates.length; k += 3) {
    const [index, start, end] = scan.candidates.slice(k, k + 3) as [number, number, number];
    out.push({ index, value: JSON.parse(bytes.toString("utf8", start, end)) });
  }
  return { count: scan.count, candidates: out };
}

const read = stratus[0]!;
const other = noise[0]!;

describe("scanByMarkers", () => {
  test("a compact CloudTrail file: every record counted, exactly the secret-value reads picked, no fallback", () => {
    const records = [...noise, ...stratus];
    const json = file(records);
    expect(scanByMarkers(bytesOf(json))).toEqual(exact(json));
    const result = picked(json)!;
    expect(result.count).toBe(records.length);
    expect(result.candidates.map((c) => c.value)).toEqual(stratus.filter((r) => r.eventName !== "ListSecrets"));
  });

  test("any JSON elements with any strings, compact or indented: null or exactly the structural scan's answer", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.constantFrom(
        ...['"', "\\", '\\"', "{", "}", "[", "]", ",", "},{", '},{"eventVersion":"', '[{"a', "[$LATEST]", " {"],
        ...["secretsmanager.amazonaws.com", "awslogs", "é", "😀"],
      ),
    );
    const element = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(text, fc.oneof(text, fc.jsonValue())),
      fc.array(fc.oneof(text, fc.jsonValue(), fc.dictionary(text, text)), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 8 }), fc.constantFrom(undefined, 1, "\t"), (records, indent) => {
        const json = file(records, indent);
        const marked = scanByMarkers(bytesOf(json));
        if (marked !== null) expect(marked).toEqual(exact(json));
      }),
      { numRuns: 400 },
    );
  });

  test("fake records nested in a record's array are not records: one record, picked whole", () => {
    // A caller can make a service log nested objects with any keys; two fake markers in a row
    // would make a valid-looking record between them.
    const fake = { eventVersion: "1.08", eventSource: "secretsmanager.amazonaws.com", eventName: "GetSecretValue" };
    const host = { ...other, requestParameters: { items: [{ a: 1 }, fake, { eventVersion: "x" }] } };
    for (const records of [[host], [other, host, other], [host, read]]) {
      const json = file(records);
      expect(json).toContain('},{"eventVersion":"1.08","eventSource":"secretsmanager');
      expect(scanByMarkers(bytesOf(json))).toEqual(exact(json));
      const result = picked(json)!;
      expect(result.count).toBe(records.length);
      expect(result.candidates.map((c) => c.value)).toEqual(
        records.filter((r) => JSON.stringify(r).includes("secretsmanager")),
      );
    }
  });

  test("brackets and boundaries inside strings (log stream names, user agents) keep the fast path exact", () => {
    const records = [
      { ...other, requestParameters: { logStreamName: "2024/07/30/[$LATEST]395d645e" } },
      { ...read, userAgent: 'x [{"y" ,{"eventVersion":"z"} a, {b}' },
      { ...other, requestParameters: { filter: "[", more: "]", list: ["[$LATEST]", "x]"] } },
      read,
      // Read as an array, this `[` would match the `]` of the next record and swallow the boundary.
      { ...other, userAgent: "[" },
      { ...read, userAgent: "]" },
    ];
    const json = file(records);
    expect(scanByMarkers(bytesOf(json))).toEqual(exact(json));
    expect(picked(json)!.count).toBe(records.length);
    expect(picked(json)!.candidates.map((c) => c.index)).toEqual([1, 3, 5]);
  });

  test("arrays walked byte by byte: escaped quotes and backslashes in their strings do not end them early or late", () => {
    const records = [
      // `["a\"", "b"]`: read without its escape, the quote after `a` would close the string and the
      // array's `]` would seem to be inside one, so the array would swallow the next boundary.
      { ...other, requestParameters: { names: ['a"', "b"], more: ["\\", '\\"', "]"] } },
      read,
      // `[{"a":"\"}]"},{"b":"1"}]`: without the escape, `}]` would close the array inside the string
      // and the `},{"b` after it would end the record in the middle of its array.
      { ...other, resources: [{ a: '"}]' }, { b: "1" }, { c: "\\" }] },
      read,
    ];
    const json = file(records);
    expect(scanByMarkers(bytesOf(json))).toEqual(exact(json));
    expect(picked(json)!.count).toBe(records.length);
    expect(picked(json)!.candidates.map((c) => c.index)).toEqual([1, 3]);
  });

  test("records a marker cannot show (scalars, arrays, spaced or indented separators) are walked exactly", () => {
    for (const json of [
      '{"Records":[1,{"a":"secretsmanager.amazonaws.com"},[2,{"b":3}],"c",{"d":{"e":[{"f":1},{"g":2}]}}]}',
      '{"Records":[{"a":1}, {"b":"secretsmanager.amazonaws.com"},\n{"c":2}]}',
      file([other, read, other], 2),
      file([other, read, other], "\t"),
    ]) {
      const marked = scanByMarkers(bytesOf(json));
      expect(marked, json).not.toBeNull();
      expect(marked, json).toEqual(exact(json));
    }
  });

  test("what scan.ts must decide is left to it (null)", () => {
    for (const json of [
      "[]",
      '{"Records":[]}',
      '{"records":[{"a":1}]}',
      '{"Records":[{"a":1}],"Other":1}',
      '{"Records":[{"a":1}',
      '{"Records":[{"a":"unterminated]}',
      '{"Records":[{"a":1} {"b":2}]}',
    ]) {
      expect(scanByMarkers(bytesOf(json)), json).toBeNull();
    }
  });

  test("with a stage, records named by a tamper event are picked as scan.ts picks them", () => {
    const stop = { ...other, eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging" };
    for (const json of [file([other, stop, read, other]), file([other, stop], 2)]) {
      expect(scanByMarkers(bytesOf(json), true)).toEqual(exact(json, true));
      expect(scanByMarkers(bytesOf(json), true)!.candidates.filter((_, i) => i % 3 === 0)).toContain(1);
    }
  });
});

describe("scanByMarkers on hostile sizes", () => {
  test("brackets between many escaped quotes: exact, and the walk back to a string's start is bounded", () => {
    // A caller's resource policy, escaped in one string: every `[` in it sends the scan back
    // towards the string's opening quote, over every escaped quote on the way.
    const n = 1000;
    const policy = JSON.stringify({
      Statement: Array.from({ length: n }, (_, i) => ({ Sid: `s${i}`, Resource: ["[a]"] })),
    });
    const json = file([other, { ...other, requestParameters: { resourcePolicy: policy } }, read]);
    const walkBack = vi.spyOn(Buffer.prototype, "lastIndexOf");
    try {
      const marked = scanByMarkers(bytesOf(json));
      expect(marked).toEqual(exact(json));
      expect(marked!.count).toBe(3);
      // Bounded: at most 65 steps per bracket (2n brackets and quotes here); unbounded it is
      // about n² / 2 steps, half a million.
      expect(walkBack.mock.calls.length).toBeLessThan(100 * n);
    } finally {
      walkBack.mockRestore();
    }
  });
});
