import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rankedReasons } from "../../packages/core/src/next-steps.js";
import {
  groupHits,
  groupKey,
  messageSize,
  type Plan,
  type PlannedMessage,
  type PlanOptions,
  planMessages as planAssessed,
} from "../../packages/core/src/plan.js";
import type { ReasonCode } from "../../packages/core/src/reasons.js";
import { atLeast } from "../../packages/core/src/severity.js";
import type { AssessedAccess, SecretAccess, Verdict } from "../../packages/core/src/types.js";
import {
  aBatch,
  anIdentity,
  aSecretAccess,
  assessWith,
  hostileAssessedAccess,
  hostileString,
  INJECTED,
  manyAccesses,
  withVerdict,
} from "./builders.js";

/** Plans reads that all carry the same medium verdict (what these size and grouping tests are about). */
const planMessages = (hits: readonly (SecretAccess | AssessedAccess)[], options: PlanOptions) =>
  planAssessed(
    hits.map((h) => ("verdict" in h ? h : withVerdict(h))),
    options,
  );
/** A read with a given verdict. */
const rated = (hit: SecretAccess, verdict: Partial<Verdict>) => withVerdict(hit, verdict);

const ctx = { app: "secretwatch", stage: "prod" };
const SNS_LIMIT = 262_144;

type Text = Pick<PlannedMessage, "subject" | "message" | "attributes">;

/** Bytes as SNS counts them, measured by Node rather than by the code under test. */
function snsBytes(m: Text): number {
  let size = Buffer.byteLength(m.subject, "utf8") + Buffer.byteLength(m.message, "utf8");
  for (const [name, a] of Object.entries(m.attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue);
  }
  return size;
}

/** What SNS and a mail client need of every message we publish, checked without our sanitiser. */
function expectPublishable(m: Text, max: number): void {
  expect(m.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
  expect(snsBytes(m)).toBeLessThanOrEqual(max);
  for (const [name, a] of Object.entries(m.attributes)) {
    expect(name).toMatch(/^[A-Za-z0-9_.-]{1,256}$/);
    expect(name).not.toMatch(/^(aws|amazon)\./i);
    expect(a.DataType).toBe("String");
    expect(a.StringValue).toMatch(/^[\x20-\x7e]{1,256}$/);
  }
  expect(Buffer.from(m.message, "utf8").toString("utf8")).toBe(m.message);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  expect(m.message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  const lines = m.message.split(/[\n\v\f\u0085\u2028\u2029]/);
  expect(lines.filter((line) => line.trimStart().startsWith(INJECTED))).toEqual([]);
  expect(lines.filter((line) => line === "Raw identifiers").length).toBeLessThanOrEqual(1);
}

/** Every message and fallback publishable; every published read in exactly one message. */
function expectSound(plan: Plan, hits: readonly SecretAccess[], max = SNS_LIMIT): void {
  expect(Object.keys(plan.messages[0]?.attributes ?? {}).length).toBeLessThanOrEqual(10);
  for (const m of plan.messages) {
    expectPublishable(m, max);
    expectPublishable(m.fallback, max);
    expect(m.fallback.message).toMatch(/^[\n\x20-\x7e]*$/);
    const words = new Set(m.message.split(/[^A-Za-z0-9-]+/));
    const fallbackWords = new Set(m.fallback.message.split(/[^A-Za-z0-9-]+/));
    for (const id of m.eventIDs.filter((id) => /^[A-Za-z0-9-]{1,64}$/.test(id))) {
      expect(words.has(id) && fallbackWords.has(id), `event ${id} is listed`).toBe(true);
    }
  }
  const covered = plan.messages.flatMap((m) => m.eventIDs).sort();
  const published = plan.decisions.filter((d) => d.outcome === "alert" || d.outcome === "summary");
  expect(covered).toEqual(published.map((d) => d.hit.eventID).sort());
  // Every distinct read given is decided once.
  expect(plan.decisions).toHaveLength(plan.hits);
  const given = new Set(hits.map((h) => JSON.stringify([h.eventID, h.eventName])));
  for (const d of plan.decisions) expect(given.has(JSON.stringify([d.hit.eventID, d.hit.eventName]))).toBe(true);
  for (const m of plan.messages) {
    expect(m.attributes.severity?.StringValue).toMatch(/^(info|low|medium|high|critical)$/);
    expect(Object.keys(m.attributes).length).toBeLessThanOrEqual(10);
    expect(Object.keys(m.fallback.attributes).length).toBeLessThanOrEqual(10);
    expect(m.fallback.attributes.severity).toEqual(m.attributes.severity);
  }
}

const partOf = (subject: string) =>
  subject
    .match(/ \(part (\d+)\/(\d+)\)$/)
    ?.slice(1)
    .map(Number) ?? [1, 1];

/** One read each of `n` secrets, a second apart. */
const distinctSecrets = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const name = `s-${String(i).padStart(2, "0")}`;
    return aSecretAccess({
      eventID: `e-${name}`,
      secretId: name,
      eventTime: `2024-05-14T09:00:${String(i).padStart(2, "0")}Z`,
    });
  });

describe("grouping and dedupe", () => {
  it("drops repeated event IDs and counts them", () => {
    const hit = aSecretAccess();
    const other = aSecretAccess({ eventID: "other" });
    const plan = planMessages([hit, hit, other, hit], ctx);
    expect(plan).toMatchObject({ duplicatesDropped: 2, hits: 2, groups: 1 });
    expect(plan.messages[0]?.eventIDs).toEqual([hit.eventID, "other"]);
    expectSound(plan, [hit, other]);
  });

  it("groups by principal, secret and outcome, denied first, then by first time", () => {
    const reads = manyAccesses(3);
    const denied = aSecretAccess({ eventID: "d1", outcome: "denied", eventTime: "2024-05-14T10:00:00Z" });
    const otherSecret = aSecretAccess({ eventID: "o1", secretId: "db/password", eventTime: "2024-05-14T08:00:00Z" });
    const bob = rated(aSecretAccess({ eventID: "b1", principalArn: "arn:aws:iam::111122223333:user/bob" }), {
      actor: "arn:aws:iam::111122223333:user/bob",
    });
    const plan = planMessages([...reads, denied, otherSecret, bob], ctx);
    expect(plan.groups).toBe(4);
    expect(plan.messages.map((m) => m.eventIDs)).toEqual([
      ["d1"],
      ["o1"],
      ["evt-0000", "evt-0001", "evt-0002"],
      ["b1"],
    ]);
    expect(plan.messages[2]?.subject).toContain("TopSecretInfo");
  });

  it("groups hand-made hits whose outcome is none of the three by that outcome too", () => {
    const odd = (eventID: string, outcome: string) =>
      aSecretAccess({ eventID, outcome: outcome as SecretAccess["outcome"], eventTime: "2024-05-14T09:00:00Z" });
    const hits = [odd("a", "throttled"), odd("b", "success"), odd("c", "throttled"), odd("d", "constructor")];
    expect(groupHits(hits.map((hit) => rated(hit, {}))).map((g) => g.hits.map((h) => h.eventID))).toEqual([
      ["a", "c"],
      ["b"],
      ["d"],
    ]);
  });

  it("makes identical batch calls of one actor within a second one alert, other batch calls their own", () => {
    const batch = { eventName: "BatchGetSecretValue" as const, secretId: null, batch: aBatch() };
    const hits = [
      aSecretAccess({ ...batch, eventID: "batch-1", eventTime: "2024-05-14T09:00:00Z" }),
      aSecretAccess({ ...batch, eventID: "batch-2", eventTime: "2024-05-14T09:00:00Z" }),
      aSecretAccess({ ...batch, eventID: "batch-3", eventTime: "2024-05-14T09:00:01Z" }),
      aSecretAccess({
        ...batch,
        eventID: "batch-4",
        eventTime: "2024-05-14T09:00:00Z",
        batch: aBatch({ filters: [{ key: "name", values: ["other"] }] }),
      }),
    ];
    const plan = planMessages(hits, ctx);
    expect(plan.messages.map((m) => m.eventIDs).sort()).toEqual([["batch-1", "batch-2"], ["batch-3"], ["batch-4"]]);
  });

  it("groups by actor (the role, not the session): two sessions of one role reading one secret are one alert", () => {
    const [a, b] = manyAccesses(2, "s");
    const bob = { ...b!, identity: anIdentity({ roleSessionName: "bob" }) };
    const plan = planAssessed(assessWith([a!, bob]), ctx);
    expect(plan.messages.map((m) => m.eventIDs)).toEqual([["s-0000", "s-0001"]]);
  });

  it("dedupes on event ID and name: a record without an event ID, or with another event name, is distinct", () => {
    const hit = aSecretAccess({ eventID: "same" });
    const batch = aSecretAccess({ eventID: "same", eventName: "BatchGetSecretValue", secretId: null, batch: aBatch() });
    const noId = aSecretAccess({ eventID: "" });
    const plan = planMessages([hit, hit, batch, noId, noId], ctx);
    expect(plan).toMatchObject({ duplicatesDropped: 1, hits: 4 });
  });

  it("lists a group's reads in event-time order whatever order they came in, equal times by event ID", () => {
    const at = (eventID: string, eventTime: string | null) => aSecretAccess({ eventID, eventTime });
    const [early, tieA, tieB, late, noTimeA, noTimeB] = [
      at("early", "2024-05-14T09:00:01Z"),
      at("tie-a", "2024-05-14T09:00:02Z"),
      at("tie-b", "2024-05-14T09:00:02Z"),
      at("late", "2024-05-14T09:00:03Z"),
      at("no-time-a", null),
      at("no-time-b", null),
    ];
    const expected = ["early", "tie-a", "tie-b", "late", "no-time-a", "no-time-b"];
    const shuffled = [late, tieB, noTimeB, early, noTimeA, tieA];
    for (const order of [shuffled, [...shuffled].reverse(), [early, tieA, tieB, late, noTimeA, noTimeB]]) {
      const plan = planMessages(order, ctx);
      expect(plan.messages.map((m) => m.eventIDs)).toEqual([expected]);
      expect(plan.decisions.map((d) => d.hit.eventID)).toEqual(expected);
    }
    // In time order already, but equal times not in event-ID order.
    const timeOrdered = planMessages([early, tieB, tieA, late], ctx);
    expect(timeOrdered.messages.map((m) => m.eventIDs)).toEqual([["early", "tie-a", "tie-b", "late"]]);
    expect(planMessages([late, noTimeB, noTimeA], ctx).messages[0]?.eventIDs).toEqual([
      "late",
      "no-time-a",
      "no-time-b",
    ]);
  });

  it("orders a group of thousands of reads by their times, not by how the times are written", () => {
    // 5,000 reads of one group, newest first; every other one with milliseconds written out,
    // whose text sorts after the whole second's ("…:07.500Z" > "…:07Z") though it is later.
    const base = Date.parse("2024-05-14T09:00:00Z");
    const reads = Array.from({ length: 5000 }, (_, i) => {
      const ms = base + (5000 - i) * 500;
      const text = new Date(ms).toISOString().replace(ms % 1000 === 0 ? ".000Z" : "", ms % 1000 === 0 ? "Z" : "");
      return aSecretAccess({ eventID: `e${String(5000 - i).padStart(5, "0")}`, eventTime: text });
    });
    const [group] = groupHits(reads.map((hit) => rated(hit, {})));
    const times = group!.hits.map((h) => Date.parse(h.eventTime!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(group!.hits[0]?.eventID).toBe("e00001");
  });

  it("gives every emailed group its key, as groupHits does", () => {
    const hits = [aSecretAccess({ eventID: "a1" }), aSecretAccess({ eventID: "o1", secretId: "db/password" })];
    const plan = planMessages(hits, ctx);
    expect(plan.emailed.map((g) => g.key).sort()).toEqual(
      groupHits(plan.emailed.flatMap((g) => g.hits))
        .map((g) => g.key)
        .sort(),
    );
    expect(plan.emailed.every((g) => g.key === groupKey(g.hits[0]!))).toBe(true);
  });

  it("is deterministic whatever the input order", () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(hostileAssessedAccess, { selector: (h) => h.eventID, maxLength: 12 })
          .chain((hits) => fc.tuple(fc.constant(hits), fc.shuffledSubarray(hits, { minLength: hits.length }))),
        ([hits, shuffled]) => {
          expect(planAssessed(shuffled, ctx)).toEqual(planAssessed(hits, ctx));
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("cap and summary", () => {
  it("sends maxMessages alerts and one summary listing the rest, one line per group", () => {
    const hits = distinctSecrets(30);
    const plan = planMessages(hits, { ...ctx, maxMessages: 10 });
    expect(plan.messages.map((m) => m.kind)).toEqual([...Array(10).fill("alert"), "summary"]);
    expect(plan.messages.slice(0, 10).flatMap((m) => m.eventIDs)).toEqual(hits.slice(0, 10).map((h) => h.eventID));
    const summary = plan.messages[10]!;
    expect(summary.subject).toBe("MEDIUM [secretwatch prod] summary: 20 more groups, 20 events");
    const groupLines = summary.message.split("\n").filter((line) => /^ {2}\d+\. /.test(line));
    expect(groupLines).toHaveLength(20);
    expect(groupLines[0]).toBe(
      "  11. MEDIUM 1x success | secret s-10 | by alice (AssumedRole) | 2024-05-14T09:00:10Z to 2024-05-14T09:00:10Z",
    );
    expect(groupLines[19]).toMatch(/^ {2}30\. MEDIUM 1x success \| secret s-29 /);
    expect(summary.message).toContain("      - event e-s-29 at 2024-05-14T09:00:29Z");
    expect(summary.attributes).toEqual({
      kind: { DataType: "String", StringValue: "summary" },
      outcome: { DataType: "String", StringValue: "success" },
      severity: { DataType: "String", StringValue: "medium" },
      reasons: { DataType: "String", StringValue: "first-seen" },
    });
    expectSound(plan, hits);
  });

  it("gives the summary the reasons of all its groups' reads, ranked as one group of them all would be", () => {
    const codes: ReasonCode[] = ["denied", "sensitive", "first-seen", "public-ip", "expected", "plain-read"];
    const read = fc.record({
      reasons: fc.subarray(codes, { minLength: 1 }),
      sensitive: fc.boolean(),
      lowered: fc.subarray(["first-seen", "public-ip"] as ReasonCode[]),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(read, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        (groups) => {
          const hits = groups.flatMap((reads, g) =>
            reads.map((verdict, i) =>
              rated(aSecretAccess({ eventID: `e-${g}-${i}`, secretId: `s-${g}` }), { ...verdict, severity: "medium" }),
            ),
          );
          const summary = planMessages(hits, { ...ctx, maxMessages: 0 }).messages.find((m) => m.kind === "summary");
          const expected = hits.length === 1 ? hits[0]!.verdict.reasons : rankedReasons(hits).map((r) => r.code);
          expect(summary?.attributes.reasons?.StringValue).toBe(expected.join(","));
        },
      ),
    );
  });

  it("puts everything in the summary when maxMessages is 0", () => {
    const hits = distinctSecrets(3);
    const plan = planMessages(hits, { ...ctx, maxMessages: 0 });
    expect(plan.messages.map((m) => m.kind)).toEqual(["summary"]);
    expectSound(plan, hits);
  });

  it("rejects options it cannot honour", () => {
    expect(() => planMessages([], { ...ctx, maxMessages: -1 })).toThrow(RangeError);
    expect(() => planMessages([], { ...ctx, maxMessageBytes: SNS_LIMIT + 1 })).toThrow(RangeError);
    expect(() => planMessages([], { ...ctx, maxMessageBytes: 1000 })).toThrow(RangeError);
    expect(planMessages([], ctx)).toEqual({
      messages: [],
      duplicatesDropped: 0,
      groups: 0,
      hits: 0,
      decisions: [],
      emailed: [],
    });
  });
});

describe("size limit", () => {
  it("splits a group of 50,000 reads into parts under 256 KB, numbered in the subject and body", () => {
    const hits = manyAccesses(50_000);
    const plan = planMessages(hits, ctx);
    const total = plan.messages.length;
    expect(total).toBeGreaterThan(1);
    plan.messages.forEach((m, i) => {
      expect(m.subject).toBe(`${plan.messages[0]!.subject.replace(/ \(part 1\/\d+\)$/, "")} (part ${i + 1}/${total})`);
      expect(m.subject).toMatch(/^MEDIUM \[secretwatch prod\] .*TopSecretInfo/);
      expect(m.message).toMatch(new RegExp(`^.*\\nPart ${i + 1} of ${total}: events \\d+-\\d+ of 50000; `));
      expect(messageSize(m)).toBe(snsBytes(m));
    });
    expect(Math.max(...plan.messages.map(snsBytes))).toBeGreaterThan(SNS_LIMIT - 2000); // parts are filled
    for (const m of plan.messages) expect(m.message).toContain("\nRaw identifiers\n"); // not the fallback
    expectSound(plan, hits);
  });

  it("splits a big summary, repeating the group line as (continued)", () => {
    const big = manyAccesses(3000, "z", { secretId: "big" });
    const hits = [...distinctSecrets(2), ...big];
    const plan = planMessages(hits, { ...ctx, maxMessages: 1, maxMessageBytes: 50_000 });
    const summaries = plan.messages.filter((m) => m.kind === "summary");
    expect(summaries.length).toBeGreaterThan(1);
    expect(summaries.map((m) => partOf(m.subject))).toEqual(summaries.map((_, i) => [i + 1, summaries.length]));
    expect(summaries[1]?.message).toMatch(/\n {2}\d+\. MEDIUM 3000x success \| secret big .* \(continued\)\n/);
    expectSound(plan, hits, 50_000);
  });

  it("counts the attributes: long attribute values still leave full parts within the limit", () => {
    const long = { secretId: `s${"x".repeat(300)}`, identityType: `T${"y".repeat(300)}`, outcome: "denied" as const };
    const hits = manyAccesses(2000, "evt", long);
    const plan = planMessages(hits, { ...ctx, maxMessageBytes: 16_384 });
    expect(plan.messages.length).toBeGreaterThan(5);
    for (const m of plan.messages) {
      expect(m.attributes.secret?.StringValue).toHaveLength(256);
      expect(m.message).toContain("\nRaw identifiers\n"); // the full alert, not the fallback
    }
    expectSound(plan, hits, 16_384);
  });

  it("keeps to a small limit too", () => {
    const hits = manyAccesses(200);
    const plan = planMessages(hits, { ...ctx, maxMessageBytes: 8192 });
    expect(plan.messages.length).toBeGreaterThan(5);
    for (const m of plan.messages) expect(m.message).toContain("\nWhat to do\n"); // the full alert
    expectSound(plan, hits, 8192);
    // At the smallest limit the verdict and steps take over half the room: the minimal version is sent.
    expectSound(planMessages(hits, { ...ctx, maxMessageBytes: 4096 }), hits, 4096);
  });

  it("sends only the fallback when the details alone would fill a message", () => {
    const long = "\u4e2d".repeat(400);
    const hit = aSecretAccess({ userAgent: long, errorMessage: long, secretArn: long, requestedSecretId: long });
    const plan = planMessages([hit], { ...ctx, maxMessageBytes: 4096 });
    expect(plan.messages[0]?.message).toBe(plan.messages[0]?.fallback.message);
    expectSound(plan, [hit], 4096);
  });
});

describe("fallback", () => {
  it("is a short ASCII message with the event IDs and safe constant attributes", () => {
    const hit = aSecretAccess({ eventID: "abc-123\n<x>", outcome: "denied" });
    const [m] = planMessages([hit, aSecretAccess({ eventID: "def", outcome: "denied" })], {
      app: "secret\u00e9watch\r\nBcc: x",
      stage: "prod",
    }).messages;
    expect(m?.fallback).toEqual({
      subject: "MEDIUM [secretewatchBccx prod] secret access DENIED (details withheld)",
      message: [
        "MEDIUM - secret access DENIED (details withheld)",
        "App: secretewatchBccx, stage: prod",
        "The full message could not be sent, so only the event IDs are given here.",
        "What: 2 GetSecretValue events, outcome denied",
        "Look these event IDs up in CloudTrail event history:",
        "  - abc-123x",
        "  - def",
      ].join("\n"),
      attributes: {
        kind: { DataType: "String", StringValue: "alert" },
        severity: { DataType: "String", StringValue: "medium" },
        reasons: { DataType: "String", StringValue: "first-seen" },
        outcome: { DataType: "String", StringValue: "denied" },
        eventName: { DataType: "String", StringValue: "GetSecretValue" },
      },
    });
  });
});

describe("property: whatever the records hold", () => {
  const options = fc.record({
    app: hostileString,
    stage: hostileString,
    maxMessages: fc.integer({ min: 0, max: 5 }),
    maxMessageBytes: fc.constantFrom(4096, 6000, 16_384, SNS_LIMIT),
  });

  it("every message is publishable and every event is covered exactly once", () => {
    fc.assert(
      fc.property(fc.array(hostileAssessedAccess, { maxLength: 25 }), fc.nat(), options, (hits, dup, opts) => {
        const input = [...hits, ...hits.slice(0, dup % (hits.length + 1))];
        const plan = planAssessed(input, opts);
        expectSound(plan, input, opts.maxMessageBytes);
        const firstParts = plan.messages.filter((m) => partOf(m.subject)[0] === 1);
        const urgent = plan.emailed.filter((g) => atLeast(g.severity, "high")).length;
        expect(firstParts.filter((m) => m.kind === "alert").length).toBeLessThanOrEqual(
          Math.max(opts.maxMessages, urgent),
        );
        expect(firstParts.filter((m) => m.kind === "summary").length).toBeLessThanOrEqual(1);
        const keys = input.map((h, i) => (h.eventID ? JSON.stringify([h.eventID, h.eventName]) : `#${i}`));
        expect(plan.duplicatesDropped).toBe(input.length - new Set(keys).size);
        // A high or critical group is never folded into the summary, whatever the cap.
        for (const d of plan.decisions) {
          if (d.outcome === "summary") expect(atLeast(d.hit.verdict.severity, "high")).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("big groups split within the limit", () => {
    const bigGroups = fc
      .tuple(fc.array(hostileAssessedAccess, { minLength: 1, maxLength: 3 }), fc.integer({ min: 100, max: 1500 }))
      .map(([templates, n]) =>
        Array.from({ length: n }, (_, i) => {
          const t = templates[i % templates.length]!;
          return { ...t, eventID: `${i}-${t.eventID.slice(0, 20)}` };
        }),
      );
    fc.assert(
      fc.property(bigGroups, options, (hits, opts) => {
        expectSound(planAssessed(hits, opts), hits, opts.maxMessageBytes);
      }),
      { numRuns: 40 },
    );
    // Up to 40 groups of 1,500 hostile reads: 3–9 s alone, several times that beside the rest of the suite on 2 cores.
  }, 180_000);
});

describe("severity: ranking, the notify level and suppression", () => {
  const secret = (name: string, verdict: Partial<Verdict>, time = "2024-05-14T09:00:00Z") =>
    rated(aSecretAccess({ eventID: `e-${name}`, secretId: name, eventTime: time }), verdict);

  it("sends every high and critical group as its own alert, whatever the cap; the cap applies to the rest", () => {
    const hits = [
      ...["m1", "m2", "m3", "m4", "m5"].map((n) => secret(n, { severity: "medium" })),
      ...["c1", "c2", "c3"].map((n) => secret(n, { severity: "critical", reasons: ["decoy"] }, "2024-05-14T10:00:00Z")),
    ];
    const capped = planAssessed(hits, { ...ctx, maxMessages: 2 });
    expect(capped.messages.map((m) => [m.kind, m.eventIDs])).toEqual([
      ["alert", ["e-c1"]],
      ["alert", ["e-c2"]],
      ["alert", ["e-c3"]],
      ["summary", ["e-m1", "e-m2", "e-m3", "e-m4", "e-m5"]],
    ]);
    expect(capped.messages[0]!.subject).toMatch(/^CRITICAL /);
    expect(capped.messages[3]!.attributes.severity?.StringValue).toBe("medium");
    const roomier = planAssessed(hits, { ...ctx, maxMessages: 5 });
    expect(roomier.messages.map((m) => m.kind)).toEqual(["alert", "alert", "alert", "alert", "alert", "summary"]);
    expect(roomier.messages[5]!.eventIDs).toEqual(["e-m3", "e-m4", "e-m5"]);
  });

  it("publishes nothing below the notify level, and counts it", () => {
    const hits = [secret("low", { severity: "low", reasons: ["plain-read"] }), secret("info", { severity: "info" })];
    const plan = planAssessed(hits, { ...ctx, notify: "medium" });
    expect(plan.messages).toEqual([]);
    expect(plan.decisions.map((d) => d.outcome)).toEqual(["below-notify", "below-notify"]);
    const all = planAssessed(hits, { ...ctx, notify: "info" });
    expect(all.messages).toHaveLength(2);
  });

  it("a group's severity is its highest hit's: one medium and one high read of a secret make a HIGH alert", () => {
    const [a, b] = manyAccesses(2, "g");
    const plan = planAssessed([rated(a!, { severity: "medium" }), rated(b!, { severity: "high" })], ctx);
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0]!.attributes.severity?.StringValue).toBe("high");
  });

  it("leaves a group out only when every read repeats an alert sent within the window", () => {
    const [a, b] = manyAccesses(2, "r");
    const quiet = planAssessed([rated(a!, { suppressed: "repeat" }), rated(b!, { suppressed: "repeat" })], ctx);
    expect(quiet.messages).toEqual([]);
    expect(quiet.decisions.map((d) => d.outcome)).toEqual(["repeat-suppressed", "repeat-suppressed"]);
    const mixed = planAssessed([rated(a!, { suppressed: "repeat" }), rated(b!, { suppressed: null })], ctx);
    expect(mixed.messages.map((m) => m.eventIDs)).toEqual([["r-0000", "r-0001"]]);
  });

  it("records baseline reads without alerting them", () => {
    const plan = planAssessed([secret("b", { baseline: true, severity: "critical" })], ctx);
    expect(plan.messages).toEqual([]);
    expect(plan.decisions[0]!.outcome).toBe("baseline");
  });

  it("puts the reads that crossed the rapid-retrieval threshold into one alert per actor; a decoy keeps its own", () => {
    const rapid = { secrets: ["a", "b", "c"], from: "2024-05-14T08:54:00.000Z", to: "2024-05-14T09:00:00.000Z" };
    const hits = [
      secret("a", { severity: "high", reasons: ["rapid-retrieval"], rapid }),
      secret("b", { severity: "high", reasons: ["rapid-retrieval"], rapid }),
      secret("c", { severity: "critical", reasons: ["decoy", "rapid-retrieval"], rapid, decoy: true }),
    ];
    const plan = planAssessed(hits, ctx);
    expect(plan.messages.map((m) => m.eventIDs)).toEqual([["e-c"], ["e-a", "e-b"]]);
    expect(plan.emailed.map((g) => g.kind)).toEqual(["read", "rapid"]);
  });
});

describe("an actor probing many secrets", () => {
  it("makes one alert of one actor's high reads of more than 10 secrets in one invocation, naming them all", () => {
    const hits = Array.from({ length: 40 }, (_, i) =>
      rated(aSecretAccess({ eventID: `p-${i}`, secretId: `prod/guess-${i}`, outcome: "denied" }), {
        severity: "high",
        reasons: ["denied", "sensitive"],
      }),
    );
    const plan = planAssessed(hits, ctx);
    expect(plan.emailed.map((g) => [g.kind, g.count])).toEqual([["many", 40]]);
    expect(plan.decisions.every((d) => d.outcome === "alert")).toBe(true);
    // Ten are still ten alerts of their own.
    expect(planAssessed(hits.slice(0, 10), ctx).emailed.map((g) => g.kind)).toEqual(Array(10).fill("read"));
  });
});
