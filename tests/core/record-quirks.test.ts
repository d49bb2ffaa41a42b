/**
 * Record quirks seen in third-party exports (tests/fixtures/cloudtrail/quirks.json): every read is
 * a hit, through the Lambda's own path (decode → select → enrich → assess → plan), with its
 * eventTime in ISO 8601 UTC and a note saying what was odd. Dedupe keys on eventID and name,
 * and a read without an eventID is never dropped as a copy of another.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventMillis } from "../../packages/core/src/assess.js";
import { decodeSubscriptionData } from "../../packages/core/src/decode.js";
import { enrichRecord } from "../../packages/core/src/enrich.js";
import { processPayload } from "../../packages/core/src/pipeline.js";
import { DEFAULT_POLICY } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import { isSecretValueRetrieval } from "../../packages/core/src/select.js";
import { emptySnapshot } from "../../packages/core/src/state.js";
import type { CloudTrailRecord, SecretAccess } from "../../packages/core/src/types.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

interface QuirkExpectations {
  now: string;
  /** One name per record. */
  cases: string[];
  /** One per record: the enrichment expected (partial), or null when the record is not a read. */
  expected: (Partial<SecretAccess> | null)[];
}

const records = cloudTrailFixture<CloudTrailRecord>("quirks");
const { now, cases, expected }: QuirkExpectations = JSON.parse(
  readFileSync(new URL("../fixtures/cloudtrail/quirks.expected.json", import.meta.url), "utf8"),
);
const NOW = new Date(now);
const table = records.map((record, i) => ({ name: cases[i]!, record, want: expected[i] ?? null }));
const reads = table.filter((c) => c.want !== null);

it("has one name and one expectation per record, and the quirks the issue names", () => {
  expect([cases.length, expected.length]).toEqual([records.length, records.length]);
  const raw = records as Array<Record<string, unknown>>;
  expect(raw.some((r) => r.eventTime === "2024-10-17 21:48:45.000000000")).toBe(true);
  expect(raw.some((r) => !("eventID" in r) && isSecretValueRetrieval(r as CloudTrailRecord))).toBe(true);
  expect(raw.some((r) => !("eventTime" in r) && isSecretValueRetrieval(r as CloudTrailRecord))).toBe(true);
});

describe.each(table)("$name", ({ record, want }) => {
  if (want === null) {
    it("is not a read", () => expect(isSecretValueRetrieval(record)).toBe(false));
    return;
  }
  const hit = () => enrichRecord(record, { now: NOW });

  it("is selected", () => expect(isSecretValueRetrieval(record)).toBe(true));

  it("has the expected eventID, eventTime, notes, lag and console link", () => {
    expect(hit()).toMatchObject({
      eventID: want.eventID,
      eventTime: want.eventTime,
      notes: want.notes,
      deliveryLagSeconds: want.deliveryLagSeconds,
      consoleUrl: want.consoleUrl,
    });
    expect(hit()).toMatchObject(want);
  });

  it("has its eventTime in ISO 8601 UTC whenever it is a time at all", () => {
    const { eventTime } = hit();
    if (eventTime === null || eventMillis(eventTime) === null) {
      expect(hit().notes.some((n) => n.includes("eventTime"))).toBe(true);
      return;
    }
    expect(eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/);
    expect(new Date(eventTime).getTime()).toBe(eventMillis(eventTime));
  });
});

describe("through the Lambda's path", () => {
  const payload = () => decodeSubscriptionData(recordsEvent(records).awslogs.data);
  const process = () =>
    processPayload(payload(), {
      now: NOW,
      matcher: new PolicyMatcher(DEFAULT_POLICY),
      snapshot: emptySnapshot(),
      app: "secretwatch",
      stage: "test",
    });

  it("decodes every quirky record as a record: none is malformed", () => {
    const decoded = payload();
    expect(decoded.malformed).toEqual([]);
    expect(decoded.events.map((e) => e.record)).toEqual(records);
  });

  it("makes every read a hit, with its note, in payload order", () => {
    const { hits } = process();
    expect(hits.map((h) => [h.eventID, h.eventTime, h.notes])).toEqual(
      reads.map(({ want }) => [want!.eventID, want!.eventTime, want!.notes]),
    );
  });

  it("plans each distinct read once: no-eventID reads stay distinct, one eventID on two names is two reads", () => {
    const { hits, plan } = process();
    const key = (h: SecretAccess) => JSON.stringify([h.eventID, h.eventName]);
    const withId = hits.filter((h) => h.eventID !== "");
    const distinct = new Set(withId.map(key)).size + (hits.length - withId.length);
    // The fixture holds exactly one true copy (same eventID and eventName).
    expect(hits.length - distinct).toBe(1);
    expect(plan).toMatchObject({ hits: distinct, duplicatesDropped: 1 });
    const decided = plan.decisions.map((d) => d.hit);
    expect(decided).toHaveLength(distinct);
    // Both identical reads without an eventID are decided on: neither was dropped as a copy.
    const copies = hits.filter(
      (h) => h.eventID === "" && h.requestID === hits.find((x) => x.eventID === "")?.requestID,
    );
    expect(copies).toHaveLength(2);
    for (const copy of copies) expect(decided).toContain(copy);
    // The shared eventID: its GetSecretValue and its BatchGetSecretValue are both decided on, once each.
    const shared = decided.filter((h) => h.eventID === "0b5e6f7a-8c9d-4e0f-a1b2-c3d4e5f6a7b8");
    expect(shared.map((h) => h.eventName).sort()).toEqual(["BatchGetSecretValue", "GetSecretValue"]);
  });
});
