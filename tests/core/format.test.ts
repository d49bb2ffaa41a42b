import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AlertGroup, formatBody, formatSubject, messageAttributes } from "../../packages/core/src/format.js";
import { groupHits } from "../../packages/core/src/plan.js";
import type { SecretAccess } from "../../packages/core/src/types.js";
import {
  aBatch,
  aClient,
  anIdentity,
  aSecretAccess,
  aSource,
  hostileSecretAccess,
  INJECTED,
  manyAccesses,
} from "./builders.js";

const ctx = { app: "secretwatch", stage: "prod" };
const SUBJECT = /^[\x20-\x7e]{1,99}$/;

/** The one group these hits form. */
function groupOf(...hits: SecretAccess[]): AlertGroup {
  const groups = groupHits(hits);
  expect(groups).toHaveLength(1);
  return groups[0]!;
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

describe("a typical read", () => {
  const group = groupOf(aSecretAccess());

  it("has a subject that says what, who and from where", () => {
    expect(formatSubject(group, ctx)).toBe(
      "[secretwatch prod] TopSecretInfo read by alice (AssumedRole) from 203.0.113.7",
    );
  });

  it("has a body readable at a glance, raw identifiers last", () => {
    expect(formatBody(group, ctx)).toBe(
      [
        "Secret access alert - [secretwatch prod]",
        "",
        "What",
        "  Secret:         TopSecretInfo",
        "  Action:         GetSecretValue",
        "  Outcome:        SUCCESS - the secret value was returned to the caller",
        "  Count:          1 event",
        "",
        "Who",
        "  Principal:      alice (AssumedRole)",
        "  User / role:    DevOps",
        "  Session:        alice",
        "  Issuer:         arn:aws:iam::111122223333:role/DevOps",
        "  Issuer type:    Role",
        "  Account:        111122223333",
        "  MFA:            no",
        "  Console login:  no",
        "  Access key:     ASIAEXAMPLEKEY123456",
        "",
        "From where",
        "  Source:         203.0.113.7 (IPv4, range reserved)",
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
        "  Secret ARN:     arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo-AbCdEf",
        "  Requested ID:   TopSecretInfo",
        "  User agent:     aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-aws md/arch#x86_64 " +
          "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 " +
          "md/prompt#off md/command#secretsmanager.get-secret-value",
        "  Events:         1 (event ID, time, request ID, console link)",
        "    - event 3f0e8a9c-5d1b-4a36-9c2e-7b1f0d4e6a21 at 2024-05-14T09:21:07Z, request b6c2c1f4-8d3e-4f57-a1b9-0c2d3e4f5a6b",
        "      Console: https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/3f0e8a9c-5d1b-4a36-9c2e-7b1f0d4e6a21",
      ].join("\n"),
    );
  });

  it("has filterable attributes", () => {
    expect(messageAttributes(group)).toEqual({
      eventName: { DataType: "String", StringValue: "GetSecretValue" },
      outcome: { DataType: "String", StringValue: "success" },
      secret: { DataType: "String", StringValue: "TopSecretInfo" },
      identityType: { DataType: "String", StringValue: "AssumedRole" },
    });
  });
});

describe("other kinds of access", () => {
  it("denied: DENIED up front, with the error", () => {
    const group = groupOf(
      aSecretAccess({ outcome: "denied", errorCode: "AccessDenied", errorMessage: "User: x is not authorized" }),
    );
    expect(formatSubject(group, ctx)).toBe(
      "[secretwatch prod] DENIED read of TopSecretInfo by alice (AssumedRole) from 203.0.113.7",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain("  Outcome:        DENIED - access was refused; the secret value was not returned\n");
    expect(body).toContain("  Error code:     AccessDenied\n  Error message:  User: x is not authorized\n");
  });

  it("error: FAILED with the error code (the identity type gives way when the subject is long)", () => {
    const group = groupOf(aSecretAccess({ outcome: "error", errorCode: "DecryptionFailure", errorMessage: "KMS" }));
    expect(formatSubject(group, ctx)).toBe(
      "[secretwatch prod] FAILED read of TopSecretInfo (DecryptionFailure) by alice from 203.0.113.7",
    );
    expect(formatBody(group, ctx)).toContain(
      "  Outcome:        ERROR - the call failed; the secret value was not returned",
    );
  });

  it("batch: the filter in the subject, BROAD and the reasons in the body", () => {
    const batch = aSecretAccess({
      ...{ eventName: "BatchGetSecretValue", secretId: null, secretArn: null, requestedSecretId: null },
      batch: aBatch(),
    });
    const group = groupOf(batch);
    expect(formatSubject(group, ctx)).toBe(
      "[secretwatch prod] BROAD batch read (filter tag-key=StratusRedTeam) by alice from 203.0.113.7",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain("  Secret:         several - a BatchGetSecretValue call\n");
    expect(body).toContain("  Batch scope:    filter tag-key=StratusRedTeam\n");
    expect(body).toContain("  Broad batch:    YES - filter by tag key only: every secret with that tag is returned\n");
    expect(messageAttributes(group)).not.toHaveProperty("secret");

    const byIds = groupOf(
      aSecretAccess({
        eventName: "BatchGetSecretValue",
        secretId: null,
        batch: aBatch({ filters: null, broad: false, secretIdList: ["a", "b"] }),
      }),
    );
    expect(formatSubject(byIds, ctx)).toContain(" batch read (2 secret IDs) by alice");
    expect(formatBody(byIds, ctx)).toContain("  Batch IDs:      a, b\n  Broad batch:    no\n");
  });

  it("cross-account: named in the subject and the account line", () => {
    const group = groupOf(
      aSecretAccess({
        principalArn: "arn:aws:sts::444455556666:assumed-role/Auditor/bob",
        identity: anIdentity({ accountId: "444455556666", crossAccount: true, label: "bob" }),
      }),
    );
    expect(formatSubject(group, ctx)).toBe(
      "[secretwatch prod] TopSecretInfo read by bob (cross-account 444455556666) from 203.0.113.7",
    );
    expect(formatBody(group, ctx)).toContain(
      "  Account:        444455556666 - CROSS-ACCOUNT - the secret is in account 111122223333\n",
    );
  });

  it("an AWS service calling on someone's behalf", () => {
    const group = groupOf(lambdaService);
    expect(formatSubject(group, ctx)).toBe(
      "[secretwatch prod] TopSecretInfo read by lambda.amazonaws.com from lambda.amazonaws.com",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain("  Principal:      lambda.amazonaws.com (AWSService)\n");
    expect(body).toContain("  Invoked by:     lambda.amazonaws.com\n");
    expect(body).toContain("  Source:         lambda.amazonaws.com (an AWS service)\n");
  });

  it("a console session with MFA", () => {
    const hit = aSecretAccess({
      identity: anIdentity({ consoleSession: true, mfaAuthenticated: true }),
      client: aClient({ family: "console", name: "AWS console", version: null, detail: null }),
    });
    const body = formatBody(groupOf(hit), ctx);
    expect(body).toContain("  MFA:            yes\n  Console login:  yes\n");
    expect(body).toContain("  Client:         AWS console\n");
  });

  it("no identity at all", () => {
    const group = groupOf(aSecretAccess({ identityType: "Unknown", principalArn: null, identity: noIdentity }));
    expect(formatSubject(group, ctx)).toBe(
      "[secretwatch prod] TopSecretInfo read by unknown principal (Unknown) from 203.0.113.7",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain("  Principal:      (not recorded) (Unknown)\n  Account:        (not recorded)\n");
    expect(body).toContain("  Principal ARN:  (not recorded)\n");
  });

  it("many reads: count in the subject, first and last time, every event listed", () => {
    const hits = manyAccesses(20);
    hits[7] = { ...hits[7]!, source: aSource({ ip: "198.51.100.9", raw: "198.51.100.9" }) };
    const group = groupOf(...hits);
    expect(formatSubject(group, ctx)).toBe(
      "[secretwatch prod] 20x TopSecretInfo read by alice (AssumedRole) from 203.0.113.7",
    );
    const body = formatBody(group, ctx);
    expect(body).toContain(
      "  Count:          20 events\n  First / last:   2024-05-14T09:00:00Z / 2024-05-14T09:00:19Z\n",
    );
    expect(body).toContain(
      "  Source:         203.0.113.7 (IPv4, range reserved); 198.51.100.9 (IPv4, range reserved)\n",
    );
    for (const hit of hits)
      expect(body).toContain(`    - event ${hit.eventID} at ${hit.eventTime}, request ${hit.requestID}\n`);
  });
});

describe("hostile records", () => {
  it("cannot add a line, a heading or a header to the body", () => {
    const hit = aSecretAccess({
      userAgent: "curl/8\r\nWho: attacker\nRaw identifiers\n\u202Eevil",
      secretId: "x\nBcc: victim@example.com",
      identity: anIdentity({ label: "alice\u2028Principal: root" }),
    });
    const body = formatBody(groupOf(hit), ctx);
    const lines = body.split("\n");
    expect(lines.filter((l) => /^\s*(Who:|Bcc|Principal: root)/.test(l))).toEqual([]);
    expect(lines.filter((l) => l === "Raw identifiers")).toHaveLength(1);
    expect(body).toContain("  User agent:     curl/8\\r\\nWho: attacker\\nRaw identifiers\\n\\u202Eevil\n");
    expect(formatSubject(groupOf(hit), ctx)).toBe(
      "[secretwatch prod] x Bcc: victim@example.com read by alice Principal: root from 203.0.113.7",
    );
  });

  it("sanitises app and stage too", () => {
    const group = groupOf(aSecretAccess());
    const subject = formatSubject(group, { app: "sw\n\u00e9", stage: "" });
    expect(subject).toBe("[sw e] TopSecretInfo read by alice (AssumedRole) from 203.0.113.7");
    expect(formatSubject(group, { app: "", stage: "" })).toMatch(/^\[secretwatch\] /);
  });

  it("leaves out empty attributes and bounds the rest", () => {
    const group = groupOf(
      aSecretAccess({ secretId: null, identityType: " \u200b ", outcome: "x".repeat(900) as "error" }),
    );
    const attributes = messageAttributes(group);
    expect(Object.keys(attributes)).toEqual(["eventName", "outcome"]);
    expect(attributes.outcome?.StringValue.length).toBeLessThanOrEqual(256);
  });

  it("property: the subject is always 1-99 printable ASCII characters", () => {
    fc.assert(
      fc.property(
        fc.array(hostileSecretAccess, { minLength: 1, maxLength: 4 }),
        fc.string(),
        fc.string(),
        (hits, app, stage) => {
          for (const group of groupHits(hits)) expect(formatSubject(group, { app, stage })).toMatch(SUBJECT);
        },
      ),
    );
  });

  it("property: the body never starts a line with text from a record", () => {
    fc.assert(
      fc.property(fc.array(hostileSecretAccess, { minLength: 1, maxLength: 3 }), (hits) => {
        for (const group of groupHits(hits)) {
          const lines = formatBody(group, ctx).split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/);
          expect(lines.filter((l) => l.trimStart().startsWith(INJECTED))).toEqual([]);
          expect(lines.filter((l) => l === "Raw identifiers")).toHaveLength(1);
        }
      }),
    );
  });
});
