import { describe, expect, it } from "vitest";
import type { AlertGroup } from "../../packages/core/src/format.js";
import { groupVerdict, nextSteps, shellArg } from "../../packages/core/src/next-steps.js";
import { groupHits } from "../../packages/core/src/plan.js";
import { DEFAULT_THRESHOLDS } from "../../packages/core/src/policy.js";
import { REASON_CODES as ALL_CODES, type ReasonCode } from "../../packages/core/src/reasons.js";
import { isTamperReason, type TamperReasonCode } from "../../packages/core/src/tamper/catalog.js";

/** The reasons of reads (tamper hits have their own steps: tests/core/tamper/). */
type ReadReasonCode = Exclude<ReasonCode, TamperReasonCode>;
const REASON_CODES = ALL_CODES.filter((c): c is ReadReasonCode => !isTamperReason(c));

import { enrichOrBare } from "../../packages/core/src/enrich.js";
import type { AssessedAccess, SecretAccess } from "../../packages/core/src/types.js";
import { aBatch, aClient, anIdentity, aSecretAccess, aSource, assessWith, withVerdict } from "./builders.js";

const ACCOUNT = "111122223333";

/** The one group of these hits. */
function groupOf(hits: readonly AssessedAccess[]): AlertGroup {
  const groups = groupHits(hits);
  expect(groups).toHaveLength(1);
  return groups[0]!;
}

const stepsOf = (hits: readonly AssessedAccess[]) => nextSteps(groupOf(hits));

const fromInternet = aSource({ raw: "81.2.69.142", ip: "81.2.69.142", range: "unicast" });
const bob = anIdentity({
  ...{ type: "IAMUser", principalArn: `arn:aws:iam::${ACCOUNT}:user/bob`, principalId: "AIDAEXAMPLEBOB" },
  ...{ userName: "bob", roleSessionName: null, sessionIssuerArn: null, sessionIssuerName: null },
  ...{ sessionIssuerType: null, accessKeyId: "AKIAIOSFODNN7EXAMPLE", label: "bob" },
});
const byBob = (overrides: Partial<SecretAccess> = {}) =>
  aSecretAccess({ identityType: "IAMUser", principalArn: bob.principalArn, identity: bob, ...overrides });
const root = anIdentity({
  ...{ type: "Root", principalArn: `arn:aws:iam::${ACCOUNT}:root`, principalId: ACCOUNT, userName: "root" },
  ...{ roleSessionName: null, sessionIssuerArn: null, sessionIssuerName: null, sessionIssuerType: null },
  ...{ accessKeyId: "ASIAROOTEXAMPLE", label: "root" },
});
const lambda = aSecretAccess({
  identityType: "AWSService",
  principalArn: null,
  identity: anIdentity({
    ...{ type: "AWSService", principalArn: null, principalId: null, userName: "lambda.amazonaws.com" },
    ...{ roleSessionName: null, sessionIssuerArn: null, sessionIssuerName: null, sessionIssuerType: null },
    ...{ invokedBy: "lambda.amazonaws.com", accessKeyId: null, label: "lambda.amazonaws.com" },
  }),
  source: aSource({ raw: "lambda.amazonaws.com", kind: "aws-service", ip: null, ipVersion: null, range: null }),
  client: aClient({ family: "aws-service", name: "AWS service", version: null, detail: null, raw: null }),
});
const batch = (filters: { key: string; values: string[] }[]) =>
  aSecretAccess({
    ...{ eventName: "BatchGetSecretValue", secretId: null, secretArn: null, requestedSecretId: null },
    batch: aBatch({ filters }),
  });
const rapidReads = ["app/a", "app/b", "app/c"].map((secretId, i) =>
  aSecretAccess({ secretId, eventID: `r-${i}`, eventTime: `2024-05-14T09:0${i}:00Z` }),
);
/** The rapid-retrieval group of three reads within minutes (threshold 3). */
const rapidGroup = () =>
  assessWith(rapidReads, { thresholds: { ...DEFAULT_THRESHOLDS, rapidSecrets: 3 } }).filter((h) => h.verdict.rapid);
const expectedRule = {
  ...{ id: "nightly-export", principal: `arn:aws:iam::${ACCOUNT}:role/DevOps`, secret: "TopSecretInfo" },
  note: "the export job reads it at 02:00",
};

/**
 * One row per reason code: hits that carry it (from the real assessment where the builders
 * can make it, else a fixed verdict) and the step text specific to it.
 */
const STEPS: Record<ReadReasonCode, [hits: () => AssessedAccess[], step: string]> = {
  decoy: [
    () => assessWith([aSecretAccess({ secretId: "canary/x" })], { decoys: ["canary/*"] }),
    "Treat this as an intrusion: canary/x is a decoy that nobody has a reason to read",
  ],
  root: [
    () => assessWith([aSecretAccess({ identityType: "Root", principalArn: root.principalArn, identity: root })]),
    "Secure the root user now: sign in as root, change its password, check that its MFA device is yours, delete any root access keys",
  ],
  "catch-all-batch": [
    () => assessWith([batch([{ key: "tag-key", values: ["!tagKeyThatWillNeverExist"] }])]),
    "Treat this as a dump of every secret value",
  ],
  "rapid-retrieval": [
    rapidGroup,
    'The principal may be dumping secrets: it read 3 different secrets within minutes (listed under "Rapid retrieval")',
  ],
  "cross-account": [
    () => [
      withVerdict(aSecretAccess({ identity: anIdentity({ accountId: "444455556666", crossAccount: true }) }), {
        reasons: ["cross-account"],
      }),
    ],
    "Find out who owns account 444455556666 and why it may read the secret: check the secret's resource policy",
  ],
  "unreadable-record": [
    () =>
      assessWith([
        enrichOrBare(
          {
            eventSource: "secretsmanager.amazonaws.com",
            eventName: "GetSecretValue",
            eventID: "e-unreadable",
            userIdentity: { arn: `arn:aws:iam::${ACCOUNT}:user/alice` },
            requestParameters: { secretId: "prod/db" },
          },
          { now: null },
          () => {
            throw new TypeError("a fault");
          },
        ),
      ]),
    "Open the event in CloudTrail event history (event ID e-unreadable): secretwatch could not read the record",
  ],
  denied: [
    () => assessWith([aSecretAccess({ outcome: "denied", errorCode: "AccessDenied" })]),
    "Find out who tried: alice was refused. Check the principal's permissions",
  ],
  "role-session-from-internet": [
    () => assessWith([aSecretAccess({ source: fromInternet })]),
    "Check whether 81.2.69.142 is one of your own addresses",
  ],
  "foreign-vpc-endpoint": [
    () =>
      assessWith([
        aSecretAccess({
          source: aSource({
            ...{ raw: "10.1.2.3", ip: "10.1.2.3", range: "private" },
            ...{ vpcEndpointId: "vpce-0ffee0000000000a1", vpcEndpointAccountId: "999988887777" },
          }),
        }),
      ]),
    "Find out whose VPC endpoint vpce-0ffee0000000000a1 is (account 999988887777)",
  ],
  "policy-unavailable": [
    () => [withVerdict(aSecretAccess(), { reasons: ["policy-unavailable"] })],
    "Fix the detection policy: it could not be loaded",
  ],
  "first-seen": [() => assessWith([aSecretAccess()]), "add an expected-reader rule for it"],
  "state-unavailable": [
    () => assessWith([aSecretAccess()], {}, null),
    "the read history could not be read, so every read is reported as a first read",
  ],
  error: [
    () => assessWith([aSecretAccess({ outcome: "error", errorCode: "DecryptionFailure" })]),
    "Look at the error (DecryptionFailure): a failing reader is usually misconfigured",
  ],
  "broad-batch": [() => assessWith([batch(aBatch().filters!)]), "Check the batch's filters"],
  "console-session": [
    () => assessWith([aSecretAccess({ identity: anIdentity({ consoleSession: true }) })]),
    "Ask the person: alice read the secret value in an AWS console session",
  ],
  "public-ip": [
    () => assessWith([byBob({ source: fromInternet })]),
    "Ask the person behind bob whether the call from 81.2.69.142 was theirs",
  ],
  sensitive: [
    () => assessWith([aSecretAccess()], { sensitive: ["Top*"] }),
    "Handle this alert first: the policy marks TopSecretInfo as sensitive",
  ],
  "aws-service": [
    () => assessWith([lambda]),
    "Check which of your resources makes lambda.amazonaws.com read this secret",
  ],
  "plain-read": [
    () => [withVerdict(aSecretAccess(), { reasons: ["plain-read"], severity: "low" })],
    "Nothing unusual was found",
  ],
  expected: [
    () => assessWith([aSecretAccess()], { expected: [expectedRule] }),
    'Confirm with the owner of the policy rule nightly-export ("the export job reads it at 02:00") that alice is still the reader it describes',
  ],
};

describe("next steps, per reason", () => {
  it("has a row for every reason code", () => {
    expect(Object.keys(STEPS).sort()).toEqual([...REASON_CODES].sort());
  });

  /** The steps of a read with no reason at all: none of the reasons' own steps. */
  const neutral = stepsOf([withVerdict(aSecretAccess(), { reasons: [] })]).join("\n");

  it.each(REASON_CODES)("%s", (code) => {
    const [hits, step] = STEPS[code];
    const group = groupOf(hits());
    expect(groupVerdict(group).reasons.map((r) => r.code)).toContain(code);
    expect(nextSteps(group).join("\n")).toContain(step);
    expect(neutral).not.toContain(step);
  });
});

describe("a reason's step names only the reads that have the reason", () => {
  it("the internet addresses and the foreign endpoint, not the group's private reads through the account's own endpoint", () => {
    const own = aSecretAccess({
      eventID: "own",
      source: aSource({
        ...{ raw: "10.0.12.34", ip: "10.0.12.34", range: "private" },
        ...{ vpcEndpointId: "vpce-0abc1234", vpcEndpointAccountId: ACCOUNT },
      }),
    });
    const internet = aSecretAccess({ eventID: "internet", eventTime: "2024-05-14T09:22:00Z", source: fromInternet });
    const foreign = aSecretAccess({
      eventID: "foreign",
      eventTime: "2024-05-14T09:23:00Z",
      source: aSource({
        ...{ raw: "10.9.9.9", ip: "10.9.9.9", range: "private" },
        ...{ vpcEndpointId: "vpce-0badbadbad0000001", vpcEndpointAccountId: "444455556666" },
      }),
    });
    const steps = stepsOf(assessWith([own, internet, foreign])).join("\n");
    expect(steps).toContain("Check whether 81.2.69.142 is one of your own addresses");
    expect(steps).toContain("Find out whose VPC endpoint vpce-0badbadbad0000001 is (account 444455556666)");
    expect(steps).not.toMatch(/10\.0\.12\.34|vpce-0abc1234/);
  });
});

describe("cutting the principal off, if nobody expected the read", () => {
  it("a role session: revoke the role's active sessions, naming the role ARN", () => {
    expect(stepsOf(assessWith([aSecretAccess()]))).toContain(
      "If nobody expected this read: revoke the role's active sessions: IAM console > Roles > DevOps > Revoke sessions > " +
        `Revoke active sessions (role arn:aws:iam::${ACCOUNT}:role/DevOps); every session issued before then stops working.`,
    );
  });

  it("an IAM user's access key: deactivate it, naming the key", () => {
    expect(stepsOf(assessWith([byBob()]))).toContain(
      "If nobody expected this read: deactivate the access key AKIAIOSFODNN7EXAMPLE of IAM user bob: aws iam update-access-key " +
        "--user-name bob --access-key-id AKIAIOSFODNN7EXAMPLE --status Inactive.",
    );
    const temporary = stepsOf(assessWith([byBob({ identity: { ...bob, accessKeyId: "ASIATEMPORARY" } })])).join("\n");
    expect(temporary).toContain("deactivate the access keys of IAM user bob");
    expect(temporary).toContain("temporary credentials ASIATEMPORARY issued to that user");
  });

  it("an IAM Identity Center user: disable the user, not the managed role", () => {
    const ssoRole = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`;
    const carol = anIdentity({ sessionIssuerArn: ssoRole, roleSessionName: "carol", label: "carol (SSO Admin)" });
    const steps = stepsOf(assessWith([aSecretAccess({ identity: carol })])).join("\n");
    expect(steps).toContain("disable the IAM Identity Center user carol");
    expect(steps).not.toContain("Revoke active sessions");
  });

  it("a federated user: deny the IAM user that asked for it, whose credentials cannot be revoked", () => {
    const federated = (issuer: string, issuerType: string) =>
      aSecretAccess({
        identityType: "FederatedUser",
        identity: anIdentity({
          type: "FederatedUser",
          principalArn: `arn:aws:sts::${ACCOUNT}:federated-user/build-bot`,
          roleSessionName: null,
          userName: "build-bot",
          sessionIssuerArn: issuer,
          sessionIssuerName: issuerType === "Root" ? null : "ci-user",
          sessionIssuerType: issuerType,
        }),
      });
    const steps = stepsOf(assessWith([federated(`arn:aws:iam::${ACCOUNT}:user/ci-user`, "IAMUser")])).join("\n");
    expect(steps).toContain("attach a policy that denies everything to IAM user ci-user, which asked for them");
    expect(steps).not.toMatch(/revoke the role|find the credentials behind/);
    // Root's federated credentials are root's: the root step, first, and no policy to attach.
    const byRoot = stepsOf(assessWith([federated(`arn:aws:iam::${ACCOUNT}:root`, "Root")]));
    expect(byRoot[0]).toMatch(/^Secure the root user now/);
    expect(byRoot.join("\n")).not.toContain("attach a policy");
  });

  it("root: secure the root user, first; no other cut-off", () => {
    const steps = stepsOf(STEPS.root[0]());
    expect(steps[0]).toMatch(/^Secure the root user now/);
    expect(steps.join("\n")).not.toMatch(/revoke the role|deactivate the access key/);
  });

  it("an AWS service: find the resource, its access cannot be revoked", () => {
    expect(stepsOf(assessWith([lambda])).join("\n")).toContain("an AWS service's access cannot be revoked");
  });
});

describe("rotating", () => {
  it("names the secret when its value was returned", () => {
    expect(stepsOf(assessWith([aSecretAccess()])).join("\n")).toContain(
      "If nobody expected this read: rotate TopSecretInfo (Secrets Manager console > the secret > Rotate secret immediately",
    );
  });

  it("rotates all the secrets of a rapid retrieval", () => {
    expect(stepsOf(rapidGroup())).toContain(
      'If nobody expected this read: rotate all 3 secrets listed under "Rapid retrieval".',
    );
  });

  it("rotates every secret a batch returned", () => {
    expect(stepsOf(assessWith([batch(aBatch().filters!)])).join("\n")).toContain(
      "rotate every secret the batch returned",
    );
  });

  it("nothing to rotate when the value was not returned; for a decoy, nothing to confirm either", () => {
    expect(stepsOf(STEPS.denied[0]()).join("\n")).not.toMatch(/: rotate /);
    expect(stepsOf(STEPS.error[0]()).join("\n")).not.toMatch(/: rotate /);
    const decoy = stepsOf(STEPS.decoy[0]());
    expect(decoy.join("\n")).not.toMatch(/: rotate |Confirm with|add an expected-reader rule/);
    expect(decoy).toContain(
      "Now: revoke the role's active sessions: IAM console > Roles > DevOps > Revoke sessions > Revoke active sessions " +
        `(role arn:aws:iam::${ACCOUNT}:role/DevOps); every session issued before then stops working.`,
    );
  });

  it("an expected read: the rule's owner is asked, and the cut-off is for a read they do not recognise", () => {
    const steps = stepsOf(STEPS.expected[0]()).join("\n");
    expect(steps).toContain("If the rule's owner does not recognise this read: rotate TopSecretInfo");
    expect(steps).not.toContain("Confirm with the secret's owner");
    expect(steps).not.toContain("add an expected-reader rule");
  });
});

describe("the principal's other activity", () => {
  it("is always the last step, with the principal ARN", () => {
    for (const code of REASON_CODES.filter((c) => c !== "aws-service")) {
      const hits = STEPS[code][0]();
      const arn = hits[0]!.principalArn;
      expect(arn).toMatch(/^arn:aws:/);
      expect(stepsOf(hits).at(-1)).toBe(
        `Look at the principal's other activity: secretwatch lookup --principal ${arn}`,
      );
    }
    expect(stepsOf(STEPS["aws-service"][0]()).at(-1)).toBe(
      "Look at the principal's other activity: no principal ARN was recorded, so search CloudTrail for the AWS service lambda.amazonaws.com.",
    );
  });

  it("says what to search for when no ARN was recorded", () => {
    const hit = aSecretAccess({ principalArn: null, identity: anIdentity({ principalArn: null }) });
    expect(stepsOf(assessWith([hit])).at(-1)).toBe(
      "Look at the principal's other activity: no principal ARN was recorded, so search CloudTrail for access key " +
        "ASIAEXAMPLEKEY123456 or principal ID AROAEXAMPLEROLEID1234:alice.",
    );
  });

  it.each([
    [
      "arn:aws:iam::111122223333:user/path/bob+ci@example.com",
      "arn:aws:iam::111122223333:user/path/bob+ci@example.com",
    ],
    ["a b", "'a b'"],
    ["x'; rm -rf ~", "'x'\\''; rm -rf ~'"],
    ["$(id)", "'$(id)'"],
    ["", "''"],
  ])("shellArg(%j) is %s", (value, quoted) => {
    expect(shellArg(value)).toBe(quoted);
  });
});

describe("the group's verdict", () => {
  it("takes every hit's reasons, the highest severity first, and counts what the rule lowered", () => {
    const rule = {
      id: "devops",
      principal: `arn:aws:iam::${ACCOUNT}:role/DevOps`,
      secret: "*",
      source: ["10.0.0.0/8"],
    };
    const inside = aSecretAccess({
      eventID: "in",
      source: aSource({ ip: "10.1.2.3", raw: "10.1.2.3", range: "private" }),
    });
    const outside = aSecretAccess({ eventID: "out", eventTime: "2024-05-14T09:30:00Z", source: fromInternet });
    const gv = groupVerdict(groupOf(assessWith([inside, outside], { expected: [rule] })));
    expect(gv.reasons.map((r) => [r.code, r.severity, r.hits, r.lowered])).toEqual([
      ["role-session-from-internet", "medium", 1, 0],
      ["first-seen", "info", 1, 1],
      ["expected", "info", 1, 0],
    ]);
    expect(gv.rules).toEqual([{ id: "devops", note: null, hits: 1 }]);
    expect(gv.expected).toBe(1);
  });
});
