/** decodeAndSelect: one pass over a payload, the same reads as decode + enrichEvents, the tamper candidates, the minutes. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DecodeError, decodeSubscriptionData } from "../../packages/core/src/decode.js";
import { decodeAndSelect, enrichEvents, readsByMinute } from "../../packages/core/src/pipeline.js";
import { subscriptionEvent } from "../helpers/subscription.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/cloudtrail");
const records = (name: string) => {
  const doc = JSON.parse(readFileSync(path.join(FIXTURES, name), "utf8")) as { Records?: unknown[] } | unknown[];
  return Array.isArray(doc) ? doc : (doc.Records ?? []);
};

describe("decodeAndSelect", () => {
  const tamper = records("tamper/trail.json");
  const messages = [
    ...records("aws-services.json"),
    ...tamper,
    ...records("batch-with-companions.json"),
    ...records("cross-account.json"),
  ].map((r) => JSON.stringify(r));
  messages.splice(
    1,
    0,
    "{not json",
    JSON.stringify({ eventSource: 7 }),
    JSON.stringify({ eventSource: "kms.amazonaws.com", eventName: "Decrypt" }),
  );
  const { data } = subscriptionEvent(messages).awslogs;
  const now = new Date("2024-10-18T00:00:00Z");
  const decoded = decodeSubscriptionData(data);

  it("gives the counts, the malformed messages and the enriched hits of decode + enrichEvents", () => {
    const got = decodeAndSelect(data, now);
    expect(got.hits.length).toBeGreaterThan(2);
    expect(got.malformed).toHaveLength(2);
    expect(got).toMatchObject({
      logGroup: decoded.logGroup,
      messageType: decoded.messageType,
      records: decoded.events.length,
      malformed: decoded.malformed,
    });
    expect(JSON.stringify(got.hits)).toBe(JSON.stringify(enrichEvents(decoded.events, now)));
    expect(got.readsByMinute).toEqual(readsByMinute(decoded.events));
    const times = got.hits.map((h) => Date.parse(h.eventTime ?? "")).filter(Number.isFinite);
    expect(got.earliestHitMs).toBe(Math.min(...times));
  });

  it("has no earliest read time when no read has a time", () => {
    const [read] = messages.filter((m) => m.includes("GetSecretValue"));
    const timeless = JSON.stringify({ ...JSON.parse(read!), eventTime: undefined });
    const got = decodeAndSelect(subscriptionEvent([timeless]).awslogs.data, now);
    expect(got.hits).toHaveLength(1);
    expect(got.earliestHitMs).toBeNull();
  });

  it("keeps the records of tamper event kinds, and no other (a KMS Decrypt is not one)", () => {
    const got = decodeAndSelect(data, now);
    expect(tamper.length).toBeGreaterThan(0);
    expect(got.tamperRecords).toEqual(tamper);
  });

  it("throws what decodeSubscriptionData throws", () => {
    expect(() => decodeAndSelect("not base64!", null)).toThrow(DecodeError);
  });
});
