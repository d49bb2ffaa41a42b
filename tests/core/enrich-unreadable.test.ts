/**
 * A secret-value record that enrichment fails on (a fault not met yet) is still a read: a bare
 * hit with the record's own texts, assessed `unreadable-record` (high), which no policy rule,
 * repeat or learning hides. Enrichment is made to fail on purpose here (the fuzz tests find no
 * record that fails it).
 */
import { describe, expect, it } from "vitest";
import { assessHits, repeatKeyOf, sourceClass } from "../../packages/core/src/assess.js";
import { enrichOrBare, enrichRecord } from "../../packages/core/src/enrich.js";
import { DEFAULT_POLICY } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import { emptySnapshot } from "../../packages/core/src/state.js";
import type { CloudTrailRecord, SecretAccess } from "../../packages/core/src/types.js";
import { assessWith } from "./builders.js";

const record: CloudTrailRecord = {
  eventSource: "secretsmanager.amazonaws.com",
  eventName: "GetSecretValue",
  eventID: "0c1d2e3f-0000-4000-8000-000000000001",
  eventTime: "2024-05-14T09:21:07Z",
  awsRegion: "eu-west-1",
  sourceIPAddress: "203.0.113.7",
  userAgent: "aws-cli/2.15.0",
  userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice", accountId: "111122223333" },
  requestParameters: { secretId: "canary/payroll" },
  errorCode: "AccessDenied",
  recipientAccountId: "111122223333",
  requestID: "req-1",
};
const failing = () => {
  throw new RangeError("a fault in enrichment");
};
const bare = () => enrichOrBare(record, { now: null }, failing);

describe("enrichOrBare", () => {
  it("is enrichRecord when enrichment works", () => {
    expect(enrichOrBare(record, { now: null })).toEqual(enrichRecord(record, { now: null }));
  });

  it("makes a bare read of the record's own texts when enrichment throws", () => {
    expect(bare()).toMatchObject({
      eventID: record.eventID,
      eventTime: record.eventTime,
      eventName: "GetSecretValue",
      secretId: "canary/payroll",
      requestedSecretId: "canary/payroll",
      outcome: "denied",
      errorCode: "AccessDenied",
      principalArn: "arn:aws:iam::111122223333:user/alice",
      identityType: "Unknown",
      sourceIPAddress: "203.0.113.7",
      source: { kind: "unknown", raw: "203.0.113.7", ip: null },
      userAgent: "aws-cli/2.15.0",
      region: "eu-west-1",
      consoleUrl: null,
      unreadable: "RangeError",
    });
    expect(bare().notes).toEqual([
      "secretwatch could not read this record (RangeError); it is reported with its own texts only",
    ]);
  });

  it("takes nothing from a field that is not text, and an odd time stays out", () => {
    const odd = { ...record, eventID: 7, eventTime: "yesterday", userIdentity: "x", requestParameters: null } as never;
    expect(enrichOrBare(odd, { now: null }, failing)).toMatchObject({
      eventID: "",
      eventTime: null,
      secretId: null,
      principalArn: null,
      unreadable: "RangeError",
    });
  });

  it("a normal read carries no unreadable field at all (replay's JSON is unchanged)", () => {
    expect("unreadable" in enrichRecord(record, { now: null })).toBe(false);
  });
});

describe("assessing a bare read", () => {
  it("is high with unreadable-record, and a decoy pattern still sees the secret asked for", () => {
    const [plain] = assessWith([bare()]);
    expect(plain!.verdict).toMatchObject({ severity: "high" });
    expect(plain!.verdict.reasons).toContain("unreadable-record");
    const [decoy] = assessWith([bare()], { decoys: ["canary/*"] });
    expect(decoy!.verdict).toMatchObject({ severity: "critical", decoy: true });
  });

  it("no expected-reader rule lowers it, not even one for every principal and secret", () => {
    const everything = { expected: [{ id: "all", principal: "arn:aws:iam::111122223333:user/*", secret: "*" }] };
    const [hit] = assessWith([bare()], everything);
    expect(hit!.verdict.severity).toBe("high");
    expect(hit!.verdict.lowered).not.toContain("unreadable-record");
  });

  it("is never suppressed as a repeat, where the same memo suppresses a plain read", () => {
    const matcher = new PolicyMatcher(DEFAULT_POLICY);
    const time = Date.parse(record.eventTime ?? "");
    const suppressedWith = (hit: SecretAccess) => {
      const snapshot = emptySnapshot();
      const [first] = assessHits([hit], { matcher, snapshot }).assessed;
      // The memo an alert of the same actor × what × outcome left a minute before, at critical.
      snapshot.alerts.set(repeatKeyOf(first!), {
        time: time - 60_000,
        severity: "critical",
        sourceClass: sourceClass(hit),
        clientFamily: hit.client.family,
      });
      return assessHits([hit], { matcher, snapshot }).assessed[0]!.verdict.suppressed;
    };
    const { errorCode: _, ...succeeded } = record;
    expect(
      suppressedWith(enrichRecord({ ...succeeded, requestParameters: { secretId: "app/x" } }, { now: null })),
    ).toBe("repeat");
    expect(
      suppressedWith(enrichOrBare({ ...succeeded, requestParameters: { secretId: "app/x" } }, { now: null }, failing)),
    ).toBeNull();
  });
});
