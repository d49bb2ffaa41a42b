/**
 * The Lambda's whole path (decode → select → enrich → assess → plan, and the tamper plan) on
 * records whose fields hold any JSON, strings of any code units included (lone surrogates,
 * controls, bidi marks): it never throws, every read is a hit, and every message stays within
 * what SNS takes (printable ASCII subjects and attributes, bodies that are valid UTF-16, so UTF-8). A crafted record may only ever cost its own details, never the invocation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSubscriptionData } from "../../packages/core/src/decode.js";
import { processPayload } from "../../packages/core/src/pipeline.js";
import { DEFAULT_POLICY } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import { emptySnapshot } from "../../packages/core/src/state.js";
import { stageTamperScope } from "../../packages/core/src/tamper/stage-scope.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { recordsEvent } from "../helpers/subscription.js";

const [template] = cloudTrailFixture<Record<string, unknown>[]>("hostile");
/** Text with a code unit that has broken something somewhere: a lone surrogate, a NUL, a bidi override, a line separator. */
const nasty = fc
  .tuple(fc.string(), fc.constantFrom("\ud800", "\udfff", "\u0000", "\u202e", "\u2028", "\u00e9", "%", "\n"))
  .map(([text, unit]) => `${text}${unit}${text}`);
/** Any JSON, with strings of any UTF-16 code units (what `JSON.parse` can give from `\uXXXX` escapes). */
const anyJson = fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: "binary" }), fc.string({ unit: "binary" }), nasty);
const fields = fc.dictionary(fc.constantFrom(...Object.keys(template ?? {})), anyJson, { maxKeys: 8 });
const EVENTS = [
  ["secretsmanager.amazonaws.com", "GetSecretValue"],
  ["secretsmanager.amazonaws.com", "BatchGetSecretValue"],
  ["cloudtrail.amazonaws.com", "StopLogging"],
  ["secretsmanager.amazonaws.com", "PutResourcePolicy"],
] as const;

describe("the Lambda's path on attacker-shaped records", () => {
  it("never throws; every read is a hit; every subject is printable ASCII", () => {
    const matcher = new PolicyMatcher(DEFAULT_POLICY);
    const scope = stageTamperScope({ app: "secretwatch", stage: "test" }, { topicArns: [] });
    fc.assert(
      fc.property(fc.array(fc.tuple(fields, fc.constantFrom(...EVENTS)), { minLength: 1, maxLength: 6 }), (list) => {
        const records = list.map(([extra, [eventSource, eventName]]) => ({
          ...template,
          ...extra,
          eventSource,
          eventName,
        }));
        const payload = decodeSubscriptionData(recordsEvent(records).awslogs.data);
        const result = processPayload(payload, {
          now: new Date("2024-05-14T10:00:00Z"),
          matcher,
          snapshot: emptySnapshot(),
          app: "secretwatch",
          stage: "test",
          tamperScope: scope,
        });
        const reads = records.filter(
          (r) => r.eventSource === "secretsmanager.amazonaws.com" && r.eventName.endsWith("GetSecretValue"),
        );
        expect(result.hits).toHaveLength(reads.length);
        for (const m of [...result.plan.messages, ...result.tamper.messages]) {
          expect(m.subject).toMatch(/^[\x20-\x7E]{1,99}$/);
          expect(m.fallback.subject).toMatch(/^[\x20-\x7E]{1,99}$/);
          // SNS takes UTF-8: no half surrogate pair may reach a message; attributes are printable ASCII.
          expect(/\p{Cs}/u.test(m.message)).toBe(false);
          expect(m.fallback.message).toMatch(/^[\x20-\x7E\n]+$/);
          for (const a of Object.values(m.attributes)) expect(a.StringValue).toMatch(/^[\x20-\x7E]{1,256}$/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
