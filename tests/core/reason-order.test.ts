/**
 * The order of reasons. A verdict's reasons come highest severity first (the severity each has
 * for this read: the "sensitive" column on a sensitive secret, `info` where an expected-reader
 * rule lowered it), then in the order of the reason table (packages/core/src/reasons.ts, the
 * README's severity table); replay's JSON and the enricher's decision lines print them so. A
 * group's reasons (its alert's `reasons` SNS attribute and "Reason" lines) keep that order over
 * all its hits: each reason at the highest severity it has in any hit, highest first, then the
 * table's order.
 *
 * The reads are real fixture records (tests/fixtures/cloudtrail/), a few copied with one field
 * changed (a second read by the same principal) where a group needs two.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { enrichRecord } from "../../packages/core/src/enrich.js";
import { groupHits, planMessages } from "../../packages/core/src/plan.js";
import type { Policy } from "../../packages/core/src/policy.js";
import { REASON_CODES, REASONS, type ReasonCode } from "../../packages/core/src/reasons.js";
import { type Severity, severityRank } from "../../packages/core/src/severity.js";
import type { AssessedAccess, SecretAccess } from "../../packages/core/src/types.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { assessWith } from "./builders.js";

type Rec = Record<string, any>;

const TRIAGE_POLICY = JSON.parse(
  readFileSync(new URL("../fixtures/cloudtrail/triage.policy.json", import.meta.url), "utf8"),
) as Policy;
const SENSITIVE: Partial<Policy> = { sensitive: ["prod/*"] };
const DECOY_DB: Partial<Policy> = { decoys: ["prod/db/*"] };
const triageId = (n: string) => `9e0f0000-0000-0000-0000-0000000000${n}`;

/** A fixture's record by event ID, copied (so a test may change it). */
function record(fixture: string, eventID: string): Rec {
  const found = cloudTrailFixture(fixture).find((r) => r.eventID === eventID);
  if (!found) throw new Error(`no record ${eventID} in ${fixture}.json`);
  return structuredClone(found);
}

/** Another read by the same principal: the record with a new event ID and time, and `changes`. */
function another(rec: Rec, suffix: string, eventTime: string, changes: Rec = {}): Rec {
  return { ...rec, eventID: `${rec.eventID.slice(0, -2)}${suffix}`, requestID: `req-${suffix}`, eventTime, ...changes };
}

const hitsOf = (records: readonly Rec[]): SecretAccess[] => records.map((r) => enrichRecord(r as never, { now: null }));
/** The records assessed together, in one invocation, with an empty state. */
const assess = (records: readonly Rec[], policy: Partial<Policy>) => assessWith(hitsOf(records), policy);

/** The severity a reason has in one verdict, as the table gives it. */
function severityIn(code: ReasonCode, hit: AssessedAccess): Severity {
  if (hit.verdict.lowered.includes(code)) return "info";
  return hit.verdict.sensitive ? REASONS[code].sensitive : REASONS[code].severity;
}

describe("a verdict's reasons: highest severity first, then the table's order", () => {
  // [case, fixture, event ID, policy, reasons in order, the severity of each in this read]
  const rows: Array<[string, string, string, Partial<Policy>, ReasonCode[], Severity[]]> = [
    [
      "denied + public-ip (both medium: the table's order)",
      "failures",
      "0f1a2b3c-4d5e-4f6a-9b7c-8d9e0f1a2b3c",
      {},
      ["denied", "public-ip"],
      ["medium", "medium"],
    ],
    [
      "denied + public-ip on a sensitive secret (both high), then sensitive (low)",
      "failures",
      "0f1a2b3c-4d5e-4f6a-9b7c-8d9e0f1a2b3c",
      SENSITIVE,
      ["denied", "public-ip", "sensitive"],
      ["high", "high", "low"],
    ],
    [
      "error + public-ip (both medium)",
      "failures",
      "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
      {},
      ["error", "public-ip"],
      ["medium", "medium"],
    ],
    [
      "role-session-from-internet + error (both medium)",
      "failures",
      "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
      {},
      ["role-session-from-internet", "error"],
      ["medium", "medium"],
    ],
    [
      "first-seen + public-ip (both medium)",
      "identity-center",
      "3b6a9d2e-1c4f-4e8a-b7d5-9f0e1a2b3c4d",
      {},
      ["first-seen", "public-ip"],
      ["medium", "medium"],
    ],
    [
      "first-seen + public-ip on a sensitive secret (both high), then sensitive",
      "triage",
      triageId("0c"),
      TRIAGE_POLICY,
      ["first-seen", "public-ip", "sensitive"],
      ["high", "high", "low"],
    ],
    [
      "decoy + root (both critical), then first-seen + console-session (both medium)",
      "root",
      "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
      DECOY_DB,
      ["decoy", "root", "first-seen", "console-session"],
      ["critical", "critical", "medium", "medium"],
    ],
    [
      "decoy + root on a sensitive secret: then first-seen + console-session (high), sensitive (low)",
      "root",
      "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
      { ...DECOY_DB, ...SENSITIVE },
      ["decoy", "root", "first-seen", "console-session", "sensitive"],
      ["critical", "critical", "high", "high", "low"],
    ],
    [
      "root (critical), then first-seen + console-session (medium)",
      "triage",
      triageId("11"),
      TRIAGE_POLICY,
      ["root", "first-seen", "console-session"],
      ["critical", "medium", "medium"],
    ],
    [
      "first-seen + console-session on a sensitive secret (high), then sensitive",
      "triage",
      triageId("0b"),
      TRIAGE_POLICY,
      ["first-seen", "console-session", "sensitive"],
      ["high", "high", "low"],
    ],
    [
      "first-seen + console-session, not sensitive (medium)",
      "assumed-role-console",
      "6f1c0b0e-5d3a-4a57-9d0c-2f8e4c1a9b01",
      {},
      ["first-seen", "console-session"],
      ["medium", "medium"],
    ],
    [
      "cross-account (high), then role-session-from-internet + first-seen (medium)",
      "cross-account",
      "7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f",
      {},
      ["cross-account", "role-session-from-internet", "first-seen"],
      ["high", "medium", "medium"],
    ],
    [
      "an expected reader: first-seen and sensitive lowered to info, then expected (all info)",
      "triage",
      triageId("01"),
      TRIAGE_POLICY,
      ["first-seen", "sensitive", "expected"],
      ["info", "info", "info"],
    ],
    [
      "a decoy read by an expected role: decoy stays critical, first-seen lowered, expected",
      "triage",
      triageId("0e"),
      TRIAGE_POLICY,
      ["decoy", "first-seen", "expected"],
      ["critical", "info", "info"],
    ],
    [
      "a denied read by an expected role: denied stays high, sensitive lowered, expected",
      "triage",
      triageId("0f"),
      TRIAGE_POLICY,
      ["denied", "sensitive", "expected"],
      ["high", "info", "info"],
    ],
    [
      "an expected rotation's error: error and sensitive lowered, expected",
      "triage",
      triageId("10"),
      TRIAGE_POLICY,
      ["error", "sensitive", "expected"],
      ["info", "info", "info"],
    ],
  ];

  it.each(rows)("%s", (_case, fixture, eventID, policy, reasons, severities) => {
    const [hit] = assess([record(fixture, eventID)], policy);
    expect(hit!.verdict.reasons).toEqual(reasons);
    expect(reasons.map((code) => severityIn(code, hit!))).toEqual(severities);
    // The verdict's severity is its first reason's.
    expect(hit!.verdict.severity).toBe(severities[0]);
  });

  it("the rows are the documented order: severities never rise, the table's order among equals", () => {
    const index = (code: ReasonCode) => REASON_CODES.indexOf(code);
    for (const [name, , , , reasons, severities] of rows) {
      for (let i = 1; i < reasons.length; i++) {
        const [before, after] = [severityRank(severities[i - 1]!), severityRank(severities[i]!)];
        expect(before >= after && (before > after || index(reasons[i - 1]!) < index(reasons[i]!)), name).toBe(true);
      }
    }
  });
});

/** The codes of an alert body's "Reason:" lines, in order (each line is `SEVERITY - the table's text…`). */
function bodyReasons(body: string): ReasonCode[] {
  return body
    .split("\n")
    .filter((line) => /^\s*Reason:/.test(line))
    .map((line) => {
      const text = line.replace(/^\s*Reason:\s+[A-Z]+ - /, "");
      const code = REASON_CODES.find((c) => text.startsWith(REASONS[c].text));
      if (!code) throw new Error(`no reason for line ${line}`);
      return code;
    });
}

/** A group's reasons three ways: the group's, its alert's `reasons` attribute, its alert's "Reason" lines. */
function groupOrders(hits: AssessedAccess[]) {
  const groups = groupHits(hits);
  expect(groups).toHaveLength(1);
  const plan = planMessages(hits, { app: "secretwatch", stage: "dev", notify: "info" });
  const alert = plan.messages.find((m) => m.kind === "alert");
  if (!alert) throw new Error("no alert planned");
  return {
    group: groups[0]!.reasons,
    attribute: alert.attributes.reasons?.StringValue.split(",") ?? [],
    body: bodyReasons(alert.message),
  };
}

describe("a group's reasons keep that order over its hits, highest severity first", () => {
  const console01 = record("assumed-role-console", "6f1c0b0e-5d3a-4a57-9d0c-2f8e4c1a9b01");
  const console80 = record("assumed-role-console", "a2d7e3f4-8b9c-4d1e-a0f2-3b4c5d6e7f80");
  const root = record("root", "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d");
  // [case, records, policy, each hit's reasons, the group's reasons]
  const rows: Array<[string, Rec[], Partial<Policy>, ReasonCode[][], ReasonCode[]]> = [
    [
      "one expected role's reads: expected (info), plain (low), from the internet (high)",
      [record("triage", triageId("01")), record("triage", triageId("02")), record("triage", triageId("03"))],
      TRIAGE_POLICY,
      [
        ["first-seen", "sensitive", "expected"],
        ["sensitive", "plain-read"],
        ["role-session-from-internet", "sensitive"],
      ],
      ["role-session-from-internet", "sensitive", "plain-read", "first-seen", "expected"],
    ],
    [
      "console reads of a sensitive secret: first-seen + console-session, then console-session",
      [console01, console80],
      SENSITIVE,
      [
        ["first-seen", "console-session", "sensitive"],
        ["console-session", "sensitive"],
      ],
      ["first-seen", "console-session", "sensitive"],
    ],
    [
      "root reading a decoy twice: decoy + root, then first-seen + console-session",
      [root, another(root, "9d", "2024-05-14T09:29:00Z")],
      DECOY_DB,
      [
        ["decoy", "root", "first-seen", "console-session"],
        ["decoy", "root", "console-session"],
      ],
      ["decoy", "root", "first-seen", "console-session"],
    ],
  ];

  it.each(rows)("%s", (_case, records, policy, each, reasons) => {
    const hits = assess(records, policy);
    expect(hits.map((h) => h.verdict.reasons)).toEqual(each);
    const orders = groupOrders(hits);
    expect(orders.group).toEqual(reasons);
    expect(orders.attribute).toEqual(reasons);
    expect(orders.body).toEqual(reasons);
  });

  it("a group of one read has the read's reasons, in the read's order", () => {
    const rec = record("root", "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d");
    const hits = assess([rec], { ...DECOY_DB, ...SENSITIVE });
    const orders = groupOrders(hits);
    expect(orders.group).toEqual(hits[0]!.verdict.reasons);
    expect(orders.attribute).toEqual(hits[0]!.verdict.reasons);
    expect(orders.body).toEqual(hits[0]!.verdict.reasons);
  });

  // Two reads of one group, both high, each with a reason the other lacks: the group must still
  // list every high reason before the low `sensitive`. plan.ts `groupReasons` used to join the
  // hits' lists in hit order (first-seen, sensitive, then the second hit's high reason), so the
  // SNS `reasons` attribute disagreed with the alert's "Reason" lines (next-steps.ts `groupVerdict`).
  const bot = record("triage", triageId("0c"));
  const carol = record("triage", triageId("0b"));
  const mixed: Array<[string, Rec[], ReasonCode[][], ReasonCode[]]> = [
    [
      "an IAM user's key from a private address, then from the internet: public-ip before sensitive",
      [another(bot, "c1", "2024-05-14T09:11:30Z", { sourceIPAddress: "10.9.9.9" }), bot],
      [
        ["first-seen", "sensitive"],
        ["public-ip", "sensitive"],
      ],
      ["first-seen", "public-ip", "sensitive"],
    ],
    [
      "a role session's CLI read, then a console read: console-session before sensitive",
      [
        another(carol, "b1", "2024-05-14T09:10:30Z", {
          sourceIPAddress: "10.0.12.34",
          userAgent: "aws-cli/2.15.30",
          sessionCredentialFromConsole: undefined,
        }),
        carol,
      ],
      [
        ["first-seen", "sensitive"],
        ["console-session", "sensitive"],
      ],
      ["first-seen", "console-session", "sensitive"],
    ],
  ];

  it.each(mixed)("the hits' reasons as read: %s", (_case, records, each) => {
    expect(assess(records, TRIAGE_POLICY).map((h) => h.verdict.reasons)).toEqual(each);
  });

  it.each(mixed)("the alert's Reason lines: %s", (_case, records, _each, reasons) => {
    expect(groupOrders(assess(records, TRIAGE_POLICY)).body).toEqual(reasons);
  });

  it.each(mixed)("the group and its attribute, as the Reason lines: %s", (_case, records, _each, reasons) => {
    const orders = groupOrders(assess(records, TRIAGE_POLICY));
    expect(orders.group).toEqual(reasons);
    expect(orders.attribute).toEqual(reasons);
  });
});
