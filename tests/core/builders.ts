/**
 * Test data: a realistic, fully populated secret-value retrieval. Override any top-level
 * field; nested objects (`identity`, `source`, `client`) are replaced whole, so spread the
 * defaults (`anIdentity`, `aSource`, `aClient`) to change one of their fields.
 */
import fc from "fast-check";
import { assessHits } from "../../packages/core/src/assess.js";
import type { SecretValueEventName } from "../../packages/core/src/events.js";
import { DEFAULT_POLICY, type Policy } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import { REASON_CODES } from "../../packages/core/src/reasons.js";
import { SEVERITIES } from "../../packages/core/src/severity.js";
import { emptySnapshot, type StateSnapshot } from "../../packages/core/src/state.js";
import { isTamperReason } from "../../packages/core/src/tamper/catalog.js";
import type {
  AssessedAccess,
  BatchDetails,
  Client,
  Identity,
  Outcome,
  SecretAccess,
  Source,
  Verdict,
} from "../../packages/core/src/types.js";

export const ACCOUNT = "111122223333";
export const EVENT_ID = "3f0e8a9c-5d1b-4a36-9c2e-7b1f0d4e6a21";

/** An SSO-style assumed role session `alice` of role `DevOps`, without MFA. */
export function anIdentity(overrides: Partial<Identity> = {}): Identity {
  return {
    type: "AssumedRole",
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/DevOps/alice`,
    principalId: "AROAEXAMPLEROLEID1234:alice",
    accountId: ACCOUNT,
    userName: "DevOps",
    roleSessionName: "alice",
    sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:role/DevOps`,
    sessionIssuerName: "DevOps",
    sessionIssuerType: "Role",
    invokedBy: null,
    accessKeyId: "ASIAEXAMPLEKEY123456",
    sourceIdentity: null,
    mfaAuthenticated: false,
    consoleSession: false,
    crossAccount: false,
    label: "alice",
    ...overrides,
  };
}

/** A public IPv4 address (TEST-NET-3, which ipaddr.js calls `reserved`). */
export function aSource(overrides: Partial<Source> = {}): Source {
  return {
    raw: "203.0.113.7",
    kind: "ip",
    ip: "203.0.113.7",
    ipVersion: 4,
    range: "reserved",
    service: null,
    vpcEndpointId: null,
    vpcEndpointAccountId: null,
    ...overrides,
  };
}

const CLI_USER_AGENT =
  "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-aws md/arch#x86_64 lang/python#3.11.8 " +
  "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off " +
  "md/command#secretsmanager.get-secret-value";

/** AWS CLI v2 running `aws secretsmanager get-secret-value`. */
export function aClient(overrides: Partial<Client> = {}): Client {
  return {
    family: "aws-cli",
    name: "AWS CLI v2",
    version: "2.15.30",
    detail: "secretsmanager get-secret-value",
    raw: CLI_USER_AGENT,
    ...overrides,
  };
}

/** A broad filter batch, as Stratus Red Team's `secretsmanager-batch-retrieve-secrets` makes. */
export function aBatch(overrides: Partial<BatchDetails> = {}): BatchDetails {
  return {
    filters: [{ key: "tag-key", values: ["StratusRedTeam"] }],
    secretIdList: null,
    broad: true,
    broadReasons: ["filter by tag key only: every secret with that tag is returned"],
    ...overrides,
  };
}

/** A successful `GetSecretValue` of `TopSecretInfo` by `alice` from the CLI, 5m12s before enrichment. */
export function aSecretAccess(overrides: Partial<SecretAccess> = {}): SecretAccess {
  const eventID = overrides.eventID ?? EVENT_ID;
  return {
    eventID,
    eventTime: "2024-05-14T09:21:07Z",
    eventName: "GetSecretValue",
    secretId: "TopSecretInfo",
    secretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:TopSecretInfo-AbCdEf`,
    requestedSecretId: "TopSecretInfo",
    versionId: null,
    versionStage: null,
    batch: null,
    outcome: "success",
    errorCode: null,
    errorMessage: null,
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/DevOps/alice`,
    identityType: "AssumedRole",
    identity: anIdentity(),
    sourceIPAddress: "203.0.113.7",
    source: aSource(),
    userAgent: CLI_USER_AGENT,
    client: aClient(),
    region: "us-east-1",
    recipientAccountId: ACCOUNT,
    requestID: "b6c2c1f4-8d3e-4f57-a1b9-0c2d3e4f5a6b",
    deliveryLagSeconds: 312,
    consoleUrl: `https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/${eventID}`,
    notes: [],
    ...overrides,
  };
}

/** `n` reads by the same principal of the same secret, one second apart, ids `<prefix>-0000`… */
export function manyAccesses(n: number, prefix = "evt", overrides: Partial<SecretAccess> = {}): SecretAccess[] {
  const start = Date.parse("2024-05-14T09:00:00Z");
  return Array.from({ length: n }, (_, i) =>
    aSecretAccess({
      ...overrides,
      eventID: `${prefix}-${String(i).padStart(4, "0")}`,
      eventTime: new Date(start + i * 1000).toISOString().replace(".000Z", "Z"),
      requestID: `req-${prefix}-${i}`,
    }),
  );
}

/** Text a record may carry to fake a line of the alert: a property test looks for lines starting with it. */
export const INJECTED = "INJECTED";

/** Line breaks of every kind a mail client might honour, each followed by a fake label. */
const injection = fc
  .constantFrom("\n", "\r\n", "\r", "\u2028", "\u2029", "\u0085", "\v", "\f")
  .map((br) => `${br}${INJECTED}: attacker${br}Raw identifiers${br}`);

const nasty = fc.constantFrom(
  "\r\nBcc: victim@example.com",
  "\u202Egnp.exe",
  "\u200B\u200D\uFEFF\u2066\u061C",
  "\x1b[31m\x00\x7f\x9b",
  "\ud800",
  "\udc00",
  `e${"\u0301".repeat(20)}`,
  "\u{1F600}\u{E0041}",
  "\uFDFD",
  "aws.",
  "",
);

/**
 * Hostile text for every string field: any code point, lone surrogates, controls, bidi and
 * zero-width characters, injected lines, and now and then a few kilobytes.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), nasty, injection), { maxLength: 6 })
      .map((pieces) => pieces.join("")),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 600, maxLength: 3000 }) },
  { weight: 1, arbitrary: fc.constantFrom("TopSecretInfo", "alice", "AssumedRole", "203.0.113.7") },
);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const text = maybe(hostileString);

/** A SecretAccess whose every string is hostile (a few drawn from small pools, so hits group). */
export const hostileSecretAccess: fc.Arbitrary<SecretAccess> = fc.record({
  eventID: fc.oneof(fc.uuid(), hostileString),
  eventTime: maybe(
    fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      hostileString,
    ),
  ),
  eventName: fc.oneof(
    fc.constantFrom("GetSecretValue", "BatchGetSecretValue"),
    hostileString,
  ) as fc.Arbitrary<SecretValueEventName>,
  secretId: maybe(fc.oneof(fc.constantFrom("TopSecretInfo", "db/password"), hostileString)),
  secretArn: text,
  requestedSecretId: text,
  versionId: text,
  versionStage: text,
  batch: maybe(
    fc.record({
      filters: maybe(
        fc.array(fc.record({ key: hostileString, values: fc.array(hostileString, { maxLength: 4 }) }), {
          maxLength: 4,
        }),
      ),
      secretIdList: maybe(fc.array(hostileString, { maxLength: 12 })),
      broad: fc.boolean(),
      broadReasons: fc.array(hostileString, { maxLength: 3 }),
    }),
  ),
  outcome: fc.oneof(fc.constantFrom("success", "denied", "error"), hostileString) as fc.Arbitrary<Outcome>,
  errorCode: text,
  errorMessage: text,
  principalArn: maybe(fc.oneof(fc.constantFrom("arn:aws:iam::111122223333:user/bob"), hostileString)),
  identityType: hostileString,
  identity: fc.record({
    ...{ type: hostileString, principalArn: text, principalId: text, accountId: text, userName: text },
    ...{ roleSessionName: text, sessionIssuerArn: text, sessionIssuerName: text, sessionIssuerType: text },
    ...{ invokedBy: text, accessKeyId: text, sourceIdentity: text, mfaAuthenticated: maybe(fc.boolean()) },
    ...{ consoleSession: fc.boolean(), crossAccount: fc.boolean(), label: hostileString },
  }),
  sourceIPAddress: text,
  source: fc.record({
    ...{
      raw: text,
      kind: fc.constantFrom("ip", "aws-service", "aws-internal", "unknown") as fc.Arbitrary<Source["kind"]>,
    },
    ...{ ip: text, ipVersion: fc.constantFrom(4 as const, 6 as const, null), range: text, service: text },
    ...{ vpcEndpointId: text, vpcEndpointAccountId: text },
  }),
  userAgent: text,
  client: fc.record({ family: hostileString, name: hostileString, version: text, detail: text, raw: text }),
  region: text,
  recipientAccountId: text,
  requestID: text,
  deliveryLagSeconds: maybe(fc.double()),
  consoleUrl: text,
  notes: fc.array(hostileString, { maxLength: 2 }),
});

/** A verdict: medium, first-seen, actor = the DevOps role. Override any field. */
export function aVerdict(overrides: Partial<Verdict> = {}): Verdict {
  return {
    severity: "medium",
    reasons: ["first-seen"],
    lowered: [],
    expected: null,
    actor: `arn:aws:iam::${ACCOUNT}:role/DevOps`,
    firstSeen: true,
    suppressed: null,
    rapid: null,
    decoy: false,
    sensitive: false,
    baseline: false,
    ...overrides,
  };
}

/** `hit` with a fixed verdict (for plan and format tests that are not about the assessment). */
export function withVerdict(hit: SecretAccess, overrides: Partial<Verdict> = {}): AssessedAccess {
  return { ...hit, verdict: aVerdict(overrides) };
}

/** Hits with the fixed medium verdict of {@link aVerdict}. */
export function withVerdicts(hits: readonly SecretAccess[], overrides: Partial<Verdict> = {}): AssessedAccess[] {
  return hits.map((hit) => withVerdict(hit, overrides));
}

/** The real assessment of `hits` under `policy` (defaults) with an empty state (or the given snapshot). */
export function assessWith(
  hits: readonly SecretAccess[],
  policy: Partial<Policy> = {},
  snapshot: StateSnapshot | null = emptySnapshot(),
): AssessedAccess[] {
  const matcher = new PolicyMatcher({ ...DEFAULT_POLICY, ...policy });
  return assessHits(hits, { matcher, snapshot }).assessed;
}

/** A verdict with any severity and reasons (for property tests of plan and format). */
export const anyVerdict: fc.Arbitrary<Verdict> = fc
  .record({
    severity: fc.constantFrom(...SEVERITIES),
    reasons: fc.uniqueArray(fc.constantFrom(...REASON_CODES.filter((c) => !isTamperReason(c))), {
      minLength: 1,
      maxLength: 5,
    }),
    suppressed: fc.constantFrom("repeat" as const, null),
    decoy: fc.boolean(),
  })
  .map((v) => aVerdict(v));

/** A hostile SecretAccess with any verdict. */
export const hostileAssessedAccess: fc.Arbitrary<AssessedAccess> = fc
  .tuple(hostileSecretAccess, anyVerdict)
  .map(([hit, verdict]) => ({ ...hit, verdict }));
