import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identityOf } from "../../packages/core/src/identity.js";
import type { CloudTrailRecord, Identity } from "../../packages/core/src/types.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";

const fixture = (name: string) => cloudTrailFixture<CloudTrailRecord>(name);

const ACCT = "111122223333";
const withIdentity = (userIdentity: unknown, extra: Record<string, unknown> = {}): CloudTrailRecord => ({
  eventSource: "secretsmanager.amazonaws.com",
  eventName: "GetSecretValue",
  eventID: "e",
  recipientAccountId: ACCT,
  userIdentity: userIdentity as Record<string, unknown>,
  ...extra,
});

describe("identityOf on real records", () => {
  it("reads the IAM user of the secret-read burst", () => {
    const [record] = fixture("stratus-secretsmanager") as [CloudTrailRecord];
    expect(identityOf(record)).toEqual({
      type: "IAMUser",
      principalArn: "arn:aws:iam::903144391865:user/christophe",
      principalId: "AIDA45XCCHPPLELFTIIM",
      accountId: "903144391865",
      userName: "christophe",
      roleSessionName: null,
      sessionIssuerArn: null,
      sessionIssuerName: null,
      sessionIssuerType: null,
      invokedBy: null,
      accessKeyId: "AKIA1JMTHE9ZMZMWG0MG",
      sourceIdentity: null,
      mfaAuthenticated: null,
      consoleSession: false,
      crossAccount: false,
      label: "christophe",
    } satisfies Identity);
  });

  it("reads an assumed role and a federated user", () => {
    const records = fixture("stratus-other-techniques");
    const role = identityOf(records.find((r) => r.userIdentity?.type === "AssumedRole")!);
    expect(role).toMatchObject({
      userName: "stratus-red-team-ec2-get-password-data-role",
      roleSessionName: "aws-go-sdk-1722375070115152000",
      sessionIssuerType: "Role",
      mfaAuthenticated: false,
      label: "stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1722375070115152000",
    });
    const federated = identityOf(records.find((r) => r.userIdentity?.type === "FederatedUser")!);
    expect(federated).toMatchObject({
      userName: "stratus_red_team",
      roleSessionName: null,
      sessionIssuerName: "stratus-red-team-user-federation-user",
      sessionIssuerType: "IAMUser",
      label: "stratus_red_team",
    });
  });
});

describe("identityOf by identity type", () => {
  const roleArn = `arn:aws:sts::${ACCT}:assumed-role/Admin/alice`;
  it.each<[string, unknown, Partial<Identity>]>([
    [
      "IAMUser without userName: name from the ARN, path dropped",
      { type: "IAMUser", arn: `arn:aws:iam::${ACCT}:user/division/team/bob` },
      { userName: "bob", label: "bob" },
    ],
    [
      "AssumedRole without sessionIssuer: role and session from the ARN",
      { type: "AssumedRole", arn: roleArn },
      { userName: "Admin", roleSessionName: "alice", sessionIssuerName: null, label: "Admin/alice" },
    ],
    [
      "AssumedRole without ARN: session from the principal ID",
      { type: "AssumedRole", principalId: "AROAQXZ5EXAMPLE4TR6B:alice" },
      { userName: null, roleSessionName: "alice", label: "alice" },
    ],
    [
      "AssumedRole of an Identity Center permission set (its role under the aws-reserved path)",
      {
        type: "AssumedRole",
        arn: `arn:aws:sts::${ACCT}:assumed-role/AWSReservedSSO_Billing_a1b2c3d4e5f60718/jo`,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            userName: "AWSReservedSSO_Billing_a1b2c3d4e5f60718",
            arn: `arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Billing_a1b2c3d4e5f60718`,
          },
        },
      },
      { userName: "AWSReservedSSO_Billing_a1b2c3d4e5f60718", roleSessionName: "jo", label: "jo (SSO Billing)" },
    ],
    [
      "a role merely named AWSReservedSSO_* outside that path is not labelled SSO",
      {
        type: "AssumedRole",
        arn: `arn:aws:sts::${ACCT}:assumed-role/AWSReservedSSO_Billing_a1b2c3d4e5f60718/jo`,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            userName: "AWSReservedSSO_Billing_a1b2c3d4e5f60718",
            arn: `arn:aws:iam::${ACCT}:role/AWSReservedSSO_Billing_a1b2c3d4e5f60718`,
          },
        },
      },
      {
        userName: "AWSReservedSSO_Billing_a1b2c3d4e5f60718",
        roleSessionName: "jo",
        label: "AWSReservedSSO_Billing_a1b2c3d4e5f60718/jo",
      },
    ],
    ["Root", { type: "Root", arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT }, { userName: "root", label: "root" }],
    [
      "AWSService",
      { type: "AWSService", invokedBy: "cloudformation.amazonaws.com" },
      {
        userName: "cloudformation.amazonaws.com",
        invokedBy: "cloudformation.amazonaws.com",
        label: "cloudformation.amazonaws.com",
      },
    ],
    [
      "FederatedUser",
      { type: "FederatedUser", arn: `arn:aws:sts::${ACCT}:federated-user/build-bot`, principalId: `${ACCT}:build-bot` },
      { userName: "build-bot", roleSessionName: null, label: "build-bot" },
    ],
    [
      "SAMLUser",
      { type: "SAMLUser", principalId: "SAMPLE_PRINCIPAL:alice", userName: "alice", identityProvider: "idp" },
      { userName: "alice", label: "alice" },
    ],
    [
      "WebIdentityUser",
      { type: "WebIdentityUser", principalId: "accounts.google.com:app:1234", userName: "1234" },
      { userName: "1234", label: "1234" },
    ],
    [
      "IdentityCenterUser",
      { type: "IdentityCenterUser", accountId: ACCT, onBehalfOf: { userId: "94482488-3041-7026-18f3-be45837cd0e4" } },
      { userName: null, label: "94482488-3041-7026-18f3-be45837cd0e4" },
    ],
    [
      "AWSAccount",
      { type: "AWSAccount", principalId: "AIDAQXZ5EXAMPLEOTHR9", accountId: "444455556666" },
      { userName: null, crossAccount: true, label: "AIDAQXZ5EXAMPLEOTHR9" },
    ],
    [
      "an empty user name falls back to the principal ID",
      { type: "IAMUser", userName: "", principalId: "AIDAX" },
      { label: "AIDAX" },
    ],
    ["an unknown type, nothing else", { type: "SomethingNew" }, { type: "SomethingNew", label: "unknown" }],
    ["no type", { principalId: "AIDAX" }, { type: "Unknown", label: "AIDAX" }],
    ["no userIdentity", undefined, { type: "Unknown", principalArn: null, label: "unknown" }],
    ["a string userIdentity", "root", { type: "Unknown", userName: null, label: "unknown" }],
    ["an array userIdentity", [{ type: "Root" }], { type: "Unknown", label: "unknown" }],
  ])("%s", (_case, userIdentity, expected) => {
    expect(identityOf(withIdentity(userIdentity))).toMatchObject(expected);
  });
});

describe("identityOf flags", () => {
  const role = (attributes: unknown) => ({ type: "AssumedRole", sessionContext: { attributes } });
  it.each<[unknown, boolean | null]>([
    [{ mfaAuthenticated: "true" }, true],
    [{ mfaAuthenticated: true }, true],
    [{ mfaAuthenticated: "false" }, false],
    [{ mfaAuthenticated: false }, false],
    [{ mfaAuthenticated: "yes" }, null],
    [{ mfaAuthenticated: 1 }, null],
    [{}, null],
    ["attributes as a string", null],
  ])("mfaAuthenticated %j → %s", (attributes, expected) => {
    expect(identityOf(withIdentity(role(attributes))).mfaAuthenticated).toBe(expected);
  });

  it.each<[unknown, boolean]>([
    [true, true],
    ["true", true],
    [false, false],
    ["false", false],
    ["yes", false],
    [1, false],
    [undefined, false],
  ])("sessionCredentialFromConsole %j → consoleSession %s", (value, expected) => {
    const record = withIdentity({ type: "IAMUser" }, { sessionCredentialFromConsole: value });
    expect(identityOf(record).consoleSession).toBe(expected);
  });

  it.each<[unknown, unknown, boolean]>([
    [ACCT, ACCT, false],
    ["444455556666", ACCT, true],
    [undefined, ACCT, false],
    ["", ACCT, false],
    ["444455556666", undefined, false],
    [444455556666, ACCT, false],
  ])("accountId %j in recipient %j → crossAccount %s", (accountId, recipientAccountId, expected) => {
    const record = withIdentity({ type: "IAMUser", accountId }, { recipientAccountId });
    expect(identityOf(record).crossAccount).toBe(expected);
  });

  it("reads the source identity set when the role was assumed", () => {
    const ui = { type: "AssumedRole", sessionContext: { sourceIdentity: "alice@example.com" } };
    expect(identityOf(withIdentity(ui)).sourceIdentity).toBe("alice@example.com");
  });

  it("never throws and always has a type and a label, whatever userIdentity holds", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (userIdentity, sessionContext) => {
        const ui = typeof userIdentity === "object" && userIdentity !== null ? { ...userIdentity, sessionContext } : {};
        for (const value of [userIdentity, ui]) {
          const identity = identityOf(withIdentity(value));
          expect(typeof identity.type).toBe("string");
          expect(identity.label.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
