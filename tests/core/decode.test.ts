import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import {
  DecodeError,
  decodeLogsPayload,
  decodeSubscriptionData,
  gunzipChunkSize,
  isCloudTrailRecord,
  parseRecordMessage,
} from "../../packages/core/src/decode.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";

const fixture = (name: string) => cloudTrailFixture<unknown>(name);

const [secretRead] = fixture("stratus-secretsmanager") as [Record<string, unknown>];
const secretReadText = JSON.stringify(secretRead);

/** What CloudWatch Logs hands the Lambda in `awslogs.data`. */
const envelope = (payload: unknown): string => gzipSync(Buffer.from(JSON.stringify(payload))).toString("base64");

const dataMessage = (messages: unknown[]) => ({
  messageType: "DATA_MESSAGE",
  owner: "111122223333",
  logGroup: "/secretwatch/prod/cloudtrail",
  logStream: "111122223333_CloudTrail_eu-west-1",
  subscriptionFilters: ["secretwatch-prod-enricher"],
  logEvents: messages.map((message, i) => ({ id: `3829${i}`, timestamp: 1722429412000 + i, message })),
});

describe("decodeSubscriptionData", () => {
  it("decodes a real envelope and keeps the log event's id and timestamp", () => {
    const decoded = decodeSubscriptionData(envelope(dataMessage([secretReadText])));
    expect(decoded).toMatchObject({
      messageType: "DATA_MESSAGE",
      owner: "111122223333",
      logGroup: "/secretwatch/prod/cloudtrail",
      logStream: "111122223333_CloudTrail_eu-west-1",
      subscriptionFilters: ["secretwatch-prod-enricher"],
      malformed: [],
    });
    expect(decoded.events).toEqual([{ id: "38290", timestamp: 1722429412000, record: secretRead }]);
  });

  it("decodes text outside ASCII as UTF-8: accents, emoji and CJK in a record and in the envelope", () => {
    // The payload's bytes are mostly ASCII (read as Latin-1, a plain copy); anything else must
    // still come out as UTF-8, whether written raw by CloudWatch Logs or escaped.
    const agent = "aws-sdk-js/3 café 😀 密钥 \u00e9";
    const record = { ...secretRead, userAgent: agent, requestParameters: { secretId: "prod/crème" } };
    const payload = { ...dataMessage([JSON.stringify(record)]), logGroup: "/secretwatch/prod/journal-é" };
    const decoded = decodeSubscriptionData(envelope(payload));
    expect(decoded.logGroup).toBe("/secretwatch/prod/journal-é");
    expect(decoded.events[0]?.record).toEqual(record);
    expect((decoded.events[0]?.record as { userAgent?: string } | undefined)?.userAgent).toBe(agent);
  });

  it("sorts every message into a record or a malformed entry, and one bad message never stops the others", () => {
    const messages = [
      secretReadText,
      secretReadText.slice(0, 120), // truncated
      "{not json",
      '{"hello":1}',
      "[]",
      '"str"',
      "null",
      JSON.stringify({ ...secretRead, eventTime: 1722429412 }), // a quirk enrichment notes, not a reason to drop
      JSON.stringify({ ...secretRead, eventID: undefined }),
      secretReadText,
    ];
    const decoded = decodeSubscriptionData(envelope(dataMessage(messages)));
    expect(decoded.events.map((e) => e.id)).toEqual(["38290", "38297", "38298", "38299"]);
    expect(decoded.malformed.map(({ id, reason }) => [id, reason])).toEqual([
      ["38291", "invalid-json"],
      ["38292", "invalid-json"],
      ["38293", "not-cloudtrail"],
      ["38294", "not-cloudtrail"],
      ["38295", "not-cloudtrail"],
      ["38296", "not-cloudtrail"],
    ]);
    expect(decoded.malformed[0]?.prefix).toBe(secretReadText.slice(0, 64));
  });

  it("returns nothing for a CONTROL_MESSAGE and does not parse its messages", () => {
    const control = {
      messageType: "CONTROL_MESSAGE",
      owner: "CloudwatchLogs",
      logGroup: "",
      logStream: "",
      subscriptionFilters: [],
      logEvents: [{ id: "", timestamp: 1, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose." }],
    };
    expect(decodeSubscriptionData(envelope(control))).toEqual({
      ...control,
      logEvents: undefined,
      events: [],
      malformed: [],
    });
  });

  it.each([
    ["bad base64", "this is *not* base64!", /base64/],
    ["empty data", "", /base64/],
    ["base64 of something that is not gzip", Buffer.from('{"messageType":"DATA_MESSAGE"}').toString("base64"), /gzip/],
    ["gzip of non-JSON", gzipSync(Buffer.from("CWL says hi")).toString("base64"), /not JSON/],
    ["JSON that is not an object", envelope([1, 2]), /not a JSON object/],
    ["JSON without messageType", envelope({ logEvents: [] }), /messageType/],
    ["JSON without logEvents", envelope({ messageType: "DATA_MESSAGE", owner: "1" }), /logEvents/],
    ["logEvents that is not an array", envelope({ messageType: "DATA_MESSAGE", logEvents: {} }), /logEvents/],
  ])("throws a DecodeError for %s", (_case, data, message) => {
    let error: unknown;
    try {
      decodeSubscriptionData(data);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).name).toBe("DecodeError");
    expect((error as Error).message).toMatch(message);
  });

  it("takes base64 text whole or not at all: a character Buffer.from would skip is refused wherever it is", () => {
    const valid = envelope({ messageType: "CONTROL_MESSAGE", logEvents: [] });
    expect(decodeSubscriptionData(valid).messageType).toBe("CONTROL_MESSAGE");
    fc.assert(
      fc.property(
        fc.nat(),
        fc.constantFrom(" ", "\n", "\r\n", "\t", "!", "*", ".", "=", "==", "é", "\u0000", "A", "AB", "ABC"),
        (at, extra) => {
          const i = at % (valid.length + 1);
          const spoilt = valid.slice(0, i) + extra + valid.slice(i);
          expect(() => decodeSubscriptionData(spoilt)).toThrow(/base64/);
        },
      ),
    );
    // Padding that is missing or doubled: the text no longer decodes to the bytes its length promises.
    expect(() => decodeSubscriptionData(valid.replace(/=+$/, ""))).toThrow(valid.endsWith("=") ? /base64/ : /./);
    expect(() => decodeSubscriptionData(`${valid}====`)).toThrow(/base64/);
  });

  it("keeps the underlying error as the cause", () => {
    const error = (() => {
      try {
        decodeSubscriptionData(gzipSync(Buffer.from("nope")).toString("base64"));
      } catch (e) {
        return e as DecodeError;
      }
    })();
    expect(error?.cause).toBeInstanceOf(SyntaxError);
  });
});

describe("gunzipChunkSize: one output chunk a byte larger than the size the gzip trailer records, within bounds", () => {
  const gz = (bytes: number) => gzipSync(Buffer.alloc(bytes, "a"));
  it.each([
    ["a megabyte: its size and one byte", gz(1_222_050), 1_222_051],
    ["a small text: the 64 KiB floor", gz(10), 64 << 10],
    ["a size over the cap: the 8 MiB cap", gz(9 << 20), 8 << 20],
    ["a size one byte under the cap: the cap", gz((8 << 20) - 1), 8 << 20],
    [
      "fewer bytes than a gzip header and trailer: the floor",
      Buffer.from([0x1f, 0x8b, 0xff, 0xff, 0xff, 0xff]),
      64 << 10,
    ],
  ])("%s", (_name, zipped, chunk) => {
    expect(gunzipChunkSize(zipped)).toBe(chunk);
  });

  it("gunzips in one output buffer, with no further chunk allocated after it", () => {
    // zlib allocates a new chunk whenever one ends exactly full, even when no output is left.
    const zipped = gz(1_222_050);
    const chunk = gunzipChunkSize(zipped);
    const allocations = vi.spyOn(Buffer, "allocUnsafe");
    try {
      const out = gunzipSync(zipped, { chunkSize: chunk });
      expect(out.length).toBe(1_222_050);
      expect(allocations.mock.calls.filter(([size]) => size === chunk)).toHaveLength(1);
    } finally {
      allocations.mockRestore();
    }
  });

  it("decodes a payload whose trailer tells less than its output (two gzip members: the last one's size)", () => {
    const payload = JSON.stringify(dataMessage(Array.from({ length: 400 }, () => secretReadText)));
    const cut = payload.length - 10;
    // The second member holds the last 10 bytes: its trailer says 10, the output is the whole payload.
    const data = Buffer.concat([gzipSync(payload.slice(0, cut)), gzipSync(payload.slice(cut))]);
    expect(gunzipChunkSize(data)).toBe(64 << 10);
    const decoded = decodeSubscriptionData(data.toString("base64"));
    expect(decoded.events).toHaveLength(400);
    expect(decoded.events[399]?.record).toEqual(secretRead);
  });
});

describe("decodeLogsPayload", () => {
  it.each([
    ["a log event that is not an object", "just text", "", '"just text"'],
    ["a null log event", null, "", "null"],
    ["a numeric message", { id: "7", timestamp: 1, message: 42 }, "7", "42"],
    ["a missing message", { id: 8, timestamp: 1 }, "8", "undefined"],
  ])("reports %s as malformed instead of throwing", (_case, entry, id, prefix) => {
    const decoded = decodeLogsPayload({
      messageType: "DATA_MESSAGE",
      logEvents: [entry, { id: "9", message: secretReadText }],
    });
    expect(decoded.malformed).toEqual([{ id, reason: "not-cloudtrail", prefix }]);
    expect(decoded.events).toHaveLength(1);
  });

  it("makes the prefix safe to log: 64 printable ASCII characters at most", () => {
    const hostile = `{"eventName":"x\u0000\u001b[31m\r\nFAKE LOG LINE\u202e\u{1F600}${"A".repeat(100)}`;
    const [bad] = decodeLogsPayload({
      messageType: "DATA_MESSAGE",
      logEvents: [{ id: "1", message: hostile }],
    }).malformed;
    expect(bad?.reason).toBe("invalid-json");
    expect(bad?.prefix).toMatch(/^[\x20-\x7E]{64}$/);
    expect(bad?.prefix.startsWith('{"eventName":"x??[31m??FAKE LOG LINE??AAA')).toBe(true);
  });

  it("fills envelope fields of the wrong type with empty values", () => {
    const decoded = decodeLogsPayload({
      messageType: "DATA_MESSAGE",
      owner: 1,
      subscriptionFilters: "x",
      logEvents: [],
    });
    expect(decoded).toMatchObject({ owner: "", logGroup: "", logStream: "", subscriptionFilters: [] });
  });

  it("never throws for any log event content", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.jsonValue(), fc.record({ id: fc.string(), message: fc.string() }))),
        (entries) => {
          const decoded = decodeLogsPayload({ messageType: "DATA_MESSAGE", logEvents: entries });
          expect(decoded.events.length + decoded.malformed.length).toBe(entries.length);
        },
      ),
    );
  });
});

describe("parseRecordMessage and isCloudTrailRecord", () => {
  it.each([
    ["a CloudTrail record", secretReadText, "record"],
    ["truncated JSON", secretReadText.slice(0, -1), "invalid-json"],
    ["an empty message", "", "invalid-json"],
    ["an object that is not a record", '{"hello":1}', "not-cloudtrail"],
    ["an array", "[]", "not-cloudtrail"],
    ["a string", '"str"', "not-cloudtrail"],
    ["null", "null", "not-cloudtrail"],
    ["a record with a numeric eventName", '{"eventSource":"s","eventName":1,"eventID":"e"}', "not-cloudtrail"],
    ["a record without eventName", '{"eventSource":"s","eventID":"e"}', "not-cloudtrail"],
    ["a record without eventSource", '{"eventName":"n","eventID":"e"}', "not-cloudtrail"],
    ["a record with a null eventSource", '{"eventSource":null,"eventName":"n"}', "not-cloudtrail"],
    ["a minimal record", '{"eventSource":"s","eventName":"n","eventID":"e"}', "record"],
    // Quirks in fields selection does not need: a record all the same (enrichment notes them).
    ["a record without eventID", '{"eventSource":"s","eventName":"n"}', "record"],
    ["a record with a numeric eventID", '{"eventSource":"s","eventName":"n","eventID":7}', "record"],
    ["a record with a numeric eventTime", '{"eventSource":"s","eventName":"n","eventTime":1}', "record"],
    ["a record with an object eventTime", '{"eventSource":"s","eventName":"n","eventTime":{}}', "record"],
    [
      "a space-separated eventTime",
      '{"eventSource":"s","eventName":"n","eventTime":"2024-10-17 21:48:45.0"}',
      "record",
    ],
  ])("%s → %s", (_case, message, expected) => {
    const parsed = parseRecordMessage(message);
    expect("record" in parsed ? "record" : parsed.reason).toBe(expected);
  });

  it("accepts every record of the real fixtures, and every quirky one", () => {
    const records = [...fixture("stratus-secretsmanager"), ...fixture("stratus-other-techniques")];
    expect(records).toHaveLength(111);
    expect(records.every((record) => isCloudTrailRecord(record))).toBe(true);
    const quirks = fixture("quirks");
    expect(quirks.length).toBeGreaterThanOrEqual(15);
    expect(quirks.filter((record) => !isCloudTrailRecord(record))).toEqual([]);
  });

  it("refuses class instances and arrays even with the right fields", () => {
    const fields = { eventSource: "s", eventName: "n", eventID: "e" };
    expect(isCloudTrailRecord(Object.assign(new Date(), fields))).toBe(false);
    expect(isCloudTrailRecord(Object.assign([], fields))).toBe(false);
    expect(isCloudTrailRecord(Object.assign(Object.create(null), fields))).toBe(true);
  });
});
