/** The S3 fast path: the structural scan finds every record's bounds and never misses a possible hit. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { scanRecordsFile } from "../../packages/cli/src/replay/scan.js";
import { noise, stratus } from "./replay-inputs.js";

/** Scans JSON text as replay does: bytes decoded as latin1, candidates cut from the UTF-8 bytes. */
function scan(json: string) {
  const bytes = Buffer.from(json, "utf8");
  const result = scanRecordsFile(bytes.toString("latin1"));
  if (!result) return null;
  const candidates: { index: number; value: unknown }[] = [];
  for (let k = 0; k < result.candidates.length; k += 3) {
    const [index, start, end] = result.candidates.slice(k, k + 3) as [number, number, number];
    candidates.push({ index, value: JSON.parse(bytes.toString("utf8", start, end)) });
  }
  return { count: result.count, candidates };
}

const mayHit = (value: unknown) => /secretsmanager\.amazonaws\.com|awslogs|\\u/.test(JSON.stringify(value));

describe("scanRecordsFile", () => {
  test("real records: counts all, picks exactly the Secrets Manager ones, compact or indented", () => {
    const records = [...noise, ...stratus];
    for (const json of [JSON.stringify({ Records: records }), JSON.stringify({ Records: records }, null, 2)]) {
      const result = scan(json)!;
      expect(result.count).toBe(records.length);
      expect(result.candidates.map((c) => c.value)).toEqual(stratus);
      expect(result.candidates[0]?.index).toBe(noise.length);
    }
  });

  test("any JSON elements, with any strings: bounds are exact and no element holding a needle is missed", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.constantFrom('"', "\\", '\\"', "{", "}", "[", "]", ",", "secretsmanager.amazonaws.com", "awslogs", "é", "😀"),
    );
    const element = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(text, fc.oneof(text, fc.jsonValue())),
      fc.array(fc.oneof(text, fc.jsonValue()), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 8 }), fc.constantFrom(undefined, 1, "\t"), (records, indent) => {
        const result = scan(JSON.stringify({ Records: records }, null, indent))!;
        expect(result.count).toBe(records.length);
        const expected = records.flatMap((value, index) => (mayHit(value) ? [{ index, value }] : []));
        expect(result.candidates).toEqual(JSON.parse(JSON.stringify(expected)));
      }),
      { numRuns: 300 },
    );
  });

  test("a record mentioning awslogs is a candidate; one that only holds wslogs is not", () => {
    const records = [{ note: "awslogs", eventName: "A" }, { note: "xwslogs", eventName: "B" }, { eventName: "C" }];
    const result = scan(JSON.stringify({ Records: records }))!;
    expect(result.count).toBe(3);
    expect(result.candidates).toEqual([{ index: 0, value: records[0] }]);
  });

  test("a record that spells its event source with JSON escapes is still parsed", () => {
    const [record] = stratus;
    const json = JSON.stringify({ Records: [...noise.slice(0, 3), record] }).replace(
      '"secretsmanager.amazonaws.com"',
      '"secretsmanager\\u002eamazonaws.com"',
    );
    expect(json).toContain("secretsmanager\\u002eamazonaws.com");
    const result = scan(json)!;
    expect(result.candidates).toEqual([{ index: 3, value: record }]);
  });

  test('anything but exactly {"Records":[...]} is left to the full parser (null)', () => {
    for (const text of [
      "[]",
      '{"records": []}',
      '{"Other": 1, "Records": []}',
      '{"Records": [], "Other": 1}',
      '{"Records": [{"a": 1}',
      '{"Records": [{"a": "unterminated}]}',
      '{"Records": [{"a": [1}]}',
      '{"Records": [1,]}',
      '{"Records": [1 2]}',
      '{"Records": []} trailing',
    ]) {
      expect(scanRecordsFile(text), text).toBeNull();
    }
    expect(scanRecordsFile(' \n{ "Records" : [ ] }\n')).toEqual({ count: 0, candidates: [] });
  });
});
