/**
 * A deployed `dev` stage as the AWS APIs describe it (response shapes as documented), held
 * in a mutable "world" that the SDK mocks answer from: a test breaks one link, then runs
 * `secretwatch doctor`.
 */
import {
  CloudTrailClient,
  CloudTrailServiceException,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsResponse,
  GetTrailStatusCommand,
  type GetTrailStatusResponse,
  type Trail,
} from "@aws-sdk/client-cloudtrail";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataInput,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  type MetricFilter,
  type SubscriptionFilter,
} from "@aws-sdk/client-cloudwatch-logs";
import { ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient, type Subscription } from "@aws-sdk/client-sns";
import {
  resourceName,
  SUBSCRIPTION_FILTER_PATTERN,
  TAMPER_ALARM_TIMING,
  type TamperMetricGroup,
  tamperMetricName,
  tamperMetricPattern,
} from "@secretwatch/core";
import { mockClient } from "aws-sdk-client-mock";

export const NOW = new Date("2024-08-01T00:00:00Z");
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/secretwatch-dev-trail`;
export const LOG_GROUP = "/secretwatch/dev/cloudtrail";
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:secretwatch-dev-alerts`;
export const ENRICHER_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:secretwatch-dev-enricher`;

/** Literal patterns, as DescribeMetricFilters / DescribeSubscriptionFilters return them. */
export const METRIC_PATTERN =
  '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") }';
/** The enricher's pattern is the shared one (it grows with the tamper events): as deployed. */
export const SUBSCRIPTION_PATTERN = SUBSCRIPTION_FILTER_PATTERN;

export const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

export interface Datapoints {
  Timestamps: Date[];
  Values: number[];
}

export interface World {
  trails: Trail[];
  status: GetTrailStatusResponse;
  selectors: GetEventSelectorsResponse;
  incoming: Datapoints;
  subscriptionFilters: SubscriptionFilter[];
  metricFilters: MetricFilter[];
  alarms: MetricAlarm[];
  topics: string[];
  subscriptions: Subscription[];
  /** Subscriptions of other topics than the alert topic, by topic ARN. */
  otherSubscriptions?: Record<string, Subscription[]>;
  lambdaErrors: Datapoints;
  queueDepth: Datapoints;
  /** An error a command rejects with, by command name (e.g. `GetEventSelectorsCommand`). */
  failures: Record<string, Error>;
}

export function stageTrail(): Trail {
  return {
    Name: "secretwatch-dev-trail",
    S3BucketName: `secretwatch-dev-trail-${ACCOUNT}`,
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: true,
    HomeRegion: REGION,
    TrailARN: TRAIL_ARN,
    LogFileValidationEnabled: true,
    CloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:*`,
    CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-trail-logs`,
    HasCustomEventSelectors: true,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
  };
}

/** Another trail of the account (no CloudWatch Logs), to be ignored. */
export function otherTrail(): Trail {
  return {
    Name: "management-events",
    S3BucketName: "aws-cloudtrail-logs-123456789012-0a1b2c3d",
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: true,
    HomeRegion: "eu-west-1",
    TrailARN: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/management-events`,
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
  };
}

function hourly(values: number[]): Datapoints {
  return { Timestamps: values.map((_, i) => new Date(NOW.getTime() - (i + 1) * 3_600_000)), Values: values };
}

/** The reconciliation alarm as DescribeAlarms returns a metric math alarm (no Statistic; `Metrics`). */
export function reconciliationAlarm(): MetricAlarm {
  const name = "secretwatch-dev-reads-not-assessed";
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [TOPIC_ARN],
    InsufficientDataActions: [],
    StateValue: "OK",
    StateReason:
      "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
    StateUpdatedTimestamp: new Date("2024-07-31T18:02:00Z"),
    Dimensions: [],
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    TreatMissingData: "notBreaching",
    Metrics: [
      {
        Id: "reads",
        MetricStat: {
          Metric: { Namespace: "SecurityMetrics", MetricName: "Secret is accessed (secretwatch-dev)", Dimensions: [] },
          Period: 3600,
          Stat: "Sum",
        },
        ReturnData: false,
      },
      {
        Id: "assessed",
        MetricStat: {
          Metric: {
            Namespace: "secretwatch",
            MetricName: "ReadsAssessed",
            Dimensions: [{ Name: "service", Value: "secretwatch-dev-enricher" }],
          },
          Period: 3600,
          Stat: "Sum",
        },
        ReturnData: false,
      },
      {
        Id: "unassessed",
        Expression: "FILL(reads, 0) - FILL(assessed, 0)",
        Label: "Secret reads the enricher did not assess",
        ReturnData: true,
      },
    ],
  };
}

const STAGE = { app: "secretwatch", stage: "dev" };

/**
 * The tamper metric filters on the watched log group, as DescribeMetricFilters returns them:
 * patterns from core (as stacks/tamper.ts deploys them), one filter per function.
 */
export function tamperFilters(): MetricFilter[] {
  const functions = { enricher: "secretwatch-dev-enricher", digest: "secretwatch-dev-digest" };
  const filters: Array<[string, TamperMetricGroup, readonly string[] | null]> = [
    [resourceName(STAGE, "tamperTrailMetricFilter"), "trail", ["secretwatch-dev-trail"]],
    [resourceName(STAGE, "tamperLogsMetricFilter"), "logs", [LOG_GROUP]],
    [resourceName(STAGE, "tamperEnricherMetricFilter"), "functions", [functions.enricher]],
    [resourceName(STAGE, "tamperDigestMetricFilter"), "functions", [functions.digest]],
    [resourceName(STAGE, "tamperTopicsMetricFilter"), "topics", [TOPIC_ARN]],
  ];
  return filters.map(([filterName, group, resources]) => ({
    filterName,
    filterPattern: tamperMetricPattern(group, resources),
    metricTransformations: [
      {
        metricName: tamperMetricName(STAGE, group),
        metricNamespace: "SecurityMetrics",
        metricValue: "1",
        defaultValue: 0,
        unit: "Count",
      },
    ],
    creationTime: 1_719_824_400_000,
    logGroupName: LOG_GROUP,
    applyOnTransformedLogs: false,
  }));
}

/** The tamper alarms as DescribeAlarms returns them: 1 breaching minute of the last 25, to the alert topic. */
export function tamperAlarms(): MetricAlarm[] {
  const groups: Array<[string, TamperMetricGroup]> = [
    [resourceName(STAGE, "tamperTrailAlarm"), "trail"],
    [resourceName(STAGE, "tamperLogsAlarm"), "logs"],
    [resourceName(STAGE, "tamperFunctionsAlarm"), "functions"],
    [resourceName(STAGE, "tamperTopicsAlarm"), "topics"],
  ];
  return groups.map(([name, group]) => ({
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [TOPIC_ARN],
    InsufficientDataActions: [],
    StateValue: "OK",
    StateReason:
      "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
    StateUpdatedTimestamp: new Date("2024-07-31T18:02:00Z"),
    MetricName: tamperMetricName(STAGE, group),
    Namespace: "SecurityMetrics",
    Statistic: "Sum",
    Dimensions: [],
    Period: TAMPER_ALARM_TIMING.period,
    EvaluationPeriods: TAMPER_ALARM_TIMING.evaluationPeriods,
    DatapointsToAlarm: TAMPER_ALARM_TIMING.datapointsToAlarm,
    Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    TreatMissingData: "notBreaching",
  }));
}

export function healthyWorld(): World {
  return {
    trails: [otherTrail(), stageTrail()],
    status: {
      IsLogging: true,
      LatestDeliveryTime: minutesAgo(3),
      StartLoggingTime: new Date("2024-07-01T09:00:00Z"),
      LatestCloudWatchLogsDeliveryTime: minutesAgo(4),
      LatestDigestDeliveryTime: minutesAgo(40),
      LatestDeliveryAttemptTime: "2024-07-31T23:57:00Z",
      LatestDeliveryAttemptSucceeded: "2024-07-31T23:57:00Z",
      LatestNotificationAttemptTime: "",
      LatestNotificationAttemptSucceeded: "",
      TimeLoggingStarted: "2024-07-01T09:00:00Z",
      TimeLoggingStopped: "",
    },
    selectors: {
      TrailARN: TRAIL_ARN,
      AdvancedEventSelectors: [
        {
          Name: "Management events (Read and Write) except KMS and RDS Data API",
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Management"] },
            { Field: "eventSource", NotEquals: ["kms.amazonaws.com", "rdsdata.amazonaws.com"] },
          ],
        },
      ],
    },
    incoming: {
      Timestamps: [minutesAgo(5), minutesAgo(10), minutesAgo(15)],
      Values: [120, 87, 133],
    },
    subscriptionFilters: [
      {
        filterName: "secretwatch-dev-enricher",
        logGroupName: LOG_GROUP,
        filterPattern: SUBSCRIPTION_PATTERN,
        destinationArn: ENRICHER_ARN,
        distribution: "ByLogStream",
        applyOnTransformedLogs: false,
        creationTime: 1_719_824_400_000,
      },
    ],
    metricFilters: [
      {
        filterName: "secretwatch-dev-secret-access",
        filterPattern: METRIC_PATTERN,
        metricTransformations: [
          {
            metricName: "Secret is accessed (secretwatch-dev)",
            metricNamespace: "SecurityMetrics",
            metricValue: "1",
            defaultValue: 0,
            unit: "Count",
          },
        ],
        creationTime: 1_719_824_400_000,
        logGroupName: LOG_GROUP,
        applyOnTransformedLogs: false,
      },
      ...tamperFilters(),
    ],
    alarms: [
      {
        AlarmName: "secretwatch-dev-secret-access",
        AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:secretwatch-dev-secret-access`,
        AlarmDescription: "A secret value was read (stage dev). The enricher emails who read which secret.",
        AlarmConfigurationUpdatedTimestamp: new Date("2024-07-01T09:01:00Z"),
        ActionsEnabled: true,
        OKActions: [],
        AlarmActions: [TOPIC_ARN],
        InsufficientDataActions: [],
        StateValue: "OK",
        StateReason:
          "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        StateUpdatedTimestamp: new Date("2024-07-31T18:02:00Z"),
        MetricName: "Secret is accessed (secretwatch-dev)",
        Namespace: "SecurityMetrics",
        Statistic: "Sum",
        Dimensions: [],
        Period: 60,
        EvaluationPeriods: 25,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
        StateTransitionedTimestamp: new Date("2024-07-31T18:02:00Z"),
      },
      reconciliationAlarm(),
      ...tamperAlarms(),
    ],
    topics: [`arn:aws:sns:${REGION}:${ACCOUNT}:billing-alerts`, TOPIC_ARN],
    subscriptions: [
      {
        SubscriptionArn: `${TOPIC_ARN}:5f4dcc3b-5aa7-4c3a-9d1e-0a1b2c3d4e5f`,
        Owner: ACCOUNT,
        Protocol: "email",
        Endpoint: "alice@example.com",
        TopicArn: TOPIC_ARN,
      },
      {
        SubscriptionArn: `${TOPIC_ARN}:7c6a180b-3689-4b8f-8f0e-1b2c3d4e5f60`,
        Owner: ACCOUNT,
        Protocol: "email",
        Endpoint: "bob@example.com",
        TopicArn: TOPIC_ARN,
      },
    ],
    lambdaErrors: hourly([0, 0, 0]),
    queueDepth: { Timestamps: [minutesAgo(5), minutesAgo(10)], Values: [0, 0] },
    failures: {},
  };
}

/** Every command doctor sends with the stage's default settings. */
export const DOCTOR_COMMANDS = [
  "DescribeTrailsCommand",
  "DescribeSubscriptionFiltersCommand",
  "DescribeMetricFiltersCommand",
  "DescribeAlarmsCommand",
  "GetMetricDataCommand",
  "ListTopicsCommand",
  "ListSubscriptionsByTopicCommand",
] as const;

/** Makes each of `commands` fail with `error` (no network, no credentials...). */
export function failEvery(world: World, error: Error, commands: readonly string[] = DOCTOR_COMMANDS): void {
  for (const name of commands) world.failures[name] = error;
}

/** An AWS "access denied" error as the SDK raises it. */
export function accessDenied(action: string): Error {
  return new CloudTrailServiceException({
    name: "AccessDeniedException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message: `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
  });
}

export const mocks = {
  cloudtrail: mockClient(CloudTrailClient),
  logs: mockClient(CloudWatchLogsClient),
  cloudwatch: mockClient(CloudWatchClient),
  sns: mockClient(SNSClient),
};

/** Pages of `size` items, with string tokens. */
function page<T>(items: readonly T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token ? Number(token) : 0;
  const next = start + size < items.length ? String(start + size) : undefined;
  return { items: items.slice(start, start + size), ...(next && { next }) };
}

function metricResult(world: World, input: GetMetricDataInput) {
  const metric = input.MetricDataQueries?.[0]?.MetricStat?.Metric;
  const data =
    metric?.Namespace === "AWS/Logs"
      ? world.incoming
      : metric?.Namespace === "AWS/Lambda"
        ? world.lambdaErrors
        : metric?.Namespace === "AWS/SQS"
          ? world.queueDepth
          : { Timestamps: [], Values: [] };
  return {
    MetricDataResults: [{ Id: "m", Label: metric?.MetricName, ...data, StatusCode: "Complete" as const, Messages: [] }],
    Messages: [],
  };
}

/** Resets every mock and answers from `world` (read at call time: mutate it before running). */
export function install(world: World): void {
  for (const mock of Object.values(mocks)) mock.reset();
  const answer =
    <T>(name: string, reply: (input: any) => T) =>
    (input: any) => {
      const failure = world.failures[name];
      if (failure) throw failure;
      return reply(input);
    };
  mocks.cloudtrail
    .on(DescribeTrailsCommand)
    .callsFake(answer("DescribeTrailsCommand", () => ({ trailList: world.trails })))
    .on(GetTrailStatusCommand)
    .callsFake(answer("GetTrailStatusCommand", () => world.status))
    .on(GetEventSelectorsCommand)
    .callsFake(answer("GetEventSelectorsCommand", () => world.selectors));
  mocks.logs
    .on(DescribeSubscriptionFiltersCommand)
    .callsFake(
      answer("DescribeSubscriptionFiltersCommand", (input) => {
        const p = page(world.subscriptionFilters, input.nextToken, 1);
        return { subscriptionFilters: p.items, ...(p.next && { nextToken: p.next }) };
      }),
    )
    .on(DescribeMetricFiltersCommand)
    .callsFake(
      answer("DescribeMetricFiltersCommand", (input) => {
        const p = page(world.metricFilters, input.nextToken, 50);
        return { metricFilters: p.items, ...(p.next && { nextToken: p.next }) };
      }),
    );
  mocks.cloudwatch
    .on(DescribeAlarmsCommand)
    .callsFake(
      answer("DescribeAlarmsCommand", (input) => ({
        MetricAlarms: world.alarms.filter((a) => input.AlarmNames?.includes(a.AlarmName)),
        CompositeAlarms: [],
      })),
    )
    .on(GetMetricDataCommand)
    .callsFake(answer("GetMetricDataCommand", (input) => metricResult(world, input)));
  mocks.sns
    .on(ListTopicsCommand)
    .callsFake(
      answer("ListTopicsCommand", (input) => {
        const p = page(world.topics, input.NextToken, 1);
        return { Topics: p.items.map((TopicArn) => ({ TopicArn })), ...(p.next && { NextToken: p.next }) };
      }),
    )
    .on(ListSubscriptionsByTopicCommand)
    .callsFake(
      answer("ListSubscriptionsByTopicCommand", (input) => {
        if (!world.topics.includes(input.TopicArn)) {
          throw Object.assign(new Error("Topic does not exist"), { name: "NotFoundException" });
        }
        const subscriptions =
          input.TopicArn === TOPIC_ARN ? world.subscriptions : (world.otherSubscriptions?.[input.TopicArn] ?? []);
        const p = page(subscriptions, input.NextToken, 1);
        return { Subscriptions: p.items, ...(p.next && { NextToken: p.next }) };
      }),
    );
}
