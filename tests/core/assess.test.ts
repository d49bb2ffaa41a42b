import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actorKey } from "../../packages/core/src/actor.js";
import { alertMemoOf, assessHits, eventMillis, repeatKeyOf, stateRequest } from "../../packages/core/src/assess.js";
import { enrichRecord } from "../../packages/core/src/enrich.js";
import { DEFAULT_POLICY, type Policy } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import type { ReasonCode } from "../../packages/core/src/reasons.js";
import { emptySnapshot, InMemoryStateStore } from "../../packages/core/src/state.js";
import type { SecretAccess } from "../../packages/core/src/types.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { ACCOUNT, anIdentity, aSecretAccess, aSource, assessWith, manyAccesses } from "./builders.js";

const fixtureDir = new URL("../fixtures/cloudtrail/", import.meta.url);
const triagePolicy = JSON.parse(readFileSync(new URL("triage.policy.json", fixtureDir), "utf8")) as Policy;
const triage = JSON.parse(readFileSync(new URL("triage.expected.json", fixtureDir), "utf8")) as {
  cases: Array<{
    eventID: string;
    case: string;
    severity: string;
    reasons?: ReasonCode[];
    has?: ReasonCode[];
    hasNot?: ReasonCode[];
    expected?: string;
    expectedNone?: boolean;
    actor?: string;
  }>;
};
const triageHits = cloudTrailFixture("triage").map((r) => enrichRecord(r as never, { now: null }));

describe("the triage fixture: every reason and every spoofing attempt, assessed under triage.policy.json", () => {
  // Each record alone, with an empty state: its verdict depends on nothing else in the file.
  const verdictOf = (id: string) => {
    const hit = triageHits.find((h) => h.eventID === id);
    if (!hit) throw new Error(`no record ${id}`);
    return assessWith([hit], triagePolicy)[0]!.verdict;
  };
  it.each(triage.cases.map((c) => [c.case, c] as const))("%s", (_name, c) => {
    const v = verdictOf(c.eventID);
    expect(v.severity).toBe(c.severity);
    if (c.reasons) expect([...v.reasons].sort()).toEqual([...c.reasons].sort());
    for (const r of c.has ?? []) expect(v.reasons).toContain(r);
    for (const r of c.hasNot ?? []) expect(v.reasons).not.toContain(r);
    if (c.expected) expect(v.expected?.id).toBe(c.expected);
    if (c.expectedNone) expect(v.expected).toBeNull();
    if (c.actor) expect(v.actor).toBe(c.actor);
  });
});

describe("the reason table: one row each", () => {
  const policy: Partial<Policy> = { decoys: ["canary/*"], sensitive: ["prod/*"] };
  const PUBLIC = aSource({ raw: "81.2.69.142", ip: "81.2.69.142", range: "unicast" });
  const PRIVATE = aSource({ raw: "10.0.0.7", ip: "10.0.0.7", range: "private" });
  const role = (extra: Partial<SecretAccess> = {}) => aSecretAccess({ source: PRIVATE, ...extra });
  const rows: Array<[ReasonCode, SecretAccess, string, string]> = [
    ["decoy", role({ secretId: "canary/db" }), "critical", "critical"],
    [
      "root",
      role({ identity: anIdentity({ type: "Root", principalArn: `arn:aws:iam::${ACCOUNT}:root` }) }),
      "critical",
      "critical",
    ],
    [
      "catch-all-batch",
      role({
        eventName: "BatchGetSecretValue",
        secretId: null,
        batch: { filters: [{ key: "tag-key", values: ["!never"] }], secretIdList: null, broad: true, broadReasons: [] },
      }),
      "high",
      "high",
    ],
    ["cross-account", role({ identity: anIdentity({ crossAccount: true }) }), "high", "high"],
    ["denied", role({ outcome: "denied", errorCode: "AccessDenied" }), "medium", "high"],
    ["error", role({ outcome: "error", errorCode: "DecryptionFailure" }), "medium", "high"],
    ["role-session-from-internet", role({ source: PUBLIC }), "medium", "high"],
    [
      "broad-batch",
      role({
        eventName: "BatchGetSecretValue",
        secretId: null,
        batch: { filters: [{ key: "name", values: ["app"] }], secretIdList: null, broad: true, broadReasons: [] },
      }),
      "medium",
      "high",
    ],
    ["console-session", role({ identity: anIdentity({ consoleSession: true }) }), "medium", "high"],
    [
      "public-ip",
      role({
        source: PUBLIC,
        identityType: "IAMUser",
        identity: anIdentity({
          type: "IAMUser",
          principalArn: `arn:aws:iam::${ACCOUNT}:user/bob`,
          sessionIssuerArn: null,
        }),
      }),
      "medium",
      "high",
    ],
    ["first-seen", role(), "medium", "high"],
  ];
  it.each(rows)("%s gives %s, %s on a sensitive secret", (code, hit, plain, onSensitive) => {
    const [a] = assessWith([hit], policy);
    expect(a!.verdict.reasons).toContain(code);
    expect(a!.verdict.severity).toBe(plain);
    if (code === "decoy") return;
    const sensitiveHit = { ...hit, secretId: hit.secretId === null ? null : "prod/x" };
    if (hit.batch) sensitiveHit.batch = { ...hit.batch, secretIdList: ["prod/x"] };
    const [b] = assessWith([sensitiveHit], policy);
    expect(b!.verdict.reasons).toContain(code);
    if (hit.batch === null) expect(b!.verdict.severity).toBe(onSensitive);
  });

  it("state-unavailable: without state first-seen is unknown, never 'seen before'", () => {
    const [a] = assessWith([role()], {}, null);
    expect(a!.verdict.reasons).toEqual(["state-unavailable"]);
    expect(a!.verdict.firstSeen).toBeNull();
    expect(a!.verdict.severity).toBe("medium");
  });

  it("plain-read: a pair seen before, nothing unusual, is low", () => {
    const [first, second] = manyAccesses(2, "seen", { source: PRIVATE });
    const assessed = assessWith([first!, second!]);
    expect(assessed[0]!.verdict.reasons).toEqual(["first-seen"]);
    expect(assessed[1]!.verdict.reasons).toEqual(["plain-read"]);
    expect(assessed[1]!.verdict.severity).toBe("low");
  });

  it("aws-service: an AWS service reading on the account's behalf is low, even the first time", () => {
    const hit = role({
      identityType: "AWSService",
      identity: anIdentity({ type: "AWSService", invokedBy: "ecs.amazonaws.com", sessionIssuerArn: null }),
      source: aSource({ kind: "aws-service", raw: "ecs.amazonaws.com", ip: null, range: null }),
    });
    const [a] = assessWith([hit]);
    expect(a!.verdict.reasons).toEqual(["aws-service"]);
    expect(a!.verdict.severity).toBe("low");
  });

  it("policy-unavailable: every read is at least medium and no rule can lower it", () => {
    const matcher = new PolicyMatcher({
      ...DEFAULT_POLICY,
      expected: [{ id: "all", principal: `arn:aws:iam::${ACCOUNT}:role/DevOps`, secret: "*" }],
    });
    const { assessed } = assessHits([role()], { matcher, snapshot: emptySnapshot(), policyUnavailable: true });
    expect(assessed[0]!.verdict.reasons).toContain("policy-unavailable");
    expect(assessed[0]!.verdict.expected).toBeNull();
    expect(assessed[0]!.verdict.severity).toBe("medium");
  });
});

describe("expected rules", () => {
  const rule = (extra = {}) => ({
    id: "devops",
    principal: `arn:aws:iam::${ACCOUNT}:role/DevOps`,
    secret: "*",
    ...extra,
  });
  const PUBLIC = aSource({ raw: "81.2.69.142", ip: "81.2.69.142", range: "unicast" });

  it.each<[string, Partial<SecretAccess>]>([
    ["a decoy", { secretId: "canary/x" }],
    ["a denial", { outcome: "denied", errorCode: "AccessDenied" }],
    ["a role session from the internet", { source: PUBLIC }],
    ["a cross-account call", { identity: anIdentity({ crossAccount: true }) }],
  ])("never lower %s", (_what, extra) => {
    const hit = aSecretAccess({ source: aSource({ range: "private" }), ...extra });
    const [without] = assessWith([hit], { decoys: ["canary/*"] });
    const [withRule] = assessWith([hit], { decoys: ["canary/*"], expected: [rule()] });
    expect(withRule!.verdict.expected?.id).toBe("devops");
    expect(withRule!.verdict.severity).toBe(without!.verdict.severity);
    expect(["medium", "high", "critical"]).toContain(withRule!.verdict.severity);
  });

  it("lower first-seen, error and sensitive to info, and say so", () => {
    const hit = aSecretAccess({ secretId: "prod/db", source: aSource({ range: "private" }) });
    const [a] = assessWith([hit], { sensitive: ["prod/*"], expected: [rule({ note: "its own secret" })] });
    expect(a!.verdict).toMatchObject({ severity: "info", expected: { id: "devops", note: "its own secret" } });
    expect(a!.verdict.lowered).toEqual(expect.arrayContaining(["first-seen", "sensitive"]));
  });

  it("match the role, never a session name, a user agent or a source identity chosen by the caller", () => {
    const impostor = aSecretAccess({
      source: aSource({ range: "private" }),
      userAgent: "aws-secrets-manager-agent/1.1.2",
      identity: anIdentity({
        principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Attacker/DevOps`,
        roleSessionName: "DevOps",
        sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:role/Attacker`,
        sourceIdentity: "DevOps",
      }),
    });
    const [a] = assessWith([impostor], { expected: [rule()] });
    expect(a!.verdict.expected).toBeNull();
    expect(a!.verdict.actor).toBe(`arn:aws:iam::${ACCOUNT}:role/Attacker`);
  });

  it("with a source list, match only from a listed CIDR, VPC endpoint or service", () => {
    const r = rule({ source: ["10.0.0.0/8", "vpce-0abc1234"] });
    const from = (source: Partial<ReturnType<typeof aSource>>) =>
      assessWith([aSecretAccess({ source: aSource(source) })], { expected: [r] })[0]!.verdict.expected?.id ?? null;
    expect(from({ raw: "10.1.2.3", ip: "10.1.2.3", range: "private" })).toBe("devops");
    expect(from({ raw: "192.168.1.1", ip: "192.168.1.1", range: "private" })).toBeNull();
    expect(from({ raw: "192.168.1.1", ip: "192.168.1.1", range: "private", vpcEndpointId: "vpce-0abc1234" })).toBe(
      "devops",
    );
  });
});

describe("another account's VPC endpoint", () => {
  const via = (owner: string | null, eventID: string, eventTime: string) =>
    aSecretAccess({
      eventID,
      eventTime,
      source: aSource({
        ...{ raw: "10.1.2.3", ip: "10.1.2.3", range: "private" },
        ...{ vpcEndpointId: "vpce-0ffee0000000000a1", vpcEndpointAccountId: owner },
      }),
    });

  it.each<[string, string | null, boolean]>([
    ["another account's", "444455556666", true],
    ["the secret's own account's", ACCOUNT, false],
    ["one whose owner CloudTrail did not record", null, false],
  ])("%s endpoint: foreign-vpc-endpoint %s", (_what, owner, foreign) => {
    const [v] = assessWith([via(owner, "e1", "2024-05-14T09:00:00Z")]).map((a) => a.verdict);
    expect(v!.reasons.includes("foreign-vpc-endpoint")).toBe(foreign);
  });

  it("a read through another account's endpoint never repeats an alert sent for a read through the account's own", () => {
    const own = via(ACCOUNT, "own", "2024-05-14T09:00:00Z");
    const foreign = via("444455556666", "foreign", "2024-05-14T09:10:00Z");
    const matcher = new PolicyMatcher(DEFAULT_POLICY);
    const snapshot = emptySnapshot();
    const [first] = assessHits([own], { matcher, snapshot }).assessed;
    snapshot.alerts.set(repeatKeyOf(first!), alertMemoOf(first!, Date.parse(own.eventTime!)));
    // The same actor, secret, outcome and client, ten minutes later: a repeat only from the same kind of place.
    expect(
      assessHits([{ ...own, eventID: "own2", eventTime: foreign.eventTime }], { matcher, snapshot }).assessed[0]!
        .verdict.suppressed,
    ).toBe("repeat");
    expect(assessHits([foreign], { matcher, snapshot }).assessed[0]!.verdict.suppressed).toBeNull();
  });
});

describe("the actor key", () => {
  it.each<[string, Parameters<typeof anIdentity>[0], string]>([
    ["a role session: the role", {}, `arn:aws:iam::${ACCOUNT}:role/DevOps`],
    [
      "an Identity Center role: the user",
      {
        sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`,
        roleSessionName: "Alice@Example.com",
      },
      `sso-user:${ACCOUNT}:alice@example.com`,
    ],
    [
      "a role merely named AWSReservedSSO_*: the role",
      {
        sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_Admin_0123456789abcdef`,
        roleSessionName: "alice@example.com",
      },
      `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_Admin_0123456789abcdef`,
    ],
    [
      "an IAM user: the user",
      { type: "IAMUser", principalArn: `arn:aws:iam::${ACCOUNT}:user/bob`, sessionIssuerArn: null },
      `arn:aws:iam::${ACCOUNT}:user/bob`,
    ],
    ["root", { type: "Root", principalArn: `arn:aws:iam::${ACCOUNT}:root` }, `root:${ACCOUNT}`],
    [
      "a federated user: the IAM user that asked for it, not the name it chose",
      {
        type: "FederatedUser",
        principalArn: `arn:aws:sts::${ACCOUNT}:federated-user/build-bot`,
        roleSessionName: null,
        sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:user/ci-user`,
      },
      `arn:aws:iam::${ACCOUNT}:user/ci-user`,
    ],
    [
      "a federated user root asked for: root (its credentials are root's)",
      {
        type: "FederatedUser",
        principalArn: `arn:aws:sts::${ACCOUNT}:federated-user/x`,
        roleSessionName: null,
        sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:root`,
      },
      `root:${ACCOUNT}`,
    ],
    [
      "a role session recorded without its issuer: the role in the session ARN, not the session",
      { sessionIssuerArn: null, principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/DevOps/anything-the-caller-chose` },
      `arn:aws:sts::${ACCOUNT}:assumed-role/DevOps`,
    ],
    [
      "another account's role session (type AWSAccount): the role's unique ID, not the session",
      {
        type: "AWSAccount",
        principalArn: null,
        sessionIssuerArn: null,
        principalId: "AROAEXAMPLEROLEID1234:chosen-name",
      },
      "AROAEXAMPLEROLEID1234",
    ],
    [
      "another account's IAM user (type AWSAccount): its unique ID",
      { type: "AWSAccount", principalArn: null, sessionIssuerArn: null, principalId: "AIDAEXAMPLEUSERID1234" },
      "AIDAEXAMPLEUSERID1234",
    ],
    [
      "an AWS service: the service",
      { type: "AWSService", invokedBy: "ecs.amazonaws.com", principalArn: null, sessionIssuerArn: null },
      "service:ecs.amazonaws.com",
    ],
  ])("%s", (_what, identity, key) => {
    expect(actorKey(anIdentity(identity))).toBe(key);
  });

  it("a read with federated credentials root asked for is a root read: critical, and no rule lowers it", () => {
    const hit = aSecretAccess({
      identityType: "FederatedUser",
      source: aSource({ range: "private" }),
      identity: anIdentity({
        type: "FederatedUser",
        principalArn: `arn:aws:sts::${ACCOUNT}:federated-user/x`,
        roleSessionName: null,
        sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:root`,
        sessionIssuerType: "Root",
      }),
    });
    const everyone = { id: "all", principal: `arn:aws:iam::${ACCOUNT}:root`, secret: "*" };
    const [v] = assessWith([hit], { expected: [everyone] }).map((a) => a.verdict);
    expect(v!.reasons).toContain("root");
    expect(v!.severity).toBe("critical");
    // An IAM user's federated credentials are not root's.
    const byUser = { ...hit, identity: { ...hit.identity, sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:user/ci-user` } };
    expect(assessWith([byUser])[0]!.verdict.reasons).not.toContain("root");
  });

  it("federated users of one IAM user are one actor: reads under many chosen names still add up to rapid retrieval", () => {
    // One access key, a new GetFederationToken name for every read: 20 secrets within a minute.
    const hits = Array.from({ length: 20 }, (_, i) =>
      aSecretAccess({
        eventID: `fed-${i}`,
        eventTime: `2024-05-14T09:00:${String(i).padStart(2, "0")}Z`,
        secretId: `prod/secret-${i}`,
        source: aSource({ range: "private" }),
        identityType: "FederatedUser",
        identity: anIdentity({
          type: "FederatedUser",
          principalArn: `arn:aws:sts::${ACCOUNT}:federated-user/name-${i}`,
          roleSessionName: null,
          sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:user/ci-user`,
        }),
      }),
    );
    const last = assessWith(hits).at(-1)!.verdict;
    expect(last.reasons).toContain("rapid-retrieval");
    expect(last.rapid?.secrets).toHaveLength(20);
  });

  it("two sessions of one role are one actor: the second session's read is not first-seen", () => {
    const [a, b] = manyAccesses(2, "s", { source: aSource({ range: "private" }) });
    const other = {
      ...b!,
      identity: anIdentity({ roleSessionName: "bob", principalArn: "arn:aws:sts::x:assumed-role/DevOps/bob" }),
    };
    const assessed = assessWith([a!, other]);
    expect(assessed[1]!.verdict.firstSeen).toBe(false);
  });
});

describe("state across invocations (in-memory store)", () => {
  const matcher = new PolicyMatcher({
    ...DEFAULT_POLICY,
    thresholds: { ...DEFAULT_POLICY.thresholds, rapidSecrets: 3 },
  });
  const at = (iso: string, secretId: string, eventID: string) =>
    aSecretAccess({ eventID, eventTime: iso, secretId, source: aSource({ range: "private" }) });

  async function run(store: InMemoryStateStore, hits: SecretAccess[]) {
    const snapshot = await store.load(stateRequest(hits, matcher));
    const result = assessHits(hits, { matcher, snapshot });
    await store.save({ accesses: result.update.accesses, alerts: [] });
    return result.assessed;
  }

  it("first-seen once per pair within firstSeenDays, again after the window", async () => {
    const store = new InMemoryStateStore();
    expect((await run(store, [at("2024-05-01T00:00:00Z", "a", "1")]))[0]!.verdict.firstSeen).toBe(true);
    expect((await run(store, [at("2024-05-05T00:00:00Z", "a", "2")]))[0]!.verdict.firstSeen).toBe(false);
    expect((await run(store, [at("2024-05-20T00:00:00Z", "a", "3")]))[0]!.verdict.firstSeen).toBe(true);
  });

  it("rapid retrieval counts distinct secrets across invocations in event time and names them", async () => {
    const store = new InMemoryStateStore();
    await run(store, [at("2024-05-01T10:00:00Z", "a", "1")]);
    await run(store, [at("2024-05-01T10:02:00Z", "b", "2")]);
    const [third] = await run(store, [at("2024-05-01T10:04:00Z", "c", "3")]);
    expect(third!.verdict.reasons).toContain("rapid-retrieval");
    expect(third!.verdict.rapid?.secrets).toEqual(["a", "b", "c"]);
    expect(third!.verdict.severity).toBe("high");
    // Outside the 6-minute window: not rapid.
    const [late] = await run(store, [at("2024-05-01T10:30:00Z", "d", "4")]);
    expect(late!.verdict.reasons).not.toContain("rapid-retrieval");
  });

  it("a payload out of event-time order is assessed in event time: the earliest read is the first, the third secret the rapid one", async () => {
    // CloudWatch Logs may deliver a batch's records out of order; the verdicts must not depend on it.
    const hits = [
      at("2024-05-01T10:04:00Z", "c", "3"),
      at("2024-05-01T10:00:00Z", "a", "1"),
      at("2024-05-01T10:03:00Z", "a", "1b"),
      at("2024-05-01T10:02:00Z", "b", "2"),
    ];
    const assessed = await run(new InMemoryStateStore(), hits);
    const byId = new Map(assessed.map((h) => [h.eventID, h.verdict]));
    expect(byId.get("1")!.firstSeen).toBe(true);
    expect(byId.get("1b")!.firstSeen).toBe(false);
    expect(byId.get("3")!.reasons).toContain("rapid-retrieval");
    expect(byId.get("3")!.rapid?.secrets).toEqual(["a", "b", "c"]);
    for (const id of ["1", "1b", "2"]) expect(byId.get(id)!.reasons).not.toContain("rapid-retrieval");
    // In the order given.
    expect(assessed.map((h) => h.eventID)).toEqual(["3", "1", "1b", "2"]);
  });

  it("a retried batch is assessed as its first attempt was: the snapshot, not the batch's own writes", async () => {
    const store = new InMemoryStateStore();
    const hits = [at("2024-05-01T10:00:00Z", "a", "1")];
    const snapshot = await store.load(stateRequest(hits, matcher));
    const first = assessHits(hits, { matcher, snapshot }).assessed;
    const again = assessHits(hits, { matcher, snapshot }).assessed;
    expect(again).toEqual(first);
  });
});

describe("event times", () => {
  it.each([
    ["2024-10-17T21:48:45Z", Date.UTC(2024, 9, 17, 21, 48, 45)],
    ["2024-10-17 21:48:45.000000000", Date.UTC(2024, 9, 17, 21, 48, 45)],
    ["2024-10-17T21:48:45.123+02:00", Date.UTC(2024, 9, 17, 19, 48, 45, 123)],
    ["yesterday", null],
    ["2024-02-30T00:00:00Z", null],
    ["2024-02-29T23:59:59Z", Date.UTC(2024, 1, 29, 23, 59, 59)],
  ])("%s", (text, ms) => {
    expect(eventMillis(text)).toBe(ms);
  });

  it("asked in any order, with repeats and the empty text, each text gives its own time (the last answer is not reused for another)", () => {
    const times = ["2024-10-17T21:48:45Z", "2024-10-17T21:48:46Z", "", "nope", "2024-10-17 21:48:45.000000000"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...times), { maxLength: 30 }), (sequence) => {
        for (const text of sequence) {
          const ms = Date.parse(text.replace(" ", "T").replace(/\.0+$/, "Z"));
          expect(eventMillis(text)).toBe(Number.isFinite(ms) ? ms : null);
        }
      }),
    );
  });
});

describe("learning (the stage's first hours)", () => {
  const PRIVATE = aSource({ raw: "10.0.0.7", ip: "10.0.0.7", range: "private" });
  const PUBLIC = aSource({ raw: "81.2.69.142", ip: "81.2.69.142", range: "unicast" });
  const assess = (hit: SecretAccess, extra: Partial<Parameters<typeof assessHits>[1]> = {}, policy = {}) =>
    assessHits([hit], {
      matcher: new PolicyMatcher({ ...DEFAULT_POLICY, decoys: ["canary/*"], sensitive: ["prod/*"], ...policy }),
      snapshot: emptySnapshot(),
      learning: true,
      ...extra,
    }).assessed[0]!.verdict;

  it("records a first read with nothing else unusual, a sensitive one too, without emailing it", () => {
    expect(assess(aSecretAccess({ source: PRIVATE })).suppressed).toBe("learning");
    const sensitive = assess(aSecretAccess({ source: PRIVATE, secretId: "prod/db" }));
    expect(sensitive).toMatchObject({ severity: "high", suppressed: "learning" });
  });

  it.each<[string, Partial<SecretAccess>]>([
    ["a decoy", { secretId: "canary/x" }],
    ["a denial", { outcome: "denied", errorCode: "AccessDenied" }],
    ["a role session from the internet", { source: PUBLIC }],
    ["a cross-account call", { identity: anIdentity({ crossAccount: true }) }],
    ["a person in the console", { identity: anIdentity({ consoleSession: true }) }],
    ["root", { identity: anIdentity({ type: "Root", principalArn: `arn:aws:iam::${ACCOUNT}:root` }) }],
  ])("alerts at once on %s", (_what, extra) => {
    expect(assess(aSecretAccess({ source: PRIVATE, ...extra })).suppressed).toBeNull();
  });

  it("does not learn from late or redriven payloads, nor outside the learning hours", () => {
    expect(assess(aSecretAccess({ source: PRIVATE }), { noSuppression: true }).suppressed).toBeNull();
    expect(assess(aSecretAccess({ source: PRIVATE }), { learning: false }).suppressed).toBeNull();
  });
});

describe("the account's own egress addresses (networks)", () => {
  const NAT = aSource({ raw: "198.51.100.9", ip: "198.51.100.9", range: "unicast" });
  const ELSEWHERE = aSource({ raw: "81.2.69.142", ip: "81.2.69.142", range: "unicast" });
  const policy = {
    networks: ["198.51.100.0/28"],
    expected: [
      { id: "api", principal: `arn:aws:iam::${ACCOUNT}:role/DevOps`, secret: "*", source: ["198.51.100.0/28"] },
    ],
  };

  it("a workload calling through the account's NAT gateway is not from the internet, so its rule applies", () => {
    const [viaNat] = assessWith([aSecretAccess({ source: NAT })], policy);
    expect(viaNat!.verdict.reasons).not.toContain("role-session-from-internet");
    expect(viaNat!.verdict).toMatchObject({ severity: "info", expected: { id: "api" } });
  });

  it("the same role from any other public address still is, and no rule lowers it", () => {
    const [elsewhere] = assessWith([aSecretAccess({ source: ELSEWHERE })], policy);
    expect(elsewhere!.verdict.reasons).toContain("role-session-from-internet");
    expect(elsewhere!.verdict.severity).toBe("medium");
  });

  it("a person's key used from the office is not public-ip; without networks it is", () => {
    const user = aSecretAccess({
      source: NAT,
      identityType: "IAMUser",
      identity: anIdentity({
        type: "IAMUser",
        principalArn: `arn:aws:iam::${ACCOUNT}:user/bob`,
        sessionIssuerArn: null,
      }),
    });
    expect(assessWith([user], { networks: ["198.51.100.0/28"] })[0]!.verdict.reasons).not.toContain("public-ip");
    expect(assessWith([user])[0]!.verdict.reasons).toContain("public-ip");
  });

  it("a network entry that does not compile (a hand-edited compiled policy) is no own network; the others still are", () => {
    // The schema rejects such entries; the matcher must neither throw (every read would be lost) nor trust the entry.
    const broken = { ...policy, networks: ["198.51.100.0/99"] };
    const [fromBroken] = assessWith([aSecretAccess({ source: NAT })], broken);
    expect(fromBroken!.verdict.reasons).toContain("role-session-from-internet");
    expect(fromBroken!.verdict.severity).toBe("medium");
    const [withGood] = assessWith([aSecretAccess({ source: NAT })], {
      ...policy,
      networks: ["::1/999", ...policy.networks],
    });
    expect(withGood!.verdict.reasons).not.toContain("role-session-from-internet");
  });
});
