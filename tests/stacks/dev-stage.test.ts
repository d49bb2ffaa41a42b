/**
 * Scenario: a developer stage (`dev`) with two alert addresses and default settings, in
 * account 111122223333, us-east-2. Checks every resource's inputs, options and rendered
 * policies against what the deployment needs to actually work and stay least-privilege.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { METRIC_FILTER_PATTERN, METRIC_NAMESPACE, SUBSCRIPTION_FILTER_PATTERN } from "../../packages/core/src/events";
import { logGroupName, resourceName, secretAccessMetricName, trailBucketName } from "../../packages/core/src/naming";
import { DEFAULT_BLIND_SPOT_MINUTES, DEFAULT_RETENTION_DAYS } from "../../packages/core/src/settings";
import { matchesPattern, parseJsonPattern } from "../helpers/filter-pattern";
import { allowedActions, arnLike, readPolicy, type Statement } from "./harness/policy";
import { arnOf, childrenOf, named, ofType, onlyOfType, recorded, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";
import { rpcCalls } from "./harness/sst-rpc-stub";

const ref = { app: "secretwatch", stage: "dev" };
const ACCOUNT = "111122223333";
const REGION = "us-east-2";
const logsArn = (group: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}`;

let result: RunResult;
beforeAll(async () => {
  result = await runApp({ stage: "dev", env: { alertEmails: "security@example.com, oncall@example.org" } });
});

const topicArn = () => arnOf("SecurityAlarms");
const trailLogGroupArn = () => arnOf("TrailLogGroup");

describe("app and outputs", () => {
  it("is a removable, unprotected stage", () => {
    expect(result.app).toEqual({ name: "secretwatch", home: "aws", removal: "remove", protect: false });
    expect(result.outputs._protect).toBe(false);
  });

  it("outputs the topic, log group, trail, enricher and dashboard", () => {
    expect(result.outputs).toMatchObject({
      stage: "dev",
      production: false,
      alertTopicArn: topicArn(),
      logGroup: "/secretwatch/dev/cloudtrail",
      trail: "secretwatch-dev-trail",
      trailBucket: `secretwatch-dev-trail-${ACCOUNT}`,
      enricher: "secretwatch-dev-enricher",
      dashboard: "secretwatch-dev-dashboard",
    });
    expect(result.outputs.demoSecret).toBeUndefined();
  });
});

describe("names", () => {
  it("gives every resource its physical name from naming.ts, with app and stage in it", () => {
    const expected: Record<string, [field: string, value: string]> = {
      TrailBucketBucket: ["bucket", trailBucketName(ref, ACCOUNT)],
      Trail: ["name", resourceName(ref, "trail")],
      TrailLogsRole: ["name", resourceName(ref, "trailRole")],
      TrailLogGroup: ["name", logGroupName(ref)],
      SecretAccessMetricFilter: ["name", resourceName(ref, "metricFilter")],
      SecretAccessAlarm: ["name", resourceName(ref, "secretAccessAlarm")],
      SecurityAlarms: ["name", resourceName(ref, "topic")],
      EnricherFunction: ["name", resourceName(ref, "enricher")],
      EnricherRole: ["name", resourceName(ref, "enricherRole")],
      EnricherLogGroup: ["name", `/aws/lambda/${resourceName(ref, "enricher")}`],
      EnricherFailures: ["name", resourceName(ref, "failureQueue")],
      EnricherSubscription: ["name", resourceName(ref, "subscriptionFilter")],
      Dashboard: ["dashboardName", resourceName(ref, "dashboard")],
      EnricherErrorsAlarm: ["name", resourceName(ref, "enricherErrorsAlarm")],
      EnricherThrottlesAlarm: ["name", resourceName(ref, "enricherThrottlesAlarm")],
      EnricherDroppedAlarm: ["name", resourceName(ref, "enricherDroppedAlarm")],
      EnricherDestinationAlarm: ["name", resourceName(ref, "enricherDestinationAlarm")],
      EnricherFailuresAlarm: ["name", resourceName(ref, "failureQueueAlarm")],
      AlertDeliveryFailedAlarm: ["name", resourceName(ref, "deliveryFailedAlarm")],
      BlindSpotAlarm: ["name", resourceName(ref, "blindSpotAlarm")],
    };
    for (const [logical, [field, value]] of Object.entries(expected)) {
      expect(named(logical).inputs[field], logical).toBe(value);
      expect(value, logical).toMatch(/secretwatch[-/]dev[-/]/);
    }
    expect(named("SecretAccessAlarm").inputs.name).toBe("secretwatch-dev-secret-access");
    expect(named("TrailLogGroup").inputs.name).toBe("/secretwatch/dev/cloudtrail");
  });

  it("names every alarm with the stage prefix the topic policy trusts", () => {
    const alarms = ofType(T.alarm);
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) expect(alarm.inputs.name).toMatch(/^secretwatch-dev-/);
  });
});

describe("trail bucket", () => {
  it("has exactly one bucket policy in the whole app, the trail bucket's own", () => {
    const policy = onlyOfType(T.bucketPolicy);
    expect(policy.name).toBe("TrailBucketPolicy");
    expect(policy.parent).toBe("TrailBucket");
    expect(policy.inputs.bucket).toBe(named("TrailBucketBucket").inputs.bucket);
  });

  it("denies every request without TLS", () => {
    const statements = readPolicy(named("TrailBucketPolicy").inputs.policy);
    const bucketArn = arnOf("TrailBucketBucket");
    expect(statements).toContainEqual({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": ["false"] } },
    });
  });

  it("lets CloudTrail read the ACL and write AWSLogs/<account>/*, only for this trail", () => {
    const statements = readPolicy(named("TrailBucketPolicy").inputs.policy);
    const bucketArn = arnOf("TrailBucketBucket");
    const trailArn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/secretwatch-dev-trail`;
    // The ARN built for the policy is the one the trail will have.
    expect(arnOf("Trail")).toBe(trailArn);
    const allows = statements.filter((s) => s.Effect === "Allow");
    expect(allows).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: ["cloudtrail.amazonaws.com"] },
        Action: ["s3:GetBucketAcl"],
        Resource: [bucketArn],
        Condition: { StringEquals: { "aws:SourceArn": [trailArn] } },
      },
      {
        Effect: "Allow",
        Principal: { Service: ["cloudtrail.amazonaws.com"] },
        Action: ["s3:PutObject"],
        Resource: [`${bucketArn}/AWSLogs/${ACCOUNT}/*`],
        Condition: {
          StringEquals: { "s3:x-amz-acl": ["bucket-owner-full-control"], "aws:SourceArn": [trailArn] },
        },
      },
    ]);
    expect(statements).toHaveLength(3);
  });

  it("blocks all public access, keeps versions, adds no CORS rule", () => {
    expect(named("TrailBucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(named("TrailBucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(ofType(T.cors)).toEqual([]);
  });

  it("expires log files after the retention period", () => {
    const [rule, ...others] = named("TrailBucketLifecycle").inputs.rules;
    expect(others).toEqual([]);
    expect(rule).toMatchObject({ status: "Enabled", filter: {}, expiration: { days: DEFAULT_RETENTION_DAYS } });
    expect(rule.noncurrentVersionExpiration.noncurrentDays).toBeGreaterThan(0);
  });

  it("is emptied and deleted with a non-production stage", () => {
    const bucket = named("TrailBucketBucket");
    expect(bucket.inputs.forceDestroy).toBe(true);
    expect(bucket.retainOnDelete).not.toBe(true);
  });
});

describe("trail", () => {
  it("logs every Region, global services, with log file validation", () => {
    expect(named("Trail").inputs).toMatchObject({
      name: "secretwatch-dev-trail",
      s3BucketName: named("TrailBucketBucket").inputs.bucket,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
    });
  });

  it("logs Read and Write management events, except KMS and RDS Data API", () => {
    const { advancedEventSelectors, eventSelectors } = named("Trail").inputs;
    expect(eventSelectors ?? []).toEqual([]);
    expect(advancedEventSelectors).toHaveLength(1);
    const fields = advancedEventSelectors[0].fieldSelectors as { field: string }[];
    // No readOnly selector: both Read (GetSecretValue) and Write events are logged.
    expect(fields.map((f) => f.field).sort()).toEqual(["eventCategory", "eventSource"]);
    expect(fields).toContainEqual({ field: "eventCategory", equals: ["Management"] });
    expect(fields).toContainEqual({ field: "eventSource", notEquals: ["kms.amazonaws.com", "rdsdata.amazonaws.com"] });
  });

  it("delivers to the log group ARN with `:*`, through its own role", () => {
    expect(named("Trail").inputs.cloudWatchLogsGroupArn).toBe(`${trailLogGroupArn()}:*`);
    expect(named("Trail").inputs.cloudWatchLogsGroupArn).toBe(`${logsArn("/secretwatch/dev/cloudtrail")}:*`);
    expect(named("Trail").inputs.cloudWatchLogsRoleArn).toBe(arnOf("TrailLogsRole"));
  });

  it("is created after the bucket policy and the role policy", () => {
    const trail = named("Trail");
    expect(trail.dependsOn).toEqual(expect.arrayContaining(["TrailBucket", "TrailLogsRolePolicy"]));
    // What the engine is told: the bucket component expands to its policy.
    expect(trail.dependencies).toEqual(expect.arrayContaining(["TrailBucketPolicy", "TrailLogsRolePolicy"]));
    expect(childrenOf("TrailBucket").map((r) => r.name)).toContain("TrailBucketPolicy");
  });

  it("has a role only CloudTrail can assume", () => {
    const trust = readPolicy(named("TrailLogsRole").inputs.assumeRolePolicy);
    expect(trust).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: ["cloudtrail.amazonaws.com"] },
        Action: ["sts:AssumeRole"],
        Resource: [],
        Condition: {},
      },
    ]);
  });

  it("lets that role create streams and put events in its log group, nothing else", () => {
    expect(named("TrailLogsRole").inputs.managedPolicyArns ?? []).toEqual([]);
    expect(named("TrailLogsRole").inputs.inlinePolicies ?? []).toEqual([]);
    const policies = ofType(T.rolePolicy);
    expect(policies.map((p) => p.name)).toEqual(["TrailLogsRolePolicy"]);
    expect(named("TrailLogsRolePolicy").inputs.role).toBe("secretwatch-dev-trail-logs");
    expect(readPolicy(named("TrailLogsRolePolicy").inputs.policy)).toEqual([
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${logsArn("/secretwatch/dev/cloudtrail")}:log-stream:*`],
        Condition: {},
      },
    ]);
  });

  it("writes to a log group with the retention setting, deleted with the stage", () => {
    const group = named("TrailLogGroup");
    expect(group.inputs.retentionInDays).toBe(DEFAULT_RETENTION_DAYS);
    expect(group.retainOnDelete).not.toBe(true);
  });
});

// Minimal CloudTrail records: what the filters compare.
const sm = "secretsmanager.amazonaws.com";
const records = {
  read: { eventSource: sm, eventName: "GetSecretValue", requestParameters: { secretId: "prod/db" } },
  batch: { eventSource: sm, eventName: "BatchGetSecretValue", requestParameters: { secretIdList: ["a", "b"] } },
  describe: { eventSource: sm, eventName: "DescribeSecret", requestParameters: { secretId: "prod/db" } },
  policyMentioningRead: {
    eventSource: sm,
    eventName: "PutResourcePolicy",
    requestParameters: { resourcePolicy: '{"Statement":[{"Action":"secretsmanager:GetSecretValue"}]}' },
  },
  iamPolicyMentioningRead: {
    eventSource: "iam.amazonaws.com",
    eventName: "PutRolePolicy",
    requestParameters: { policyDocument: '{"Action":"secretsmanager:GetSecretValue"}' },
  },
  otherService: { eventSource: "ssm.amazonaws.com", eventName: "GetSecretValue" },
};

describe("secret-access metric filter and alarm", () => {
  it("uses the JSON pattern from events.ts, never a bare term", () => {
    const { pattern } = named("SecretAccessMetricFilter").inputs;
    expect(pattern).toBe(METRIC_FILTER_PATTERN);
    expect(pattern).toBe('{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") }');
    expect(() => parseJsonPattern(pattern)).not.toThrow();
  });

  it("counts each secret read once: GetSecretValue, not the batch call nor policy text", () => {
    const { pattern } = named("SecretAccessMetricFilter").inputs;
    expect(matchesPattern(pattern, records.read)).toBe(true);
    expect(matchesPattern(pattern, records.batch)).toBe(false);
    expect(matchesPattern(pattern, records.describe)).toBe(false);
    expect(matchesPattern(pattern, records.policyMentioningRead)).toBe(false);
    expect(matchesPattern(pattern, records.iamPolicyMentioningRead)).toBe(false);
    expect(matchesPattern(pattern, records.otherService)).toBe(false);
  });

  it("publishes 1 per read to the stage's metric, 0 by default, without dimensions", () => {
    const filter = named("SecretAccessMetricFilter");
    expect(filter.inputs.logGroupName).toBe("/secretwatch/dev/cloudtrail");
    expect(filter.inputs.metricTransformation).toEqual({
      name: secretAccessMetricName(ref),
      namespace: METRIC_NAMESPACE,
      value: "1",
      defaultValue: "0",
      unit: "Count",
    });
  });

  it("alarms on the Sum of reads in a minute, at the first read", () => {
    expect(named("SecretAccessAlarm").inputs).toMatchObject({
      namespace: METRIC_NAMESPACE,
      metricName: secretAccessMetricName(ref),
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [topicArn()],
    });
    expect(named("SecretAccessAlarm").inputs.dimensions).toBeUndefined();
  });
});

describe("alert topic", () => {
  it("subscribes each address by email", () => {
    const subs = ofType(T.subscription);
    expect(subs.map((s) => s.inputs.endpoint).sort()).toEqual(["oncall@example.org", "security@example.com"]);
    for (const s of subs) expect(s.inputs).toMatchObject({ protocol: "email", topic: topicArn() });
  });

  it("lets CloudWatch publish only for this account's alarms of this stage", () => {
    const statements = readPolicy(named("SecurityAlarmsPolicy").inputs.policy);
    expect(named("SecurityAlarmsPolicy").inputs.arn).toBe(topicArn());
    const fromCloudWatch = statements.filter(
      (s) => s.Principal !== "*" && s.Principal?.Service?.includes("cloudwatch.amazonaws.com"),
    );
    expect(fromCloudWatch).toEqual([
      {
        Sid: "CloudWatchAlarmsOfThisStage",
        Effect: "Allow",
        Principal: { Service: ["cloudwatch.amazonaws.com"] },
        Action: ["sns:Publish"],
        Resource: [topicArn()],
        Condition: {
          StringEquals: { "aws:SourceAccount": [ACCOUNT] },
          ArnLike: { "aws:SourceArn": [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:secretwatch-dev-*`] },
        },
      },
    ]);
    // Every alarm of the app is covered; another stage's alarm is not.
    const pattern = fromCloudWatch[0]?.Condition.ArnLike?.["aws:SourceArn"]?.[0] ?? "";
    for (const alarm of ofType(T.alarm)) expect(arnLike(pattern, arnOf(alarm.name)), alarm.name).toBe(true);
    expect(arnLike(pattern, `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:secretwatch-prod-secret-access`)).toBe(
      false,
    );
  });

  it("is not public and not open to other accounts", () => {
    const statements = readPolicy(named("SecurityAlarmsPolicy").inputs.policy);
    for (const s of statements.filter((x) => x.Effect === "Allow")) {
      expect(s.Principal, JSON.stringify(s)).not.toBe("*");
      const aws = s.Principal !== "*" ? (s.Principal?.AWS ?? []) : [];
      for (const id of aws) expect(id).toBe(`arn:aws:iam::${ACCOUNT}:root`);
      expect(s.Resource).toEqual([topicArn()]);
    }
  });
});

describe("enricher", () => {
  it("runs the enricher handler on Node 22, arm64, 256 MB, 60 s", () => {
    expect(onlyOfType(T.function).name).toBe("EnricherFunction");
    expect(named("EnricherFunction").inputs).toMatchObject({
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memorySize: 256,
      timeout: 60,
      role: arnOf("EnricherRole"),
    });
    const builds = rpcCalls.filter((c) => c.method === "Runtime.Build");
    expect(builds.map((c) => (c.args as { handler: string }).handler)).toEqual([
      "packages/functions/src/enricher.handler",
    ]);
  });

  it("receives the topic ARN, app and stage in its environment", () => {
    expect(named("EnricherFunction").inputs.environment.variables).toMatchObject({
      SECRETWATCH_TOPIC_ARN: topicArn(),
      SECRETWATCH_APP: "secretwatch",
      SECRETWATCH_STAGE: "dev",
    });
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

  it("may publish to the topic, send to its failure queue and log to its own group, nothing else", () => {
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
    const config = onlyOfType(T.eventInvokeConfig);
    expect(config.inputs).toEqual({
      functionName: "secretwatch-dev-enricher",
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 21600,
      destinationConfig: { onFailure: { destination: arnOf("EnricherFailures") } },
    });
  });

  it("keeps failed events 14 days in an encrypted queue", () => {
    expect(onlyOfType(T.queue).inputs).toMatchObject({
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
    expect(matchesPattern(filter.inputs.filterPattern, records.policyMentioningRead)).toBe(false);
    expect(matchesPattern(filter.inputs.filterPattern, records.iamPolicyMentioningRead)).toBe(false);
    expect(filter.dependsOn).toEqual(["EnricherInvokePermission"]);
    expect(filter.dependencies).toContain("EnricherInvokePermission");
  });
});

describe("self-monitoring", () => {
  const atLeastOnce = {
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  };

  it.each([
    ["EnricherErrorsAlarm", "Errors"],
    ["EnricherThrottlesAlarm", "Throttles"],
    ["EnricherDroppedAlarm", "AsyncEventsDropped"],
    ["EnricherDestinationAlarm", "DestinationDeliveryFailures"],
  ])("%s alarms on the enricher's %s", (name, metricName) => {
    expect(named(name).inputs).toMatchObject({
      ...atLeastOnce,
      namespace: "AWS/Lambda",
      metricName,
      dimensions: { FunctionName: "secretwatch-dev-enricher" },
      statistic: "Sum",
      alarmActions: [topicArn()],
    });
  });

  it("alarms when failed events wait in the queue", () => {
    expect(named("EnricherFailuresAlarm").inputs).toMatchObject({
      ...atLeastOnce,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "secretwatch-dev-enricher-failures" },
      statistic: "Maximum",
      alarmActions: [topicArn()],
    });
  });

  it("alarms when SNS fails to deliver an alert", () => {
    expect(named("AlertDeliveryFailedAlarm").inputs).toMatchObject({
      ...atLeastOnce,
      namespace: "AWS/SNS",
      metricName: "NumberOfNotificationsFailed",
      dimensions: { TopicName: "secretwatch-dev-alerts" },
      statistic: "Sum",
      alarmActions: [topicArn()],
    });
  });

  it("alarms when the log group receives nothing for the blind-spot window (missing data breaches)", () => {
    const { inputs } = named("BlindSpotAlarm");
    expect(inputs).toMatchObject({
      namespace: "AWS/Logs",
      metricName: "IncomingLogEvents",
      dimensions: { LogGroupName: "/secretwatch/dev/cloudtrail" },
      statistic: "Sum",
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      alarmActions: [topicArn()],
    });
    expect(inputs.period * inputs.evaluationPeriods).toBe(DEFAULT_BLIND_SPOT_MINUTES * 60);
    expect(inputs.period % 60).toBe(0);
    expect(inputs.period * inputs.evaluationPeriods).toBeLessThanOrEqual(86400);
  });

  it("never averages, and every alarm notifies the topic", () => {
    for (const alarm of ofType(T.alarm)) {
      expect(alarm.inputs.statistic, alarm.name).not.toBe("Average");
      expect(alarm.inputs.alarmActions, alarm.name).toEqual([topicArn()]);
    }
  });
});

describe("dashboard", () => {
  const metrics = () => {
    const body = JSON.parse(named("Dashboard").inputs.dashboardBody) as { widgets: any[] };
    return body.widgets.flatMap((w) => (w.type === "metric" ? (w.properties.metrics as string[][]) : []));
  };

  it("graphs the secret-access metric the filter publishes", () => {
    const { metricTransformation } = named("SecretAccessMetricFilter").inputs;
    expect(metrics()).toContainEqual([metricTransformation.namespace, metricTransformation.name]);
    expect(metrics()).toContainEqual([METRIC_NAMESPACE, secretAccessMetricName(ref)]);
  });

  it("graphs enricher invocations and errors, queue depth and incoming log events", () => {
    expect(metrics()).toEqual(
      expect.arrayContaining([
        ["AWS/Lambda", "Invocations", "FunctionName", "secretwatch-dev-enricher"],
        ["AWS/Lambda", "Errors", "FunctionName", "secretwatch-dev-enricher"],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "secretwatch-dev-enricher-failures"],
        ["AWS/Logs", "IncomingLogEvents", "LogGroupName", "/secretwatch/dev/cloudtrail"],
      ]),
    );
  });

  it("shows every alarm of the stage", () => {
    const body = JSON.parse(named("Dashboard").inputs.dashboardBody) as { widgets: any[] };
    const alarms = body.widgets.filter((w) => w.type === "alarm").flatMap((w) => w.properties.alarms);
    expect(alarms.sort()).toEqual(
      ofType(T.alarm)
        .map((a) => arnOf(a.name))
        .sort(),
    );
  });
});

describe("what is not deployed", () => {
  it("creates no demo secret unless asked", () => {
    expect(ofType(T.secret)).toEqual([]);
    expect(ofType(T.secretVersion)).toEqual([]);
  });

  it("registers nothing twice", () => {
    const keys = recorded.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
