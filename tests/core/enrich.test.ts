import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { consoleEventUrl, enrichRecord, outcomeOf } from "../../packages/core/src/enrich.js";
import { isSecretValueRetrieval } from "../../packages/core/src/select.js";
import type { CloudTrailRecord } from "../../packages/core/src/types.js";

const dir = new URL("../fixtures/cloudtrail/", import.meta.url);
const fixture = <T = CloudTrailRecord[]>(name: string): T => JSON.parse(readFileSync(new URL(name, dir), "utf8"));

interface Expectations {
  description: string;
  now: string;
  /** One per record: the expected enrichment (partial), or null when the record must not be selected. */
  expected: (Record<string, unknown> | null)[];
}

const NOW = new Date("2024-05-14T09:30:00.000Z");
const read = (extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventSource: "secretsmanager.amazonaws.com",
  eventName: "GetSecretValue",
  eventID: "3b6a9d2e-1c4f-4e8a-b7d5-9f0e1a2b3c4d",
  eventTime: "2024-05-14T09:21:07Z",
  awsRegion: "eu-west-1",
  requestParameters: { secretId: "prod/db/postgres" },
  ...extra,
});

describe("enrichRecord on the written fixtures (<case>.json beside <case>.expected.json)", () => {
  const all = readdirSync(dir)
    .filter((name) => name.endsWith(".expected.json"))
    .map((name) => name.replace(/\.expected\.json$/, ""));
  // Assessment fixtures (`<case>.expected.json` naming a `policy`) have their own shape and test.
  const isAssessment = (name: string) => "policy" in fixture<Record<string, unknown>>(`${name}.expected.json`);
  const cases = all.filter((name) => !isAssessment(name));

  it("has the cases the product needs, and every other expectation file is an assessment fixture", () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    expect(cases).toContain("quirks");
    for (const name of cases) expect(Array.isArray(fixture<Expectations>(`${name}.expected.json`).expected)).toBe(true);
  });

  describe.each(cases)("%s", (name) => {
    const records = fixture(`${name}.json`);
    const { expected, now } = fixture<Expectations>(`${name}.expected.json`);
    it("has one expectation per record", () => expect(expected).toHaveLength(records.length));
    it.each(records.map((record, i) => [record.eventName, i, record] as const))("%s #%i", (_n, i, record) => {
      const want = expected[i];
      if (want === null || want === undefined) {
        expect(isSecretValueRetrieval(record)).toBe(false);
        expect(() => enrichRecord(record, { now: new Date(now) })).toThrow(TypeError);
        return;
      }
      expect(isSecretValueRetrieval(record)).toBe(true);
      expect(enrichRecord(record, { now: new Date(now) })).toMatchObject(want);
    });
  });
});

describe("enrichRecord on the real secret reads", () => {
  const records = fixture("stratus-secretsmanager.json").filter(isSecretValueRetrieval);
  const hits = records.map((record) => enrichRecord(record, { now: new Date("2024-07-31T12:41:52Z") }));

  it("names 20 distinct secrets by their name, the ARN's random suffix removed", () => {
    const reads = hits.filter((h) => h.eventName === "GetSecretValue");
    expect(new Set(reads.map((h) => h.secretId)).size).toBe(20);
    for (const hit of reads) {
      expect(hit.secretId).toMatch(/^stratus-red-team-retrieve-secret-\d+$/);
      expect(hit.secretArn).toBe(hit.requestedSecretId);
      expect(hit.secretArn?.endsWith(hit.secretId!)).toBe(false);
    }
  });

  it("marks the tag-key batches as broad", () => {
    const batches = hits.filter((h) => h.eventName === "BatchGetSecretValue");
    expect(batches).toHaveLength(5);
    for (const hit of batches) {
      expect(hit).toMatchObject({ secretId: null, outcome: "success", batch: { broad: true, secretIdList: null } });
      expect(hit.batch?.broadReasons).toContain("tag-key filter matches every secret that carries the tag");
    }
  });

  it("computes the delivery lag and the console link", () => {
    const first = hits[0]!;
    expect(first.deliveryLagSeconds).toBe(300);
    expect(first.consoleUrl).toBe(
      "https://cn-centraleast-1r.console.aws.amazon.com/cloudtrailv2/home?region=cn-centraleast-1r#/events/b9c3d881-1e77-426c-abd3-5ca20d903380",
    );
    expect(first.client.raw).toBe(first.userAgent);
  });
});

describe("outcome", () => {
  it.each([
    [null, "success"],
    ["AccessDenied", "denied"],
    ["AccessDeniedException", "denied"],
    ["UnauthorizedOperation", "denied"],
    ["Client.UnauthorizedOperation", "denied"],
    ["KMS.AccessDeniedException", "denied"],
    ["NotAuthorized", "denied"],
    ["UnauthorizedAccess", "denied"],
    ["ResourceNotFoundException", "error"],
    ["DecryptionFailure", "error"],
    ["InvalidRequestException", "error"],
    ["ThrottlingException", "error"],
  ])("%s → %s", (errorCode, expected) => {
    expect(outcomeOf(errorCode)).toBe(expected);
    const hit = enrichRecord(read(errorCode === null ? {} : { errorCode, errorMessage: "m" }), { now: NOW });
    expect([hit.outcome, hit.errorCode, hit.errorMessage]).toEqual([
      expected,
      errorCode,
      errorCode === null ? null : "m",
    ]);
  });
});

describe("delivery lag and console link", () => {
  it.each([
    ["2024-05-14T09:21:07Z", 533],
    ["2024-05-14T09:29:59.900Z", 0],
    ["2024-05-14T11:21:07+02:00", 533],
    ["2024-05-14 09:21:07.000000000", 533],
    ["2024-05-14 09:21:07", 533],
    ["2024-05-14T09:31:00Z", -60],
    ["yesterday", null],
    ["1", null],
    ["2024-13-45T99:99:99Z", null],
  ])("eventTime %s → %s s", (eventTime, expected) => {
    expect(enrichRecord(read({ eventTime }), { now: NOW }).deliveryLagSeconds).toBe(expected);
  });

  it("has no lag without eventTime or with an invalid clock", () => {
    expect(enrichRecord(read({ eventTime: undefined }), { now: NOW }).deliveryLagSeconds).toBeNull();
    expect(enrichRecord(read(), { now: new Date("nope") }).deliveryLagSeconds).toBeNull();
  });

  it("links to the event in the Region's console", () => {
    expect(consoleEventUrl("eu-west-1", "3b6a9d2e-1c4f")).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/3b6a9d2e-1c4f",
    );
    expect(enrichRecord(read({ awsRegion: undefined }), { now: NOW }).consoleUrl).toBeNull();
    expect(enrichRecord(read({ eventID: "" }), { now: NOW }).consoleUrl).toBeNull();
  });

  it("links each read to its own Region's console, whatever Region the read before came from", () => {
    const link = (region: string) =>
      `https://${region}.console.aws.amazon.com/cloudtrailv2/home?region=${region}#/events/e`;
    fc.assert(
      fc.property(fc.array(fc.constantFrom("eu-west-1", "us-east-1", "ap-south-2"), { maxLength: 20 }), (regions) => {
        for (const region of regions) expect(consoleEventUrl(region, "e")).toBe(link(region));
      }),
    );
  });

  it("encodes any event ID as encodeURIComponent does (plain IDs are kept as they are)", () => {
    const start = "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/";
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.string(), fc.string({ unit: "grapheme" })), (eventID) => {
        expect(consoleEventUrl("eu-west-1", eventID)).toBe(start + encodeURIComponent(eventID));
      }),
    );
    expect(consoleEventUrl("eu-west-1", "a b/c")).toBe(`${start}a%20b%2Fc`);
  });

  it("a lone surrogate in the event ID or the Region (which JSON can spell) never throws: it is encoded as U+FFFD", () => {
    const lone = JSON.parse('"ab\\ud800cd"') as string;
    expect(consoleEventUrl("eu-west-1", lone)).toMatch(/#\/events\/ab%EF%BF%BDcd$/);
    expect(new URL(consoleEventUrl(lone, "x")).searchParams.get("region")).toBe("ab\uFFFDcd");
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (region, eventID) => {
        expect(() => consoleEventUrl(region, eventID)).not.toThrow();
      }),
    );
    const record = enrichRecord(read({ eventID: lone, awsRegion: lone }), { now: NOW });
    expect(record.eventID).toBe(lone); // kept as recorded; only the link is encoded
  });

  it.each(["evil.example/#", "x@attacker.example", "eu-west-1.attacker.example", "a b", "EU-WEST-1", "?region=x"])(
    "never lets region %j change the host",
    (region) => {
      const url = new URL(consoleEventUrl(region, "id/../x?y#z"));
      expect(url.hostname).toBe("console.aws.amazon.com");
      expect(url.searchParams.get("region")).toBe(region);
      expect(decodeURIComponent(url.hash.replace("#/events/", ""))).toBe("id/../x?y#z");
    },
  );
});

describe("eventID and eventTime quirks", () => {
  it("keeps CloudTrail's own eventTime form as written, without a note", () => {
    for (const eventTime of ["2024-05-14T09:21:07Z", "2024-05-14T09:21:07.5Z", "2024-05-14T09:21:07.123Z"]) {
      expect(enrichRecord(read({ eventTime }), { now: NOW })).toMatchObject({ eventTime, notes: [] });
    }
  });

  it.each([
    ["2024-05-14 09:21:07.000000000", "2024-05-14T09:21:07.000Z"],
    ["2024-05-14T09:21:07.123456789Z", "2024-05-14T09:21:07.123Z"],
    ["2024-05-14T11:21:07+02:00", "2024-05-14T09:21:07.000Z"],
    ["2024-05-14T04:21:07-0500", "2024-05-14T09:21:07.000Z"],
  ])("rewrites eventTime %s as %s and notes how it was written", (eventTime, iso) => {
    const hit = enrichRecord(read({ eventTime }), { now: NOW });
    expect(hit.eventTime).toBe(iso);
    expect(hit.notes).toEqual([`eventTime was written as ${eventTime}`]);
  });

  it.each(["2024-02-30 12:00:00", "17/10/2024 21:48:45", "yesterday", " "])(
    "keeps eventTime %j, which is not a time, as written, with a note",
    (eventTime) => {
      const hit = enrichRecord(read({ eventTime }), { now: NOW });
      expect(hit).toMatchObject({ eventTime, deliveryLagSeconds: null });
      expect(hit.notes).toEqual(["eventTime is not a time secretwatch can read: kept as written"]);
    },
  );

  it("quotes a written eventTime whose spaces would otherwise not show", () => {
    const hit = enrichRecord(read({ eventTime: " 2024-05-14T09:21:07Z\n" }), { now: NOW });
    expect(hit.eventTime).toBe("2024-05-14T09:21:07.000Z");
    expect(hit.notes).toEqual(['eventTime was written as " 2024-05-14T09:21:07Z\\n"']);
  });

  it("never throws, and always gives eventID text and eventTime text or null, for any JSON in them", () => {
    fc.assert(
      fc.property(
        fc.option(fc.jsonValue(), { nil: undefined }),
        fc.option(fc.jsonValue(), { nil: undefined }),
        (id, time) => {
          const hit = enrichRecord({ ...read(), eventID: id, eventTime: time } as unknown as CloudTrailRecord, {
            now: NOW,
          });
          expect(typeof hit.eventID).toBe("string");
          expect(hit.eventTime === null || typeof hit.eventTime === "string").toBe(true);
          expect(hit.notes.every((note) => typeof note === "string")).toBe(true);
          // A note exactly when the field was not usable as written.
          expect(hit.notes.some((n) => n.includes("eventID"))).toBe(typeof id !== "string" || id === "");
          if (typeof time !== "string" || time === "") expect(hit.eventTime).toBeNull();
        },
      ),
    );
  });
});

describe("enrichRecord contract", () => {
  it("refuses a record that is not a secret-value retrieval", () => {
    expect(() => enrichRecord(read({ eventName: "ListSecrets" }), { now: NOW })).toThrow(TypeError);
    expect(() => enrichRecord(read({ eventSource: "ssm.amazonaws.com" }), { now: NOW })).toThrow(TypeError);
  });

  it("never throws on attacker-shaped fields", () => {
    const field = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(fixture("hostile.json")[0]!)), field), (extra) => {
        const hit = enrichRecord(
          {
            ...read(),
            ...extra,
            eventSource: "secretsmanager.amazonaws.com",
            eventName: "GetSecretValue",
            eventID: "e",
          },
          { now: NOW },
        );
        for (const key of ["secretId", "errorCode", "userAgent", "region", "requestID"] as const) {
          expect(hit[key] === null || typeof hit[key] === "string").toBe(true);
        }
      }),
    );
  });
});
