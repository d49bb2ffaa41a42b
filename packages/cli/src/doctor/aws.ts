/**
 * The AWS calls behind `secretwatch doctor`, each returning every page of its answer.
 * Read-only: Describe*, Get*, List*.
 */
import {
  CloudTrailClient,
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
  type Dimension,
  type MetricAlarm,
  paginateGetMetricData,
} from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  type MetricFilter,
  paginateDescribeMetricFilters,
  paginateDescribeSubscriptionFilters,
  type SubscriptionFilter,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  paginateListSubscriptionsByTopic,
  paginateListTopics,
  SNSClient,
  type Subscription,
} from "@aws-sdk/client-sns";
import { awsClientConfig } from "../aws-config.js";
import type { Series } from "./enricher.js";

export interface DoctorClients {
  cloudtrail: CloudTrailClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
}

/** One client per service, all in `region` (undefined: the SDK's default chain). */
export function createClients(region: string | undefined): DoctorClients {
  const config = awsClientConfig(region);
  return {
    cloudtrail: new CloudTrailClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
  };
}

/**
 * Trails in the Region, shadow trails included (other Regions' multi-Region trails and
 * organization trails). Not paginated.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
 */
export async function describeTrails(client: CloudTrailClient): Promise<Trail[]> {
  const out = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  return out.trailList ?? [];
}

/** @param trail a trail ARN (required for shadow and organization trails) or name */
export function getTrailStatus(client: CloudTrailClient, trail: string): Promise<GetTrailStatusResponse> {
  return client.send(new GetTrailStatusCommand({ Name: trail }));
}

export function getEventSelectors(client: CloudTrailClient, trail: string): Promise<GetEventSelectorsResponse> {
  return client.send(new GetEventSelectorsCommand({ TrailName: trail }));
}

/** @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeSubscriptionFilters.html */
export async function subscriptionFilters(
  client: CloudWatchLogsClient,
  logGroupName: string,
): Promise<SubscriptionFilter[]> {
  const filters: SubscriptionFilter[] = [];
  for await (const page of paginateDescribeSubscriptionFilters({ client }, { logGroupName })) {
    filters.push(...(page.subscriptionFilters ?? []));
  }
  return filters;
}

/** @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeMetricFilters.html */
export async function metricFilters(client: CloudWatchLogsClient, logGroupName: string): Promise<MetricFilter[]> {
  const filters: MetricFilter[] = [];
  for await (const page of paginateDescribeMetricFilters({ client }, { logGroupName })) {
    filters.push(...(page.metricFilters ?? []));
  }
  return filters;
}

/** The metric alarm named `name`, if any. */
export async function describeAlarm(client: CloudWatchClient, name: string): Promise<MetricAlarm | undefined> {
  const out = await client.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["MetricAlarm"] }));
  return out.MetricAlarms?.find((a) => a.AlarmName === name);
}

/** The metric alarms among `names` (at most 100 names: one request). */
export async function describeAlarms(client: CloudWatchClient, names: readonly string[]): Promise<MetricAlarm[]> {
  const out = await client.send(new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ["MetricAlarm"] }));
  return out.MetricAlarms ?? [];
}

/** Every topic ARN of the Region (ListTopics pages of 100). */
export async function listTopicArns(client: SNSClient): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of paginateListTopics({ client }, {})) {
    for (const topic of page.Topics ?? []) if (topic.TopicArn) arns.push(topic.TopicArn);
  }
  return arns;
}

/** @see https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html */
export async function topicSubscriptions(client: SNSClient, topicArn: string): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  for await (const page of paginateListSubscriptionsByTopic({ client }, { TopicArn: topicArn })) {
    subscriptions.push(...(page.Subscriptions ?? []));
  }
  return subscriptions;
}

export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: "Sum" | "Maximum";
  periodSeconds: number;
  start: Date;
  end: Date;
}

/**
 * The datapoints of one metric between `start` and `end` (all pages, newest first).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
export async function metricSeries(client: CloudWatchClient, query: MetricQuery): Promise<Series> {
  const Dimensions: Dimension[] = Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value }));
  const series: Series = { timestamps: [], values: [] };
  const input = {
    StartTime: query.start,
    EndTime: query.end,
    ScanBy: "TimestampDescending" as const,
    MetricDataQueries: [
      {
        Id: "m",
        MetricStat: {
          Metric: { Namespace: query.namespace, MetricName: query.metricName, Dimensions },
          Period: query.periodSeconds,
          Stat: query.stat,
        },
        ReturnData: true,
      },
    ],
  };
  for await (const page of paginateGetMetricData({ client }, input)) {
    for (const result of page.MetricDataResults ?? []) {
      if (result.Id !== "m") continue;
      series.timestamps.push(...(result.Timestamps ?? []));
      series.values.push(...(result.Values ?? []));
    }
  }
  return series;
}
