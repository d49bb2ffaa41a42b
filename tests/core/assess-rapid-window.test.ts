/**
 * Rapid retrieval against a plain reference: for any reads by a few actors of a few secrets
 * (any order, ties, missing times), a read is rapid exactly when the distinct secrets its actor
 * read in [time - rapidMinutes, time], this read included, reach rapidSecrets; and the alert
 * names exactly those secrets.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actorKey } from "../../packages/core/src/actor.js";
import { assessHits, eventMillis } from "../../packages/core/src/assess.js";
import { DEFAULT_POLICY } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import { emptySnapshot } from "../../packages/core/src/state.js";
import type { SecretAccess } from "../../packages/core/src/types.js";
import { anIdentity, aSecretAccess, aSource } from "./builders.js";

const START = Date.parse("2024-05-14T09:00:00Z");
const ROLES = ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/ops"];

const aRead = fc.record({
  role: fc.constantFrom(...ROLES),
  secret: fc.constantFrom("a", "b", "c", "d", "e", "f"),
  // Seconds after START, often equal (ties), sometimes none.
  second: fc.option(fc.integer({ min: 0, max: 1200 }), { freq: 12 }),
});

function reads(list: Array<{ role: string; secret: string; second: number | null }>): SecretAccess[] {
  return list.map((r, i) =>
    aSecretAccess({
      eventID: `e-${i}`,
      eventTime: r.second === null ? null : new Date(START + r.second * 1000).toISOString(),
      secretId: r.secret,
      source: aSource({ range: "private" }),
      identity: anIdentity({ sessionIssuerArn: r.role }),
    }),
  );
}

/** The reference: every read of the actor at a time in the window, in any order, this one included. */
function expectedRapid(hits: SecretAccess[], i: number, windowMs: number, min: number): string[] | null {
  const hit = hits[i]!;
  const time = eventMillis(hit.eventTime);
  if (time === null) return null;
  const actor = actorKey(hit.identity);
  // Earlier in event time, or equal time and earlier in the payload (assessHits's stable order).
  const before = (j: number) => {
    const t = eventMillis(hits[j]!.eventTime);
    return t !== null && (t < time || (t === time && j < i));
  };
  const secrets = new Set([hit.secretId!]);
  hits.forEach((h, j) => {
    const t = eventMillis(h.eventTime);
    if (actorKey(h.identity) === actor && before(j) && t !== null && t >= time - windowMs) secrets.add(h.secretId!);
  });
  return secrets.size >= min ? [...secrets].sort() : null;
}

describe("rapid retrieval", () => {
  it.each([2, 3, 4])("matches the reference with rapidSecrets %i over a 6-minute window", (min) => {
    const matcher = new PolicyMatcher({
      ...DEFAULT_POLICY,
      thresholds: { ...DEFAULT_POLICY.thresholds, rapidSecrets: min },
    });
    fc.assert(
      fc.property(fc.array(aRead, { maxLength: 60 }), (list) => {
        const hits = reads(list);
        const { assessed } = assessHits(hits, { matcher, snapshot: emptySnapshot() });
        assessed.forEach((a, i) => {
          expect(a.verdict.rapid?.secrets ?? null).toEqual(expectedRapid(hits, i, 6 * 60_000, min));
        });
      }),
      { numRuns: 300 },
    );
  });
});
