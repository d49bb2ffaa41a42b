import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AlertGroup,
  formatBody,
  formatSubject,
  messageAttributes,
  subjectPrefix,
} from "../../packages/core/src/format.js";
import { groupHits } from "../../packages/core/src/plan.js";
import { DEFAULT_THRESHOLDS } from "../../packages/core/src/policy.js";
import { toSubjectText } from "../../packages/core/src/sanitize.js";
import { severityLabel } from "../../packages/core/src/severity.js";
import type { AssessedAccess, SecretAccess } from "../../packages/core/src/types.js";
import {
  aBatch,
  aClient,
  anIdentity,
  aSecretAccess,
  aSource,
  assessWith,
  hostileAssessedAccess,
  hostileString,
  INJECTED,
  manyAccesses,
  withVerdict,
  withVerdicts,
} from "./builders.js";

const ctx = { app: "secretwatch", stage: "prod" };
const SUBJECT = /^[\x20-\x7e]{1,99}$/;

/** The one group these hits form. */
function groupOf(...hits: AssessedAccess[]): AlertGroup {
  const groups = groupHits(hits);
  expect(groups).toHaveLength(1);
  return groups[0]!;
}

/** The one group of these hits, with the fixed medium first-seen verdict. */
const medium = (...hits: SecretAccess[]) => groupOf(...withVerdicts(hits));

/** The lines of `body` under the heading `title`, up to the next blank line. */
function sectionOf(body: string, title: string): string[] {
  const lines = body.split("\n");
  const start = lines.indexOf(title);
  expect(start).toBeGreaterThan(-1);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

const noIdentity = anIdentity({
  ...{ type: "Unknown", principalArn: null, principalId: null, accountId: null, userName: null },
  ...{ roleSessionName: null, sessionIssuerArn: null, sessionIssuerName: null, sessionIssuerType: null },
  ...{ accessKeyId: null, mfaAuthenticated: null, label: "" },
});

const lambdaService = aSecretAccess({
  identityType: "AWSService",
  principalArn: null,
  identity: { ...noIdentity, type: "AWSService", invokedBy: "lambda.amazonaws.com", label: "lambda.amazonaws.com" },
  sourceIPAddress: "lambda.amazonaws.com",
  source: aSource({ raw: "lambda.amazonaws.com", kind: "aws-service", ip: null, ipVersion: null, range: null }),
  userAgent: "lambda.amazonaws.com",
  client: aClient({ family: "aws-service", name: "AWS service", version: null, detail: null, raw: null }),
});

/** `payments-api/i-0abc` reading `prod/db/postgress` from a public address. */
const paymentsRole = anIdentity({
  principalArn: "arn:aws:sts::111122223333:assumed-role/payments-api/i-0abc",
  principalId: "AROAEXAMPLE:i-0abc",
  ...{ userName: "payments-api", roleSessionName: "i-0abc", label: "payments-api/i-0abc" },
  ...{ sessionIssuerArn: "arn:aws:iam::111122223333:role/payments-api", sessionIssuerName: "payments-api" },
});
const postgres = aSecretAccess({
  secretId: "prod/db/postgress",
  requestedSecretId: "prod/db/postgress",
  secretArn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db/postgress-Xy12Ab",
  principalArn: paymentsRole.principalArn,
  identity: paymentsRole,
  sourceIPAddress: "81.2.69.142",
  source: aSource({ raw: "81.2.69.142", ip: "81.2.69.142", range: "unicast" }),
});

describe("a typical read", () => {
  const group = medium(aSecretAccess());

  it("has a subject that says how serious, what, who and from where", () => {
    expect(formatSubject(group, ctx)).toBe(
      "MEDIUM [secretwatch prod] TopSecretInfo read by alice (role session) from 203.0.113.7",
    );
  });

  it("has a body that opens with the verdict and what to do, raw identifiers last", () => {
    expect(formatBody(group, ctx)).toBe(
      [
        "Secret access alert - [secretwatch prod]",
        "",
        "Verdict",
        "  Severity:       MEDIUM",
        "  Reason:         MEDIUM - this actor has not read this secret before (within the first-seen window)",
        "  Expected:       no - no expected-reader rule of the policy matches this read",
        "  Decoy:          no",
        "  Sensitive:      no",
        "  Actor:          arn:aws:iam::111122223333:role/DevOps (first reads and rapid retrieval are counted per actor)",
        "",
        "What to do",
        "  1. Confirm with the secret's owner that alice is meant to read TopSecretInfo.",
        "  2. If this reader is expected, add an expected-reader rule for it (principal, secret and source) to the detection policy, so its next reads are not reported as new.",
        "  3. If nobody expected this read: revoke the role's active sessions: IAM console > Roles > DevOps > Revoke sessions > Revoke active sessions (role arn:aws:iam::111122223333:role/DevOps); every session issued before then stops working.",
        "  4. If nobody expected this read: rotate TopSecretInfo (Secrets Manager console > the secret > Rotate secret immediately, or store a new value if it has no rotation) and update its readers.",
        "  5. Look at the principal's other activity: secretwatch lookup --principal arn:aws:sts::111122223333:assumed-role/DevOps/alice",
        "",
        "What",
        "  Secret:         TopSecretInfo",
        "  Secret ARN:     arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo-AbCdEf",
        "  Action:         GetSecretValue",
        "  Outcome:        SUCCESS - the secret value was returned to the caller",
        "  Count:          1 event",
        "",
        "Who",
        "  Principal:      alice - role session (AssumedRole)",
        "  User / role:    DevOps",
        "  Session:        alice",
        "  Issued by:      arn:aws:iam::111122223333:role/DevOps (Role)",
        "  Account:        111122223333",
        "  MFA:            no",
        "  Console:        no",
        "  Access key:     ASIAEXAMPLEKEY123456",
        "",
        "From where",
        "  Source:         203.0.113.7 - reserved address range (documentation or test range), IPv4",
        "  Region:         us-east-1",
        "",
        "How",
        "  Client:         AWS CLI v2 2.15.30 (secretsmanager get-secret-value)",
        "",
        "When",
        "  Event time:     2024-05-14T09:21:07Z",
        "  Delivery lag:   5m 12s after the call",
        "",
        "Raw identifiers",
        "  Principal ARN:  arn:aws:sts::111122223333:assumed-role/DevOps/alice",
        "  Principal ID:   AROAEXAMPLEROLEID1234:alice",
        "  User agent:     aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-aws md/arch#x86_64 " +
          "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 " +
          "md/prompt#off md/command#secretsmanager.get-secret-value",
        "  Events:         1 (event ID, time, request ID, console link)",
        "    - event 3f0e8a9c-5d1b-4a36-9c2e-7b1f0d4e6a21 at 2024-05-14T09:21:07Z, request b6c2c1f4-8d3e-4f57-a1b9-0c2d3e4f5a6b",
        "      Console: https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/3f0e8a9c-5d1b-4a36-9c2e-7b1f0d4e6a21",
      ].join("\n"),
    );
  });

  it("has filterable attributes (plan adds kind, severity and reasons)", () => {
    expect(messageAttributes(group)).toEqual({
      eventName: { DataType: "String", StringValue: "GetSecretValue" },
      outcome: { DataType: "String", StringValue: "success" },
      secret: { DataType: "String", StringValue: "TopSecretInfo" },
      identityType: { DataType: "String", StringValue: "AssumedRole" },
    });
  });

  it("does not repeat the subject, prints the secret ARN once, and the requested ID only when it differs", () => {
    const body = formatBody(group, ctx);
    expect(body).not.toContain(formatSubject(group, ctx));
    expect(body.split(aSecretAccess().secretArn!)).toHaveLength(2);
    expect(body).not.toContain("Requested ID");
    const byArn = medium(aSecretAccess({ requestedSecretId: "arn:aws:secretsmanager:us-east-1:1:secret:Top" }));
    expect(formatBody(byArn, ctx)).toContain("  Requested ID:   arn:aws:secretsmanager:us-east-1:1:secret:Top\n");
  });

  it("leaves out the delivery lag when it is not known (a replayed archive)", () => {
    const body = formatBody(medium(aSecretAccess({ deliveryLagSeconds: null })), ctx);
    expect(body).not.toContain("Delivery lag");
    expect(body).not.toContain("not recorded");
  });
});

describe("subjects", () => {
  it("HIGH first-seen read of a sensitive secret by a workload role from the internet", () => {
    const group = groupOf(...assessWith([postgres], { sensitive: ["prod/db/*"] }));
    expect(group.severity).toBe("high");
    // 101 characters with "(role session)": the identity type gives way first.
    expect(formatSubject(group, ctx)).toBe(
      "HIGH [secretwatch prod] prod/db/postgress read by payments-api/i-0abc from 81.2.69.142",
    );
  });

  it("CRITICAL: a denied read of a decoy", () => {
    const hit = aSecretAccess({ secretId: "canary/x", outcome: "denied", errorCode: "AccessDenied" });
    const group = groupOf(...assessWith([hit], { decoys: ["canary/*"] }));
    expect(formatSubject(group, ctx)).toBe(
      "CRITICAL [secretwatch prod] DENIED read of canary/x by alice (role session) from 203.0.113.7",
    );
  });

  it("a failed read keeps the whole secret name: the error code and the address give way first", () => {
    const hit = { ...postgres, outcome: "error" as const, errorCode: "DecryptionFailure" };
    const subject = formatSubject(groupOf(withVerdict(hit, { severity: "high" })), ctx);
    expect(subject).toBe(
      "HIGH [secretwatch prod] FAILED read of prod/db/postgress (DecryptionFailure) by payments-api/i-0abc",
    );
    const longer = formatSubject(groupOf(withVerdict({ ...hit, errorCode: "KMSInvalidStateException" })), ctx);
    expect(longer).toBe(
      "MEDIUM [secretwatch prod] FAILED read of prod/db/postgress (KMSInvalidSt...) by payments-api/i-0abc",
    );
  });

  it("a batch: BROAD, the filter and the count of identical calls", () => {
    const batch = aSecretAccess({
      ...{ eventName: "BatchGetSecretValue", secretId: null, secretArn: null, requestedSecretId: null },
      batch: aBatch(),
    });
    const calls = [0, 1, 2].map((i) => ({ ...batch, eventID: `b-${i}`, eventTime: "2024-05-14T09:21:07Z" }));
    const group = groupOf(...withVerdicts(calls, { reasons: ["broad-batch"] }));
    expect(group.kind).toBe("batch");
    expect(formatSubject(group, ctx)).toBe(
      "MEDIUM [secretwatch prod] 3x BROAD batch read (tag-key=StratusRedTeam) by alice from 203.0.113.7",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain("  Count:          3 identical calls within one second\n");
    expect(body).toContain("  Batch scope:    filter tag-key=StratusRedTeam\n");
    expect(body).toContain("  Broad batch:    YES - filter by tag key only: every secret with that tag is returned\n");
    expect(messageAttributes(group)).not.toHaveProperty("secret");
  });

  it("cross-account: named in the subject (the identity type gives way) and the account line", () => {
    const group = medium(
      aSecretAccess({
        principalArn: "arn:aws:sts::444455556666:assumed-role/Auditor/bob",
        identity: anIdentity({ accountId: "444455556666", crossAccount: true, label: "bob" }),
      }),
    );
    expect(formatSubject(group, ctx)).toBe(
      "MEDIUM [secretwatch prod] TopSecretInfo read by bob (cross-account 444455556666) from 203.0.113.7",
    );
    expect(formatBody(group, ctx)).toContain(
      "  Account:        444455556666 - ANOTHER AWS ACCOUNT; the secret is in account 111122223333\n",
    );
  });

  it("shortens the address, then the principal, the secret last", () => {
    const secret = "prod/payments/stripe-live-key";
    const principal = "AWSReservedSSO_AdministratorAccess/someone.with.a.long.name@example.com";
    const hit = aSecretAccess({
      secretId: secret,
      identity: anIdentity({ label: principal }),
      source: aSource({ ip: "2001:db8:85a3:1234:5678:8a2e:370:7334", ipVersion: 6 }),
    });
    const subject = formatSubject(medium(hit), ctx);
    expect(subject).toMatch(SUBJECT);
    expect(subject).toContain(` ${secret} read by `);
    expect(subject).not.toContain(" from ");
    expect(subject).toBe(
      "MEDIUM [secretwatch prod] prod/payments/stripe-live-key read by AWSReservedSSO_AdministratorAcce...",
    );
    const huge = formatSubject(medium({ ...hit, secretId: "s".repeat(120) }), ctx);
    expect(huge).toMatch(SUBJECT);
    expect(huge).toContain(" read by AWSReservedSS...");
  });

  it("many reads: the count, which goes before the principal does", () => {
    const group = medium(...manyAccesses(20));
    expect(formatSubject(group, ctx)).toBe(
      "MEDIUM [secretwatch prod] 20x TopSecretInfo read by alice (role session) from 203.0.113.7",
    );
  });
});

describe("the verdict", () => {
  it("names the expected-reader rule, its note and the reasons it lowered", () => {
    const rule = {
      ...{ id: "ops-break-glass", principal: "arn:aws:iam::111122223333:role/DevOps", secret: "TopSecretInfo" },
      note: "on-call engineers read it during incidents",
    };
    const hit = aSecretAccess({ identity: anIdentity({ consoleSession: true }) });
    const group = groupOf(...assessWith([hit], { expected: [rule] }));
    const verdict = sectionOf(formatBody(group, ctx), "Verdict");
    expect(verdict).toContain("  Severity:       INFO");
    expect(verdict).toContain(
      "  Expected:       yes - rule ops-break-glass - on-call engineers read it during incidents",
    );
    expect(verdict).toContain("  Lowered:        first-seen, console-session - counted as info because of the rule");
    expect(verdict).toContain(
      "  Reason:         INFO - a person read the secret value in an AWS console session - lowered by the expected-reader rule",
    );
    expect(verdict).toContain(
      "  Reason:         INFO - an expected reader: a rule of the policy names this principal, secret and source",
    );
  });

  it("shows which reasons a rule could not lower", () => {
    const rule = { id: "devops", principal: "arn:aws:iam::111122223333:role/DevOps", secret: "*" };
    const hit = aSecretAccess({ outcome: "denied", errorCode: "AccessDenied" });
    const verdict = sectionOf(formatBody(groupOf(...assessWith([hit], { expected: [rule] })), ctx), "Verdict");
    expect(verdict).toContain("  Severity:       MEDIUM");
    expect(verdict[1]).toBe(
      "  Reason:         MEDIUM - the call was denied: someone tried to read a secret they are not allowed to read (AccessDenied)",
    );
  });

  it("flags a decoy and a sensitive secret, and counts events of a group that differ", () => {
    const hits = withVerdicts(manyAccesses(3), { decoy: true, sensitive: true, severity: "critical" });
    hits[2] = { ...hits[2]!, verdict: { ...hits[2]!.verdict, decoy: false, suppressed: "repeat" } };
    const verdict = sectionOf(formatBody(groupOf(...hits), ctx), "Verdict");
    expect(verdict).toContain("  Decoy:          YES - the policy lists this secret as a decoy (for 2 of 3 events)");
    expect(verdict).toContain("  Sensitive:      yes - the policy lists this secret as sensitive");
    expect(verdict).toContain("  Repeats:        1 of 3 events repeat an alert already sent");
  });

  it("puts the numbers next to the reasons that have them", () => {
    const group = groupOf(...assessWith([postgres]));
    expect(formatBody(group, ctx)).toContain("stolen workload credentials look exactly like this (81.2.69.142)\n");
  });
});

describe("a rapid retrieval", () => {
  const thresholds = { ...DEFAULT_THRESHOLDS, rapidSecrets: 3 };
  const reads = ["app/a", "app/b", "app/c", "app/d", "app/e"].map((secretId, i) =>
    aSecretAccess({ secretId, eventID: `r-${i}`, eventTime: `2024-05-14T09:0${i}:00Z` }),
  );
  const rapid = groupHits(assessWith(reads, { thresholds })).find((g) => g.kind === "rapid")!;

  it("names every secret it counts, and the window", () => {
    expect(rapid.severity).toBe("high");
    expect(formatSubject(rapid, ctx)).toBe(
      "HIGH [secretwatch prod] rapid retrieval: 5 secrets by alice (role session) from 203.0.113.7",
    );
    const body = formatBody(rapid, ctx);
    expect(sectionOf(body, "Rapid retrieval")).toEqual([
      "  Window:         2024-05-14T08:56:00.000Z to 2024-05-14T09:04:00.000Z",
      "  Secrets:        5 different secrets read by this actor in that window",
      ...["app/a", "app/b", "app/c", "app/d", "app/e"].map((s) => `  Secret:         ${s}`),
    ]);
    expect(body).toContain('  Secret:         5 different secrets - listed under "Rapid retrieval"\n');
    expect(messageAttributes(rapid)).not.toHaveProperty("secret");
  });
});

describe("no jargon", () => {
  it.each([
    ["unicast", "public internet address"],
    ["private", "private network address (RFC 1918)"],
    ["uniqueLocal", "private IPv6 address"],
    ["loopback", "loopback address (the machine itself)"],
    ["linkLocal", "link-local address (the local network segment only)"],
    ["carrierGradeNat", "shared address space (carrier-grade NAT)"],
    ["reserved", "reserved address range (documentation or test range)"],
    ["ipv4Mapped", "IPv4 address written as IPv6"],
  ])("the range %s reads as %s", (range, words) => {
    const body = formatBody(medium(aSecretAccess({ source: aSource({ range }) })), ctx);
    expect(body).toContain(`  Source:         203.0.113.7 - ${words}, IPv4\n`);
    expect(body).not.toContain(`range ${range}`);
  });

  it("an unknown range name is said to be one", () => {
    const body = formatBody(medium(aSecretAccess({ source: aSource({ range: "galactic" }) })), ctx);
    expect(body).toContain("  Source:         203.0.113.7 - address range galactic, IPv4\n");
  });

  it("plurals are right", () => {
    const ids = (n: number) => aBatch({ filters: null, broad: false, secretIdList: ["a", "b"].slice(0, n) });
    const batch = (n: number) => aSecretAccess({ eventName: "BatchGetSecretValue", secretId: null, batch: ids(n) });
    expect(formatSubject(medium(batch(1)), ctx)).toContain(" batch read (1 secret ID) by alice");
    expect(formatSubject(medium(batch(2)), ctx)).toContain(" batch read (2 secret IDs) by alice");
    expect(formatBody(medium(batch(2)), ctx)).toContain("  Batch IDs:      a, b\n  Broad batch:    no\n");
    expect(formatBody(medium(...manyAccesses(1)), ctx)).toContain("  Count:          1 event\n");
    expect(formatBody(medium(...manyAccesses(2)), ctx)).toContain("  Count:          2 events\n");
    expect(formatBody(medium(...manyAccesses(2)), ctx)).not.toMatch(/\b1 [a-z ]*(IDs|events|secrets|calls)\b/);
  });
});

describe("other kinds of access", () => {
  it("denied: DENIED up front, with the error", () => {
    const group = medium(
      aSecretAccess({ outcome: "denied", errorCode: "AccessDenied", errorMessage: "User: x is not authorized" }),
    );
    expect(formatSubject(group, ctx)).toBe(
      "MEDIUM [secretwatch prod] DENIED read of TopSecretInfo by alice (role session) from 203.0.113.7",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain("  Outcome:        DENIED - access was refused; the secret value was not returned\n");
    expect(body).toContain("  Error code:     AccessDenied\n  Error message:  User: x is not authorized\n");
  });

  it("an AWS service calling on someone's behalf", () => {
    const group = medium(lambdaService);
    expect(formatSubject(group, ctx)).toBe(
      "MEDIUM [secretwatch prod] TopSecretInfo read by lambda.amazonaws.com from lambda.amazonaws.com",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain("  Principal:      lambda.amazonaws.com - AWS service (AWSService)\n");
    expect(body).toContain("  Invoked by:     lambda.amazonaws.com\n");
    expect(body).toContain("  Source:         lambda.amazonaws.com (an AWS service)\n");
  });

  it("a console session with MFA", () => {
    const hit = aSecretAccess({
      identity: anIdentity({ consoleSession: true, mfaAuthenticated: true }),
      client: aClient({ family: "console", name: "AWS console", version: null, detail: null }),
    });
    const body = formatBody(medium(hit), ctx);
    expect(body).toContain("  MFA:            yes\n  Console:        yes\n");
    expect(body).toContain("  Client:         AWS console\n");
  });

  it("no identity at all", () => {
    const group = medium(aSecretAccess({ identityType: "Unknown", principalArn: null, identity: noIdentity }));
    expect(formatSubject(group, ctx)).toBe(
      "MEDIUM [secretwatch prod] TopSecretInfo read by unknown principal from 203.0.113.7",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain("  Principal:      (not recorded) - unknown kind of principal (Unknown)\n");
    expect(body).toContain("  Account:        (not recorded)\n");
    expect(body).toContain("  Principal ARN:  (not recorded)\n");
  });

  it("many reads: first and last time, every source, every event listed", () => {
    const hits = manyAccesses(20);
    hits[7] = { ...hits[7]!, source: aSource({ ip: "198.51.100.9", raw: "198.51.100.9" }) };
    const body = formatBody(medium(...hits), ctx);
    expect(body).toContain(
      "  Count:          20 events\n  First / last:   2024-05-14T09:00:00Z / 2024-05-14T09:00:19Z\n",
    );
    expect(body).toContain(
      "  Source:         203.0.113.7 - reserved address range (documentation or test range), IPv4; " +
        "198.51.100.9 - reserved address range (documentation or test range), IPv4\n",
    );
    for (const hit of hits)
      expect(body).toContain(`    - event ${hit.eventID} at ${hit.eventTime}, request ${hit.requestID}\n`);
  });
});

/** The labels of our rows: a body line is one of these, a heading, a step, an event or its link. */
const LABELS = [
  ...["Severity", "Reason", "Expected", "Lowered", "Decoy", "Sensitive", "Repeats", "Actor", "Window", "Secrets"],
  ...["Secret", "Secret ARN", "Batch scope", "Batch IDs", "Broad batch", "Note", "Action", "Outcome", "Error code"],
  ...["Error message", "Version", "Count", "First / last", "Principal", "User / role", "Session", "Issued by"],
  ...["Account", "MFA", "Console", "Invoked by", "Source identity", "Access key", "Source", "VPC endpoint"],
  ...["Region", "Client", "Event time", "Event times", "Delivery lag", "Principal ARN", "Principal ID"],
  ...["Requested ID", "User agent", "Events", "More"],
];
const HEADINGS = ["Verdict", "What to do", "Rapid retrieval", "Secrets", "What", "Who", "From where", "How", "When"];
const LABELLED = new RegExp(
  [
    "^$",
    "^Secret access alert - ",
    `^(${[...HEADINGS, "Raw identifiers"].join("|")})$`,
    `^  (${LABELS.join("|").replaceAll("/", "\\/")}): +\\S`,
    "^  \\d+\\. [A-Z]",
    "^    - event ",
    "^      Console: ",
    "^      Notes: ",
  ].join("|"),
);
/** Characters that break lines, hide or reorder text (as sanitize.test.ts has it, line feeds aside). */
const UNSAFE_IN_BODY =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]/;

/** A secret name or principal label: often printable ASCII of a length near the subject's limit, else hostile. */
const nameLike = fc.oneof(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 50 }), hostileString);
/** A single-secret read (no batch) with hostile fields and a name and a principal from `nameLike`. */
const hostileRead = fc.tuple(hostileAssessedAccess, nameLike, nameLike).map(
  ([hit, secretId, label]): AssessedAccess => ({
    ...hit,
    ...{ eventName: "GetSecretValue", batch: null, secretId, identity: { ...hit.identity, label } },
  }),
);

describe("hostile records", () => {
  it("cannot add a line, a heading or a header to the body", () => {
    const hit = aSecretAccess({
      userAgent: "curl/8\r\nWho: attacker\nRaw identifiers\n\u202Eevil",
      secretId: "x\nBcc: victim@example.com",
      identity: anIdentity({ label: "alice\u2028Principal: root" }),
    });
    const body = formatBody(medium(hit), ctx);
    const lines = body.split("\n");
    expect(lines.filter((l) => /^\s*(Who:|Bcc|Principal: root)/.test(l))).toEqual([]);
    expect(lines.filter((l) => l === "Raw identifiers")).toHaveLength(1);
    expect(body).toContain("  User agent:     curl/8\\r\\nWho: attacker\\nRaw identifiers\\n\\u202Eevil\n");
    expect(formatSubject(medium(hit), ctx)).toBe(
      "MEDIUM [secretwatch prod] x Bcc: victim@example.com read by alice Principal: root from 203.0.113.7",
    );
  });

  it("a hostile principal ARN is quoted as one shell word in the lookup command", () => {
    const hit = aSecretAccess({ principalArn: "arn:aws:iam::1:user/x'; rm -rf ~ #" });
    expect(formatBody(medium(hit), ctx)).toContain(
      "secretwatch lookup --principal 'arn:aws:iam::1:user/x'\\''; rm -rf ~ #'\n",
    );
  });

  it("sanitises app and stage too", () => {
    const group = medium(aSecretAccess());
    const subject = formatSubject(group, { app: "sw\n\u00e9", stage: "" });
    expect(subject).toBe("MEDIUM [sw e] TopSecretInfo read by alice (role session) from 203.0.113.7");
    expect(formatSubject(group, { app: "", stage: "" })).toMatch(/^MEDIUM \[secretwatch\] /);
  });

  it("leaves out empty attributes and bounds the rest", () => {
    const group = medium(
      aSecretAccess({ secretId: null, identityType: " \u200b ", outcome: "x".repeat(900) as "error" }),
    );
    const attributes = messageAttributes(group);
    expect(Object.keys(attributes)).toEqual(["eventName", "outcome"]);
    expect(attributes.outcome?.StringValue.length).toBeLessThanOrEqual(256);
  });

  it("property: the subject is always 1-99 printable ASCII characters", () => {
    fc.assert(
      fc.property(
        fc.array(hostileAssessedAccess, { minLength: 1, maxLength: 4 }),
        fc.string(),
        fc.string(),
        (hits, app, stage) => {
          for (const group of groupHits(hits)) expect(formatSubject(group, { app, stage })).toMatch(SUBJECT);
        },
      ),
    );
  });

  it("property: the secret and the principal stay whole whenever they fit with the fixed words", () => {
    /** The longest fixed words of a single-secret subject: ` FAILED read of ` and ` by `. */
    const FIXED = " FAILED read of ".length + " by ".length;
    fc.assert(
      fc.property(
        fc.array(hostileRead, { minLength: 1, maxLength: 3 }),
        fc.string(),
        fc.string(),
        (hits, app, stage) => {
          const at = { app, stage };
          for (const group of groupHits(hits)) {
            const hit = group.hits[0]!;
            const secret = toSubjectText(hit.secretId, 99) || "unknown secret";
            const principal = toSubjectText(hit.identity.label, 99) || "unknown principal";
            const lead = `${severityLabel(group.severity)} ${subjectPrefix(at)}`;
            const subject = formatSubject(group, at);
            expect(subject).toMatch(SUBJECT);
            if (lead.length + FIXED + secret.length + principal.length > 99) continue;
            expect(subject).toContain(secret);
            expect(subject).toContain(principal);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: every body line is ours, labelled; no record starts a line or hides text", () => {
    fc.assert(
      fc.property(fc.array(hostileAssessedAccess, { minLength: 1, maxLength: 3 }), (hits) => {
        for (const group of groupHits(hits)) {
          const body = formatBody(group, ctx);
          expect(body).not.toMatch(UNSAFE_IN_BODY);
          const lines = body.split("\n");
          expect(lines.filter((l) => !LABELLED.test(l))).toEqual([]);
          expect(lines.filter((l) => l.trimStart().startsWith(INJECTED))).toEqual([]);
          expect(lines.filter((l) => l === "Raw identifiers")).toHaveLength(1);
        }
      }),
    );
  });
});

describe("an actor probing many secrets (one alert)", () => {
  it("says how many secrets, lists them, and gives no single secret attribute", () => {
    const hits = Array.from({ length: 12 }, (_, i) =>
      withVerdict(
        aSecretAccess({ eventID: `m-${i}`, secretId: `prod/guess-${String(i).padStart(2, "0")}`, outcome: "denied" }),
        {
          severity: "high",
          reasons: ["denied", "sensitive"],
        },
      ),
    );
    const [group] = groupHits(hits);
    expect(group?.kind).toBe("many");
    expect(formatSubject(group!, ctx)).toMatch(/^HIGH \[secretwatch prod\] DENIED reads of 12 secrets by alice/);
    const body = formatBody(group!, ctx);
    expect(body).toContain('  Secret:         12 different secrets - listed under "Secrets"');
    expect(body.split("\n").filter((l) => l.startsWith("  Secret:         prod/guess-"))).toHaveLength(12);
    expect(messageAttributes(group!).secret).toBeUndefined();
  });
});

describe("record quirks", () => {
  it("says (not recorded) for a value of only spaces, and shows a value without its outer spaces", () => {
    // Found by the body property below (seeds -660432694 and 90608401): an eventTime of " " is
    // kept as written, and a VPC endpoint ID may start with a space.
    const base = aSecretAccess({ eventTime: " ", errorCode: "  ", outcome: "error" });
    const hit = withVerdict({
      ...base,
      source: { ...base.source, vpcEndpointId: " vpce-1", vpcEndpointAccountId: null },
    });
    const lines = formatBody(groupHits([hit])[0]!, ctx).split("\n");
    expect(lines).toContain("  Event time:     (not recorded)");
    expect(lines).toContain("  Error code:     (not recorded)");
    expect(lines).toContain("  VPC endpoint:   vpce-1 (in account ?)");
    expect(lines.filter((l) => !LABELLED.test(l))).toEqual([]);
  });

  it("shows a read without an event ID, and its notes, in the event list", () => {
    const hit = withVerdict(aSecretAccess({ eventID: "", consoleUrl: null, notes: ["the record has no eventID"] }));
    const body = formatBody(groupHits([hit])[0]!, ctx);
    expect(body).toContain("    - event (no event ID recorded) at ");
    expect(body).toContain("      Notes: the record has no eventID");
  });
});
