/**
 * The digest's pure part: one entry per invocation from the plan's decisions, merged totals,
 * the stored form, periods and schedules, the `off` rule, and the message: every section,
 * sanitised names, within 256 KB even for 10,000 hostile entries, and a quiet period that
 * says so with its health line.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BATCH_SECRET,
  type DigestEntry,
  type DigestTotals,
  digestSchedule,
  ENTRY_TOP,
  formatDigest,
  invocationDigest,
  mergeDigests,
  NAME_MAX,
  parseDigestEntry,
  periodOf,
  previousPeriod,
  refuseDigestOff,
} from "../../packages/core/src/digest.js";
import { type HitDecision, messageSize, SNS_MAX_MESSAGE_BYTES } from "../../packages/core/src/plan.js";
import { SETTING_NAMES, SettingsError } from "../../packages/core/src/settings.js";
import type { Verdict } from "../../packages/core/src/types.js";
import { aSecretAccess, hostileString, INJECTED, withVerdict } from "./builders.js";

const ROLE = "arn:aws:iam::111122223333:role/";
let n = 0;
function decision(
  outcome: HitDecision["outcome"],
  verdict: Partial<Verdict> = {},
  secretId: string | null = "TopSecretInfo",
): HitDecision {
  const hit = withVerdict(aSecretAccess({ eventID: `e-${n++}`, secretId }), { firstSeen: false, ...verdict });
  return { hit, outcome };
}
const ctx = { app: "secretwatch", stage: "dev", period: periodOf("daily", Date.parse("2024-05-14T12:00:00Z")) };
const healthy = { failureQueueDepth: 0 };
const empty = () => mergeDigests([]);

describe("invocationDigest", () => {
  const decisions = [
    decision("alert", { severity: "high", actor: `${ROLE}Intruder`, firstSeen: true }, "prod/db"),
    decision("summary", { severity: "medium", actor: `${ROLE}Intruder`, firstSeen: true }, "prod/db"),
    decision("below-notify", { severity: "info", actor: `${ROLE}App`, expected: { id: "app", note: "the app" } }),
    decision("below-notify", { severity: "info", actor: `${ROLE}App`, expected: { id: "app", note: "the app" } }),
    decision("below-notify", { severity: "low", actor: `${ROLE}Ci`, expected: { id: "ci", note: null } }),
    decision("repeat-suppressed", { severity: "medium", actor: `${ROLE}Ops` }),
    decision("baseline", { severity: "info", actor: `${ROLE}Ops` }, null),
    { ...decision("below-notify", { actor: `${ROLE}New`, firstSeen: true }), outcome: "learning" as never },
  ];
  const entry = invocationDigest(decisions, 40, 2, { published: 2, stateErrors: 1 });

  it("counts records, malformed messages, messages published and reads", () => {
    expect(entry).toMatchObject({ v: 1, records: 40, malformed: 2, published: 2, reads: 8, stateErrors: 1 });
    expect(entry.policyErrors).toBe(0);
  });

  it("counts reads by severity and by decision (learning included, once the plan decides it)", () => {
    expect(entry.bySeverity).toEqual({ info: 3, low: 1, medium: 3, high: 1, critical: 0 });
    expect(entry.byDecision).toEqual({ emailed: 2, belowNotify: 3, repeatSuppressed: 1, learning: 1, baseline: 1 });
  });

  it("counts expected reads by rule, with the rule's note, most first", () => {
    expect(entry.expected).toEqual([
      { id: "app", note: "the app", count: 2 },
      { id: "ci", note: null, count: 1 },
    ]);
    expect(entry.expectedOther).toBe(0);
  });

  it("counts first-seen pairs once per actor and secret", () => {
    expect(entry.firstSeen).toBe(2);
    expect(entry.newPairs).toEqual([
      [`${ROLE}Intruder`, "prod/db"],
      [`${ROLE}New`, "TopSecretInfo"],
    ]);
  });

  it("ranks actors and secrets by reads (batch calls under one label)", () => {
    expect(entry.actors[0]).toEqual([`${ROLE}App`, 2]);
    expect(entry.actors.map(([, c]) => c).reduce((a, b) => a + b, 0)).toBe(8);
    expect(entry.secrets).toEqual([
      ["TopSecretInfo", 5],
      ["prod/db", 2],
      [BATCH_SECRET, 1],
    ]);
  });

  it("keeps the top 20 names, each cut to 512 characters", () => {
    const long = "x".repeat(3000);
    const many = Array.from({ length: 30 }, (_, i) =>
      decision("below-notify", { actor: `${long}${i}`, severity: "info" }, `${i}-${long}`),
    );
    const e = invocationDigest([...many, ...many.slice(0, 1)], 31, 0);
    expect(e.secrets).toHaveLength(ENTRY_TOP);
    expect(e.secrets[0]).toEqual([`0-${long}`.slice(0, NAME_MAX), 2]);
    for (const [name] of [...e.actors, ...e.secrets]) expect(name.length).toBeLessThanOrEqual(NAME_MAX);
    // Cut to 512 characters, the 30 actors (which differ only after 3,000) are one name.
    expect(e.actors).toEqual([["x".repeat(NAME_MAX), 31]]);
  });
});

describe("mergeDigests", () => {
  const one = (actor: string, reads: number, rule?: string): DigestEntry =>
    invocationDigest(
      Array.from({ length: reads }, () =>
        decision("below-notify", { actor, severity: "low", expected: rule ? { id: rule, note: "n" } : null }),
      ),
      reads,
      1,
      { published: 1 },
    );

  it("sums every count and merges the rules", () => {
    const totals = mergeDigests([one("a", 3, "r1"), one("b", 2, "r1"), one("c", 1, "r2")]);
    expect(totals).toMatchObject({ invocations: 3, records: 6, malformed: 3, published: 3, reads: 6 });
    expect(totals.bySeverity.low).toBe(6);
    expect(totals.byDecision.belowNotify).toBe(6);
    expect(totals.expected).toEqual([
      { id: "r1", note: "n", count: 5 },
      { id: "r2", note: "n", count: 1 },
    ]);
  });

  it("keeps the top 10 actors and secrets over all entries", () => {
    const entries = Array.from({ length: 15 }, (_, i) => one(`actor-${String(i).padStart(2, "0")}`, i + 1));
    const totals = mergeDigests([...entries, one("actor-00", 20)]);
    expect(totals.actors).toHaveLength(10);
    expect(totals.actors[0]).toEqual(["actor-00", 21]);
    expect(totals.actors[1]).toEqual(["actor-14", 15]);
    expect(totals.secrets).toEqual([["TopSecretInfo", totals.reads]]);
  });

  it("of nothing is all zeros", () => {
    expect(empty()).toMatchObject({ invocations: 0, records: 0, reads: 0, actors: [], expected: [] });
  });
});

describe("the stored entry", () => {
  it("reads back what was written, and nothing that is not an entry", () => {
    const entry = invocationDigest([decision("alert", { severity: "high", firstSeen: true })], 1, 0);
    expect(parseDigestEntry(JSON.stringify(entry))).toEqual(entry);
    for (const bad of ["", "{", "null", "[]", '{"v":2}', JSON.stringify({ ...entry, records: -1 })]) {
      expect(parseDigestEntry(bad), bad).toBeNull();
    }
    expect(parseDigestEntry(JSON.stringify({ ...entry, actors: [["a", "1"]] }))).toBeNull();
    expect(parseDigestEntry(JSON.stringify({ ...entry, expected: [{ id: 1, note: null, count: 1 }] }))).toBeNull();
  });
});

describe("periods and schedules", () => {
  it("covers the previous full UTC day or hour of the scheduled time", () => {
    expect(previousPeriod("daily", new Date("2024-05-15T08:05:00Z"))).toEqual({
      mode: "daily",
      label: "2024-05-14",
      start: Date.parse("2024-05-14T00:00:00Z"),
      end: Date.parse("2024-05-15T00:00:00Z"),
    });
    expect(previousPeriod("hourly", new Date("2024-05-15T00:05:00Z"))).toMatchObject({
      label: "2024-05-14T23",
      start: Date.parse("2024-05-14T23:00:00Z"),
    });
    expect(previousPeriod("daily", new Date("2024-03-01T00:00:00Z")).label).toBe("2024-02-29");
  });

  it("runs daily at five past the configured hour, hourly at five past, never when off", () => {
    expect(digestSchedule("daily", 8)).toBe("cron(5 8 * * ? *)");
    expect(digestSchedule("daily", 0)).toBe("cron(5 0 * * ? *)");
    expect(digestSchedule("hourly", 8)).toBe("cron(5 * * * ? *)");
    expect(digestSchedule("off", 8)).toBeNull();
  });

  it("refuses off unless the policy's notify is info, naming both", () => {
    expect(() => refuseDigestOff("off", "info")).not.toThrow();
    expect(() => refuseDigestOff("daily", "high")).not.toThrow();
    for (const notify of ["low", "medium", "high", "critical"] as const) {
      const error = (() => {
        try {
          refuseDigestOff("off", notify);
        } catch (e) {
          return e as SettingsError;
        }
      })();
      expect(error, notify).toBeInstanceOf(SettingsError);
      expect(error?.setting).toBe(SETTING_NAMES.digest);
      expect(error?.message).toContain(`${SETTING_NAMES.digest}=off`);
      expect(error?.message).toContain(`notify is "${notify}"`);
      expect(error?.message).toContain("notify: info");
    }
  });
});

describe("formatDigest", () => {
  const busy = (): DigestTotals =>
    mergeDigests([
      invocationDigest(
        [
          decision("alert", { severity: "critical", actor: `${ROLE}Intruder`, firstSeen: true }, "prod/db"),
          decision("below-notify", { severity: "info", expected: { id: "app", note: "reads at start" } }),
          decision("repeat-suppressed", { severity: "medium" }),
        ],
        12,
        1,
        { published: 1 },
      ),
    ]);

  it("has every section, the health line, kind=digest and the highest severity", () => {
    const m = formatDigest(busy(), { failureQueueDepth: 3 }, ctx);
    for (const heading of [
      "Period: 2024-05-14 (UTC day, 2024-05-14T00:00:00.000Z to 2024-05-15T00:00:00.000Z)",
      "Health: needs a look (3 events in the failure queue; 1 malformed message)",
      "Records processed:   12 CloudTrail records",
      "Malformed messages:  1",
      "Messages published:  1 alerts and summaries",
      "Failure queue:       3 events waiting",
      "Reads by severity",
      "CRITICAL:            1",
      "Reads by decision",
      "Repeat suppressed:   1",
      "Suppressed repeats: 1 read not emailed again",
      "First-seen pairs learned: 1",
      `  - ${ROLE}Intruder`,
      "    read prod/db",
      "Expected readers (rule: reads): 1 rule matched",
      "  - app: 1 (reads at start)",
      "Top actors",
      "Top secrets",
      "  1. TopSecretInfo - 2 reads",
    ]) {
      expect(m.message, heading).toContain(heading);
    }
    expect(m.attributes).toEqual({
      kind: { DataType: "String", StringValue: "digest" },
      severity: { DataType: "String", StringValue: "critical" },
    });
    expect(m.subject).toBe(
      "[secretwatch dev] digest 2024-05-14: 3 reads, highest CRITICAL; 3 events in the failure queue",
    );
  });

  it("says a quiet period is quiet, with the health line that shows the pipeline ran", () => {
    const m = formatDigest(empty(), healthy, ctx);
    expect(m.subject).toBe("[secretwatch dev] digest 2024-05-14: no secret reads");
    expect(m.message).toContain("A quiet period: no secret value was read.");
    expect(m.message).toContain("Health: the pipeline ran; nothing needs a look");
    expect(m.message).toContain("Failure queue:       0 events waiting");
    expect(m.message).toContain("Records processed:   0 CloudTrail records");
    expect(m.attributes.severity?.StringValue).toBe("info");
    expect(m.message).not.toContain("Health: needs a look");
  });

  it("reports a failure queue it could not read as unknown", () => {
    const m = formatDigest(empty(), { failureQueueDepth: null, failureQueueError: "AccessDenied" }, ctx);
    expect(m.message).toContain("Failure queue:       unknown events waiting (AccessDenied)");
    expect(m.subject).toContain("failure queue depth unknown");
  });

  it("never lets a recorded name start a line, break the subject or leave printable text", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileString, hostileString, hostileString), { maxLength: 8 }), (names) => {
        const decisions = names.flatMap(([actor, secret, rule]) => [
          decision(
            "below-notify",
            { severity: "low", actor, firstSeen: true, expected: { id: rule, note: rule } },
            secret,
          ),
        ]);
        const m = formatDigest(mergeDigests([invocationDigest(decisions, names.length, 0)]), healthy, {
          ...ctx,
          app: `${INJECTED}\r\nx`,
          stage: "\u202Edev",
        });
        expect(m.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
        const lines = m.message.split("\n");
        expect(lines.filter((l) => l.trimStart().startsWith(INJECTED))).toEqual([]);
        expect(m.message).not.toMatch(/[\r\u2028\u2029\u0085\v\f\u202E\u200B]/);
      }),
      { numRuns: 200 },
    );
  });

  it("stays within 256 KB for 10,000 entries of hostile 512-character names and 100 rules each", () => {
    // Every name is a full 512 characters of hostile text (bidi, line breaks, emoji, marks).
    const hostile = `\u202E\r\n${INJECTED}: x\u2028${"\u{1F600}\u0301".repeat(200)}`;
    const pool = (kind: string, size: number) =>
      Array.from({ length: size }, (_, i) => `${kind}${i}${hostile}`.slice(0, NAME_MAX));
    const names = { a: pool("a", 4000), s: pool("s", 4000), p: pool("p", 4000), r: pool("r", 1000), n: pool("n", 100) };
    const tally = (kind: "a" | "s" | "p", e: number): Array<[string, number]> =>
      Array.from({ length: 20 }, (_, i) => [names[kind][(e * 20 + i) % 4000]!, 1 + (i % 3)]);
    const template = invocationDigest([decision("alert", { severity: "high" })], 20, 1, { published: 1 });
    const entries: DigestEntry[] = Array.from({ length: 10_000 }, (_, e) => ({
      ...template,
      actors: tally("a", e),
      secrets: tally("s", e),
      newPairs: tally("p", e).map(([p]) => [p, p]),
      firstSeen: 20,
      expected: Array.from({ length: 100 }, (_, i) => ({
        id: names.r[(e + i) % 1000]!,
        note: names.n[i]!,
        count: 1,
      })),
    }));
    expect(parseDigestEntry(JSON.stringify(entries[0]))).toEqual(entries[0]);
    const totals = mergeDigests(entries);
    expect(totals.invocations).toBe(10_000);
    expect(totals.expected).toHaveLength(1000);
    const m = formatDigest(totals, healthy, ctx);
    expect(messageSize(m)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(messageSize(m)).toBeGreaterThan(SNS_MAX_MESSAGE_BYTES - 8192);
    expect(m.message).toMatch(/\.\.\. \d+ more rules not shown/);
    for (const heading of [
      "Health:",
      "Top actors",
      "Top secrets",
      "First-seen pairs learned: 200000",
      "Expected readers",
    ]) {
      expect(m.message).toContain(heading);
    }
    expect(m.message.split("\n").filter((l) => l.trimStart().startsWith(INJECTED))).toEqual([]);
    expect(m.attributes.severity?.StringValue).toBe("high");
  });

  it("keeps memory bounded over many distinct names, and the most read name on top", () => {
    const entries: DigestEntry[] = Array.from({ length: 3000 }, (_, e) => ({
      ...invocationDigest([], 0, 0),
      actors: [["heavy", 5], ...Array.from({ length: 19 }, (_, i): [string, number] => [`one-off-${e}-${i}`, 1])],
    }));
    const totals = mergeDigests(entries);
    expect(totals.actors[0]).toEqual(["heavy", 15_000]);
    expect(totals.actors).toHaveLength(10);
  });
});
