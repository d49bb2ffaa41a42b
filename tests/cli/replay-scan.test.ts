/** The S3 fast path: the structural scan finds every record's bounds and never misses a possible hit. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { scanRecordsFile } from "../../packages/cli/src/replay/scan.js";
import { noise, stratus } from "./replay-inputs.js";
import { mayHit, picksOf } from "./replay-picks.js";

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

describe("scanRecordsFile", () => {
  test("real records: counts all, picks exactly the secret-value reads (not ListSecrets), compact or indented", () => {
    const records = [...noise, ...stratus];
    const reads = stratus.filter((r) => r.eventName !== "ListSecrets");
    expect(reads).toHaveLength(stratus.length - 1);
    for (const json of [JSON.stringify({ Records: records }), JSON.stringify({ Records: records }, null, 2)]) {
      const result = scan(json)!;
      expect(result.count).toBe(records.length);
      expect(result.candidates.map((c) => c.value)).toEqual(reads);
      expect(result.candidates[0]?.index).toBe(noise.length);
    }
  });

  test("any JSON elements, with any strings: bounds are exact and no element holding a needle is missed", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.constantFrom(
        ...['"', "\\", '\\"', "{", "}", "[", "]", ",", "secretsmanager.amazonaws.com", "awslogs", "é", "😀"],
        ...["eventName", "GetSecretValue", "ListSecrets", "StopLogging", "DeleteSecret"],
      ),
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
        expect(result.candidates).toEqual(JSON.parse(JSON.stringify(picksOf(records, mayHit))));
      }),
      { numRuns: 300 },
    );
  });

  test("a Secrets Manager record is parsed only when an eventName of it is a read's or a tamper event's", () => {
    const read = stratus[0]!;
    const list = { ...read, eventName: "ListSecrets" };
    const records = [
      list, // counted, not parsed: the deployed subscription filter does not deliver it either
      { ...read, eventName: "DeleteSecret" }, // a tamper event of Secrets Manager
      // A nested eventName can add a record to parse, never hide one.
      { ...list, requestParameters: { eventName: "GetSecretValue" } },
      { ...read, requestParameters: { ...(read.requestParameters as object), eventName: "ListSecrets" } },
      { ...read, eventName: 'Get"SecretValue' }, // an escape: only a parse can tell
      { ...read, eventName: 7 }, // not text: not a read either
      read,
    ];
    const result = scan(JSON.stringify({ Records: records }))!;
    expect(result.count).toBe(records.length);
    expect(result.candidates.map((c) => c.index)).toEqual([1, 2, 3, 4, 6]);
    expect(result.candidates.map((c) => c.index)).toEqual(picksOf(records, mayHit).map((p) => p.index));
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
