/**
 * Scenario: the `prod` stage in aws-us-gov (us-gov-west-1, 444455556666). The state table is
 * kept: deletion protection on, retained (with its policy and marker) on `sst remove`; and the
 * writer ARNs its policy names follow the deploying partition and account.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readPolicy } from "./harness/policy";
import { denies } from "./harness/policy-eval";
import { arnOf, named } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

const ACCOUNT = "444455556666";
const PARTITION = "aws-us-gov";

beforeAll(async () => {
  await runApp({
    stage: "prod",
    env: { alertEmails: "soc@example.com" },
    context: { account: ACCOUNT, region: "us-gov-west-1", partition: PARTITION },
  });
});

describe("production state table", () => {
  it("is protected from deletion and retained on removal, with its policy and marker", () => {
    expect(named("StateTable").inputs.deletionProtectionEnabled).toBe(true);
    expect(named("StateTable").retainOnDelete).toBe(true);
    expect(named("StateTablePolicy").retainOnDelete).toBe(true);
    expect(named("StateDeployMarker").retainOnDelete).toBe(true);
    expect(named("StateTable").inputs).toMatchObject({
      name: "secretwatch-prod-state",
      billingMode: "PAY_PER_REQUEST",
      pointInTimeRecovery: { enabled: true },
      ttl: { attributeName: "expires", enabled: true },
    });
  });

  it("names its writers in this partition and account", () => {
    const statements = readPolicy(named("StateTablePolicy").inputs.policy);
    const writers = [
      `arn:${PARTITION}:iam::${ACCOUNT}:role/secretwatch-prod-enricher`,
      `arn:${PARTITION}:iam::${ACCOUNT}:role/secretwatch-prod-state-baseline`,
    ];
    expect(statements[0]?.Condition).toEqual({ ArnNotEquals: { "aws:PrincipalArn": writers } });
    expect(writers).toEqual([arnOf("EnricherRole"), arnOf("StateBaselineRole")]);
    const resource = arnOf("StateTable");
    // The same role name in the commercial partition is another principal: denied.
    const elsewhere = `arn:aws:iam::${ACCOUNT}:role/secretwatch-prod-enricher`;
    expect(denies(statements, { principalArn: elsewhere, action: "dynamodb:PutItem", resource })).toBe(true);
    expect(denies(statements, { principalArn: writers[0]!, action: "dynamodb:PutItem", resource })).toBe(false);
    expect(JSON.stringify(statements)).not.toContain("arn:aws:");
  });

  it("gives the enricher the table of its own stage", () => {
    const statements = readPolicy(named("EnricherRole").inputs.inlinePolicies[0].policy);
    const dynamo = statements.find((s) => s.Action.includes("dynamodb:Query"));
    expect(dynamo?.Resource).toEqual([arnOf("StateTable")]);
    expect(named("EnricherFunction").inputs.environment.variables.SECRETWATCH_TABLE_NAME).toBe(
      "secretwatch-prod-state",
    );
  });
});
