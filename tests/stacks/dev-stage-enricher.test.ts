/**
 * Dev stage (see ./dev-stage.ts): the enricher function, its role, log group, failure queue,
 * invoke permission, subscription filter and event invoke config, and the policy it ships.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SUBSCRIPTION_FILTER_PATTERN } from "../../packages/core/src/events";
import { compilePolicy, DEFAULT_POLICY, readCompiledPolicy } from "../../packages/core/src/policy";
import { DEFAULT_RETENTION_DAYS } from "../../packages/core/src/settings";
import { POLICY_ENV } from "../../packages/functions/src/policy-source";
import { FUNCTION_NODEJS } from "../../stacks/function-build";
import { ENRICHER_NODE_OPTIONS, lambdaHeapFlags } from "../../stacks/function-heap";
import { matchesPattern, parseJsonPattern } from "../helpers/filter-pattern";
import { ACCOUNT, logsArn, records, topicArn, trailLogGroupArn } from "./dev-stage";
import { allowedActions, readPolicy, type Statement } from "./harness/policy";
import { arnOf, named, ofType, onlyOfType, T } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";
import { rpcCalls } from "./harness/sst-rpc-stub";
import { functionPackage } from "./harness/zip";

beforeAll(async () => {
  await runApp({ stage: "dev", env: { alertEmails: "security@example.com, oncall@example.org" } });
});

describe("enricher", () => {
  it("runs the enricher handler on Node 22, arm64, 512 MB, 60 s", () => {
    // The other function is the digest's (tests/stacks/digest-daily.test.ts).
    expect(
      ofType(T.function)
        .map((f) => f.name)
        .sort(),
    ).toEqual(["DigestFunction", "EnricherFunction"]);
    expect(named("EnricherFunction").inputs).toMatchObject({
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memorySize: 512,
      timeout: 60,
      role: arnOf("EnricherRole"),
    });
    const builds = rpcCalls.filter((c) => c.method === "Runtime.Build");
    expect(builds.map((c) => (c.args as { handler: string }).handler).sort()).toEqual([
      "packages/functions/src/digest.handler",
      "packages/functions/src/enricher.handler",
    ]);
  });

  it("builds both functions with the bundle arguments the artifact tests and the bench use", () => {
    const builds = rpcCalls.filter((c) => c.method === "Runtime.Build");
    expect(builds).toHaveLength(2);
    for (const b of builds) expect((b.args as { properties: object }).properties).toMatchObject(FUNCTION_NODEJS);
  });

  it("names both V8 heap sizes in NODE_OPTIONS, so Lambda's bootstrap derives neither from the memory", () => {
    const options = named("EnricherFunction").inputs.environment.variables.NODE_OPTIONS;
    expect(options).toBe(ENRICHER_NODE_OPTIONS);
    expect(lambdaHeapFlags(512, options)).toEqual(["--max-semi-space-size=32", "--max-old-space-size=352"]);
  });

  it("receives the topic ARN, app and stage in its environment", () => {
    expect(named("EnricherFunction").inputs.environment.variables).toMatchObject({
      SECRETWATCH_TOPIC_ARN: topicArn(),
      SECRETWATCH_APP: "secretwatch",
      SECRETWATCH_STAGE: "dev",
    });
  });

  it("ships the default policy (no policy file, none configured) beside its bundle, named with its hash", () => {
    const defaults = compilePolicy(DEFAULT_POLICY, "defaults");
    expect(named("EnricherFunction").inputs.environment.variables).toMatchObject({
      [POLICY_ENV.file]: "secretwatch-policy.json",
      [POLICY_ENV.hash]: defaults.hash,
    });
    const files = functionPackage("Enricher");
    expect([...files.keys()].sort()).toEqual(["handler.mjs", "secretwatch-policy.json"]);
    expect(readCompiledPolicy(files.get("secretwatch-policy.json")!.toString("utf8"))).toEqual(defaults);
  });

  it("has a role only Lambda can assume (not the account's principals)", () => {
    expect(readPolicy(named("EnricherRole").inputs.assumeRolePolicy)).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: ["lambda.amazonaws.com"] },
        Action: ["sts:AssumeRole"],
        Resource: [],
        Condition: {},
      },
    ]);
  });

  it("may publish to the topic, send to its failure queue, use its state table and log to its own group, nothing else", () => {
    const role = named("EnricherRole");
    expect(role.inputs.managedPolicyArns).toEqual([]);
    expect(JSON.stringify(role.inputs)).not.toContain("AWSLambdaBasicExecutionRole");
    expect(role.inputs.inlinePolicies).toHaveLength(1);
    const statements = readPolicy(role.inputs.inlinePolicies[0].policy);
    const fnLogGroup = logsArn("/aws/lambda/secretwatch-dev-enricher");
    expect(statements).toEqual<Statement[]>([
      { Effect: "Allow", Action: ["sns:Publish"], Resource: [topicArn()], Condition: {} },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [arnOf("EnricherFailures")], Condition: {} },
      {
        Effect: "Allow",
        Action: [
          "dynamodb:BatchGetItem",
          "dynamodb:Query",
          "dynamodb:BatchWriteItem",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
        ],
        Resource: [arnOf("StateTable")],
        Condition: {},
      },
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${fnLogGroup}:*`],
        Condition: {},
      },
    ]);
    for (const action of allowedActions(statements)) expect(action).not.toMatch(/\*/);
    for (const s of statements) for (const r of s.Resource) expect(r).not.toBe("*");
    expect(ofType(T.rolePolicy).map((p) => p.name)).not.toContain("EnricherRolePolicy");
  });

  it("logs to its own group, kept for the retention period", () => {
    expect(named("EnricherLogGroup").inputs).toMatchObject({
      name: "/aws/lambda/secretwatch-dev-enricher",
      retentionInDays: DEFAULT_RETENTION_DAYS,
    });
    expect(named("EnricherFunction").inputs.loggingConfig.logGroup).toBe("/aws/lambda/secretwatch-dev-enricher");
  });

  it("retries twice, keeps events 6 h, then sends them to the failure queue (one invoke config)", () => {
    const config = named("EnricherEventInvokeConfig");
    expect(config.inputs).toEqual({
      functionName: "secretwatch-dev-enricher",
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 21600,
      destinationConfig: { onFailure: { destination: arnOf("EnricherFailures") } },
    });
  });

  it("keeps failed events 14 days in an encrypted queue", () => {
    expect(named("EnricherFailures").inputs).toMatchObject({
      name: "secretwatch-dev-enricher-failures",
      messageRetentionSeconds: 1209600,
      sqsManagedSseEnabled: true,
    });
  });

  it("may be invoked by CloudWatch Logs for the trail log group (ARN with `:*`) of this account", () => {
    expect(onlyOfType(T.permission).inputs).toMatchObject({
      function: "secretwatch-dev-enricher",
      action: "lambda:InvokeFunction",
      principal: "logs.amazonaws.com",
      sourceArn: `${trailLogGroupArn()}:*`,
      sourceAccount: ACCOUNT,
    });
    expect(named("EnricherInvokePermission").inputs.sourceArn).toBe(`${logsArn("/secretwatch/dev/cloudtrail")}:*`);
  });

  it("subscribes to reads and batch reads, after the permission exists", () => {
    const filter = onlyOfType(T.subscriptionFilter);
    expect(filter.inputs).toMatchObject({
      logGroup: "/secretwatch/dev/cloudtrail",
      filterPattern: SUBSCRIPTION_FILTER_PATTERN,
      destinationArn: arnOf("EnricherFunction"),
    });
    expect(() => parseJsonPattern(filter.inputs.filterPattern)).not.toThrow();
    expect(matchesPattern(filter.inputs.filterPattern, records.read)).toBe(true);
    expect(matchesPattern(filter.inputs.filterPattern, records.batch)).toBe(true);
    // A secret's PutResourcePolicy is a tamper event (by its name, not the text it mentions).
    expect(matchesPattern(filter.inputs.filterPattern, records.policyMentioningRead)).toBe(true);
    expect(matchesPattern(filter.inputs.filterPattern, records.iamPolicyMentioningRead)).toBe(false);
    expect(filter.dependsOn).toEqual(["EnricherInvokePermission"]);
    expect(filter.dependencies).toContain("EnricherInvokePermission");
  });
});
