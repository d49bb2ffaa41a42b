/**
 * Runs every doctor check against a deployed stage: the SDK calls (aws.ts) feed the pure
 * checks (trail.ts, selectors.ts, logs.ts, metric-filter.ts, alarm.ts, topic.ts,
 * enricher.ts). An AWS error fails only the checks that needed that call; the links that do
 * not depend on it are still checked.
 */
import { METRIC_FILTER_PATTERN, METRIC_NAMESPACE, SUBSCRIPTION_FILTER_PATTERN } from "@secretwatch/core";
import { UserError } from "../errors.js";
import type { Io } from "../io.js";
import { DEFAULT_APP, type StageOptions, stageInfo } from "../stage.js";
import { checkAlarm, topicArnFromAlarmArn } from "./alarm.js";
import { Attempts } from "./attempts.js";
import * as aws from "./aws.js";
import { checkEnricherErrors, checkFailureQueue, sum } from "./enricher.js";
import { checkIncomingEvents, checkSubscriptionFilters } from "./logs.js";
import { checkMetricFilter } from "./metric-filter.js";
import { buildReport, type DoctorReport, type FixHints, fail } from "./report.js";
import { checkEventSelectors } from "./selectors.js";
import { checkSubscriptions, findTopicArn } from "./topic.js";
import { checkTrailStatus, selectTrail, trailId } from "./trail.js";

export const DEFAULT_MAX_DELIVERY_AGE_MINUTES = 15;
/** IncomingLogEvents is summed over this many hours. */
export const INCOMING_WINDOW_HOURS = 1;
const HOUR = 3_600_000;

export interface DoctorOptions extends StageOptions {
  /** Minutes: an older latest CloudWatch Logs delivery of the trail fails. */
  maxDeliveryAge: number;
}

/** Resolves the client's Region, or stops with one clear line. */
async function resolveRegion(clients: aws.DoctorClients): Promise<string> {
  try {
    const region = await clients.cloudtrail.config.region();
    if (region) return region;
  } catch {
    // fall through
  }
  throw new UserError("no AWS Region: pass --region or set AWS_REGION (or a region in your AWS profile)");
}

/** Runs the checks of a stage; throws a UserError only when no AWS call could be made at all. */
export async function runDoctor(io: Io, options: DoctorOptions, clientsFor = aws.createClients): Promise<DoctorReport> {
  const info = stageInfo(io, options);
  const { names } = info;
  const clients = clientsFor(options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION);
  const region = await resolveRegion(clients);
  const now = io.now();
  const group = info.logGroupName;

  const appFlag = options.app === DEFAULT_APP ? "" : ` --app ${options.app}`;
  const regionFlag = options.region ? ` --region ${options.region}` : "";
  const hints: FixHints = {
    deploy: `npx sst deploy --stage ${options.stage}`,
    cli: (command) => `secretwatch ${command} --stage ${options.stage}${appFlag}${regionFlag}`,
  };

  const attempts = new Attempts(hints);
  const attempt = attempts.run.bind(attempts);

  const trailChecks = () =>
    attempt("trail", "cloudtrail:DescribeTrails", "list trails", async () => {
      const picked = selectTrail(await aws.describeTrails(clients.cloudtrail), {
        trailName: names.trail,
        logGroupName: group,
        region,
        existingLogGroup: info.existingLogGroup,
        hints,
      });
      const trail = picked.trail;
      if (trail === undefined) return picked.results;
      const id = trailId(trail);
      const name = trail.Name ?? id;
      const selectorFix = info.existingLogGroup
        ? `log Read management events on trail ${name} (CloudTrail console → trail → Management events → Read)`
        : `restore its event selectors: ${hints.deploy}`;
      const [status, selectors] = await Promise.all([
        attempt("trail", "cloudtrail:GetTrailStatus", `read the status of trail ${name}`, async () =>
          checkTrailStatus(trail, await aws.getTrailStatus(clients.cloudtrail, id), {
            now,
            maxDeliveryAgeMinutes: options.maxDeliveryAge,
            logGroupName: group,
          }),
        ),
        attempt("trail", "cloudtrail:GetEventSelectors", `read the event selectors of trail ${name}`, async () => [
          checkEventSelectors(name, await aws.getEventSelectors(clients.cloudtrail, id), selectorFix),
        ]),
      ]);
      return [...picked.results, ...status, ...selectors];
    });

  const logGroupChecks = async () => {
    const [incoming, subscriptions] = await Promise.all([
      attempt("log group", "cloudwatch:GetMetricData", `read IncomingLogEvents of ${group}`, async () => {
        const series = await aws.metricSeries(clients.cloudwatch, {
          namespace: "AWS/Logs",
          metricName: "IncomingLogEvents",
          dimensions: { LogGroupName: group },
          stat: "Sum",
          periodSeconds: 300,
          start: new Date(now.getTime() - INCOMING_WINDOW_HOURS * HOUR),
          end: now,
        });
        return [checkIncomingEvents(group, sum(series), INCOMING_WINDOW_HOURS)];
      }),
      attempt("log group", "logs:DescribeSubscriptionFilters", `list the subscription filters of ${group}`, async () =>
        checkSubscriptionFilters(await aws.subscriptionFilters(clients.logs, group), {
          logGroupName: group,
          filterName: names.subscriptionFilter,
          pattern: SUBSCRIPTION_FILTER_PATTERN,
          functionName: names.enricher,
          hints,
        }),
      ),
    ]);
    return [...incoming, ...subscriptions];
  };

  const metricFilterChecks = () =>
    attempt("metric filter", "logs:DescribeMetricFilters", `list the metric filters of ${group}`, async () =>
      checkMetricFilter(await aws.metricFilters(clients.logs, group), {
        logGroupName: group,
        filterName: names.metricFilter,
        pattern: METRIC_FILTER_PATTERN,
        namespace: METRIC_NAMESPACE,
        metricName: info.metricName,
        hints,
      }),
    );

  /** The alarm, then the topic: the topic's ARN follows from the alarm's account and Region. */
  const alarmAndTopicChecks = async () => {
    let topicArn: string | undefined;
    const alarm = await attempt(
      "alarm",
      "cloudwatch:DescribeAlarms",
      `describe alarm ${names.secretAccessAlarm}`,
      async () => {
        const found = await aws.describeAlarm(clients.cloudwatch, names.secretAccessAlarm);
        topicArn = topicArnFromAlarmArn(found?.AlarmArn, names.topic);
        return checkAlarm(found, {
          alarmName: names.secretAccessAlarm,
          namespace: METRIC_NAMESPACE,
          metricName: info.metricName,
          topicArn,
          topicName: names.topic,
          hints,
        });
      },
    );
    const topic = await attempt(
      "topic",
      "sns:ListSubscriptionsByTopic",
      `list the subscriptions of topic ${names.topic}`,
      async () => {
        topicArn ??= findTopicArn(await aws.listTopicArns(clients.sns), names.topic);
        if (topicArn === undefined) return [fail("topic", `topic ${names.topic} not found in ${region}`, hints.deploy)];
        return checkSubscriptions(names.topic, await aws.topicSubscriptions(clients.sns, topicArn), hints);
      },
    );
    return [...alarm, ...topic];
  };

  const enricherChecks = async () => {
    const day = { start: new Date(now.getTime() - 24 * HOUR), end: now };
    const [errorsResult, queue] = await Promise.all([
      attempt("enricher", "cloudwatch:GetMetricData", `read the Errors of ${names.enricher}`, async () => {
        const series = await aws.metricSeries(clients.cloudwatch, {
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: names.enricher },
          stat: "Sum",
          periodSeconds: 3600,
          ...day,
        });
        return [checkEnricherErrors(names.enricher, series, hints)];
      }),
      attempt("enricher", "cloudwatch:GetMetricData", `read the depth of ${names.failureQueue}`, async () => {
        const series = await aws.metricSeries(clients.cloudwatch, {
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: names.failureQueue },
          stat: "Maximum",
          periodSeconds: 300,
          ...day,
        });
        return [checkFailureQueue(names.failureQueue, series, hints)];
      }),
    ]);
    return [...errorsResult, ...queue];
  };

  const groups = await Promise.all([
    trailChecks(),
    logGroupChecks(),
    metricFilterChecks(),
    alarmAndTopicChecks(),
    enricherChecks(),
  ]);

  // Without credentials every call fails the same way: one line, not a page of ✗.
  attempts.assertCredentials();
  return buildReport({ app: options.app, stage: options.stage, region }, groups.flat());
}
