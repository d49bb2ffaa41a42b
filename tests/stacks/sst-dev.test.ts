/**
 * Scenario: `sst dev`. The enricher opts out of live mode, so it stays the deployed
 * function with its least-privilege role: no local bridge, no trust for the account's
 * principals, no extra AppSync or S3 permissions.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { allowedActions, readPolicy } from "./harness/policy";
import { named } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";
import { rpcCalls } from "./harness/sst-rpc-stub";

beforeAll(async () => {
  await runApp({ stage: "bob", dev: true, env: { alertEmails: "bob@example.com" } });
});

describe("sst dev", () => {
  it("deploys the real enricher, not SST's live bridge", () => {
    expect(named("EnricherFunction").inputs).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"] });
    expect(rpcCalls.map((c) => c.method)).not.toContain("Runtime.AddTarget");
  });

  it("keeps the role's trust and permissions as in a deploy", () => {
    const role = named("EnricherRole");
    expect(readPolicy(role.inputs.assumeRolePolicy).map((s) => s.Principal)).toEqual([
      { Service: ["lambda.amazonaws.com"] },
    ]);
    const actions = allowedActions(readPolicy(role.inputs.inlinePolicies[0].policy));
    expect(actions.sort()).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "sns:Publish",
      "sqs:SendMessage",
    ]);
  });
});
