/**
 * Dev stage with default settings (see ./dev-stage.ts): the daily digest at 08:05 UTC. Its
 * schedule (EventBridge Scheduler through SST's CronV2), the function and its least-privilege
 * role, retries at both hops into one failure queue, the alarms on it, and that its role is
 * not among the state table's writers. Also: the enricher receives SECRETWATCH_LEARNING_HOURS.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RETENTION_DAYS } from "../../packages/core/src/settings";
import { ACCOUNT, logsArn, topicArn } from "./dev-stage";
import { allowedActions, readPolicy, type Statement } from "./harness/policy";
import { denies } from "./harness/policy-eval";
import { arnOf, named, ofType, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";
import { rpcCalls } from "./harness/sst-rpc-stub";

let result: RunResult;
beforeAll(async () => {
  result = await runApp({ stage: "dev", env: { alertEmails: "security@example.com" } });
});

const SCHEDULE = "aws:scheduler/schedule:Schedule";
const digestRoleArn = `arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-digest`;

describe("the daily digest's schedule", () => {
  it("runs at 08:05 UTC every day, invoking the digest function with its scheduled time", () => {
    const [schedule, ...others] = ofType(SCHEDULE);
    expect(others).toEqual([]);
    expect(schedule?.inputs).toMatchObject({
      name: "secretwatch-dev-digest",
      scheduleExpression: "cron(5 8 * * ? *)",
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
    });
    const { target } = schedule!.inputs;
    expect(target.arn).toBe(arnOf("DigestFunction"));
    expect(target.roleArn).toBe(arnOf("DigestCronRole"));
    expect(JSON.parse(target.input)).toEqual({ scheduledTime: "<aws.scheduler.scheduled-time>" });
  });

  it("retries a failed Invoke for an hour, then sends it to the digest's failure queue", () => {
    const { target } = ofType(SCHEDULE)[0]!.inputs;
    expect(target.retryPolicy).toEqual({ maximumRetryAttempts: 5, maximumEventAgeInSeconds: 3600 });
    expect(target.deadLetterConfig).toEqual({ arn: arnOf("DigestFailures") });
  });

  it("runs as a role only this account's scheduler may assume, allowed to invoke the function and fill the queue", () => {
    const role = named("DigestCronRole");
    expect(role.inputs.name).toBe("secretwatch-dev-digest-scheduler");
    expect(readPolicy(role.inputs.assumeRolePolicy)).toEqual<Statement[]>([
      {
        Effect: "Allow",
        Principal: { Service: ["scheduler.amazonaws.com"] },
        Action: ["sts:AssumeRole"],
        Resource: [],
        Condition: { StringEquals: { "aws:SourceAccount": [ACCOUNT] } },
      },
    ]);
    expect(role.inputs.inlinePolicies).toHaveLength(1);
    expect(readPolicy(role.inputs.inlinePolicies[0].policy)).toEqual<Statement[]>([
      { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [arnOf("DigestFunction")], Condition: {} },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [arnOf("DigestFailures")], Condition: {} },
    ]);
    expect(role.inputs.managedPolicyArns ?? []).toEqual([]);
  });
});

describe("the digest function", () => {
  it("runs the digest handler on Node 22, arm64, 512 MB, 5 minutes, as its own role", () => {
    expect(named("DigestFunction").inputs).toMatchObject({
      name: "secretwatch-dev-digest",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memorySize: 512,
      timeout: 300,
      role: arnOf("DigestRole"),
    });
    const handlers = rpcCalls.filter((c) => c.method === "Runtime.Build").map((c) => (c.args as any).handler);
    expect(handlers).toContain("packages/functions/src/digest.handler");
    expect(
      ofType(T.function)
        .map((f) => f.name)
        .sort(),
    ).toEqual(["DigestFunction", "EnricherFunction"]);
  });

  it("receives the topic, the table, the enricher's failure queue URL and the mode", () => {
    const variables = Object.entries(named("DigestFunction").inputs.environment.variables as Record<string, string>);
    // SST adds its own SST_* variables (the app's resource key); ours are exactly these.
    expect(Object.fromEntries(variables.filter(([k]) => !k.startsWith("SST_")))).toEqual({
      SECRETWATCH_TOPIC_ARN: topicArn(),
      SECRETWATCH_APP: "secretwatch",
      SECRETWATCH_STAGE: "dev",
      SECRETWATCH_TABLE_NAME: "secretwatch-dev-state",
      SECRETWATCH_FAILURE_QUEUE_URL: named("EnricherFailures").outputs.url,
      SECRETWATCH_DIGEST: "daily",
    });
    expect(named("EnricherFailures").outputs.url).toMatch(/^https:\/\/sqs\..*\/secretwatch-dev-enricher-failures$/);
  });

  it("may query the table, publish to the topic, read the enricher's queue depth, fill its own queue and log, nothing else", () => {
    const role = named("DigestRole");
    expect(role.inputs.name).toBe("secretwatch-dev-digest");
    expect(role.inputs.managedPolicyArns).toEqual([]);
    expect(JSON.stringify(role.inputs)).not.toContain("AWSLambdaBasicExecutionRole");
    expect(readPolicy(role.inputs.assumeRolePolicy)).toEqual<Statement[]>([
      {
        Effect: "Allow",
        Principal: { Service: ["lambda.amazonaws.com"] },
        Action: ["sts:AssumeRole"],
        Resource: [],
        Condition: {},
      },
    ]);
    expect(role.inputs.inlinePolicies).toHaveLength(1);
    const statements = readPolicy(role.inputs.inlinePolicies[0].policy);
    expect(statements).toEqual<Statement[]>([
      { Effect: "Allow", Action: ["sns:Publish"], Resource: [topicArn()], Condition: {} },
      { Effect: "Allow", Action: ["dynamodb:Query"], Resource: [arnOf("StateTable")], Condition: {} },
      { Effect: "Allow", Action: ["sqs:GetQueueAttributes"], Resource: [arnOf("EnricherFailures")], Condition: {} },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [arnOf("DigestFailures")], Condition: {} },
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${logsArn("/aws/lambda/secretwatch-dev-digest")}:*`],
        Condition: {},
      },
    ]);
    for (const action of allowedActions(statements)) expect(action).not.toMatch(/\*/);
  });

  it("is not a writer of the state table: its resource policy denies the digest's role every item write", () => {
    const statements = readPolicy(named("StateTablePolicy").inputs.policy);
    const table = arnOf("StateTable");
    for (const action of ["dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"]) {
      expect(denies(statements, { principalArn: digestRoleArn, action, resource: table }), action).toBe(true);
    }
    const enricherRole = `arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-enricher`;
    expect(denies(statements, { principalArn: enricherRole, action: "dynamodb:PutItem", resource: table })).toBe(false);
  });

  it("retries a failed run twice within 6 h, then sends it to the digest's failure queue", () => {
    const configs = ofType(T.eventInvokeConfig).filter((c) => c.inputs.functionName === "secretwatch-dev-digest");
    expect(configs.map((c) => c.inputs)).toEqual([
      {
        functionName: "secretwatch-dev-digest",
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 21600,
        destinationConfig: { onFailure: { destination: arnOf("DigestFailures") } },
      },
    ]);
  });

  it("keeps failed runs 14 days in an encrypted queue of its own", () => {
    expect(named("DigestFailures").inputs).toMatchObject({
      name: "secretwatch-dev-digest-failures",
      messageRetentionSeconds: 1209600,
      sqsManagedSseEnabled: true,
    });
  });

  it("logs to its own group, kept for the retention period", () => {
    expect(named("DigestLogGroup").inputs).toMatchObject({
      name: "/aws/lambda/secretwatch-dev-digest",
      retentionInDays: DEFAULT_RETENTION_DAYS,
    });
  });
});

describe("alarms on the digest", () => {
  const atLeastOnce = {
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  };

  it("alarms on the function's errors, to the topic", () => {
    expect(named("DigestErrorsAlarm").inputs).toMatchObject({
      ...atLeastOnce,
      name: "secretwatch-dev-digest-errors",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: "secretwatch-dev-digest" },
      statistic: "Sum",
      alarmActions: [topicArn()],
    });
  });

  it("alarms on runs waiting in its failure queue, to the topic", () => {
    expect(named("DigestFailuresAlarm").inputs).toMatchObject({
      ...atLeastOnce,
      name: "secretwatch-dev-digest-failures-waiting",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "secretwatch-dev-digest-failures" },
      statistic: "Maximum",
      alarmActions: [topicArn()],
    });
  });

  it("graphs the digest on the dashboard", () => {
    const body = JSON.parse(named("Dashboard").inputs.dashboardBody) as { widgets: any[] };
    const metrics = body.widgets.flatMap((w) => (w.type === "metric" ? w.properties.metrics : []));
    expect(metrics).toEqual(
      expect.arrayContaining([
        ["AWS/Lambda", "Errors", "FunctionName", "secretwatch-dev-digest"],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "secretwatch-dev-digest-failures"],
      ]),
    );
  });
});

describe("settings the lead's learning reads", () => {
  it("passes SECRETWATCH_LEARNING_HOURS (default 24) to the enricher", () => {
    expect(named("EnricherFunction").inputs.environment.variables.SECRETWATCH_LEARNING_HOURS).toBe("24");
  });

  it("says in the outputs when the digest runs", () => {
    expect(result.outputs.digest).toBe("daily: cron(5 8 * * ? *) UTC, secretwatch-dev-digest");
  });
});
