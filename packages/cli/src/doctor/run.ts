/**
 * Runs every doctor check against a deployed stage: the settings it read (settings.ts), then
 * the SDK calls (aws.ts) feed the pure checks (trail.ts, trail-limit.ts, selectors.ts,
 * logs.ts, metric-filter.ts, alarm.ts, reconciliation.ts, topic.ts, enricher.ts). An AWS
 * error fails only the checks that needed that call; the links that do not depend on it are
 * still checked. No network, or no credentials: one line instead of a page of ✗.
 */
import type { Subscription } from "@aws-sdk/client-sns";
import {
  METRIC_FILTER_PATTERN,
  METRIC_NAMESPACE,
  SETTING_NAMES,
  SUBSCRIPTION_FILTER_PATTERN,
  secretAccessMetricName,
  stageResources,
} from "@secretwatch/core";
import { awsSetup } from "../aws-config.js";
import type { Io } from "../io.js";
import { DEFAULT_APP, type StageOptions } from "../stage.js";
import { READS_ASSESSED_METRIC } from "../test-alarm/late.js";
import { checkAlarm, topicArnFromAlarmArn } from "./alarm.js";
import { Attempts } from "./attempts.js";
import * as aws from "./aws.js";
import { checkEnricherErrors, checkFailureQueue, sum } from "./enricher.js";
import { checkIncomingEvents, checkSubscriptionFilters } from "./logs.js";
import { checkMetricFilter } from "./metric-filter.js";
import { checkPager } from "./pager.js";
import { checkReconciliation } from "./reconciliation.js";
import { buildReport, type CheckResult, type DoctorReport, type FixHints, fail } from "./report.js";
import { checkEventSelectors } from "./selectors.js";
import { checkSettingsSource, readDoctorSettings } from "./settings.js";
import { checkTamper, tamperExpectations } from "./tamper.js";
import { checkAddresses, checkSubscriptions, findTopicArn } from "./topic.js";
import { checkTrailStatus, selectTrail, trailId } from "./trail.js";
import { checkTrailLimit } from "./trail-limit.js";

export const DEFAULT_MAX_DELIVERY_AGE_MINUTES = 15;
/** IncomingLogEvents is summed over this many hours. */
export const INCOMING_WINDOW_HOURS = 1;
const HOUR = 3_600_000;

export interface DoctorOptions extends StageOptions {
  /** Minutes: an older latest CloudWatch Logs delivery of the trail fails. */
  maxDeliveryAge: number;
  /** The stage's settings file, instead of `.env.<stage>` of the repository. */
  envFile?: string;
}

/** Runs the checks of a stage; throws a UserError only when no AWS call could be made at all. */
export async function runDoctor(io: Io, options: DoctorOptions, clientsFor = aws.createClients): Promise<DoctorReport> {
  const ref = { app: options.app, stage: options.stage };
  const settings = readDoctorSettings(io, ref, options.envFile);
  const names = stageResources(ref);
  const info = { ...settings, metricName: secretAccessMetricName(ref) };
  const { region } = awsSetup(io.env, options.region);
  const clients = clientsFor(region);
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
      const trails = await aws.describeTrails(clients.cloudtrail);
      const limit = checkTrailLimit(trails, region);
      const picked = selectTrail(trails, {
        trailName: names.trail,
        logGroupName: group,
        region,
        existingLogGroup: info.existingLogGroup,
        hints,
      });
      const trail = picked.trail;
      if (trail === undefined) return [...picked.results, limit];
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
      return [...picked.results, ...status, ...selectors, limit];
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
    let alertSubscriptions: Subscription[] | undefined;
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
          alarmEmails: settings.alarmEmails,
          hints,
        });
      },
    );
    const reconciliation = await attempt(
      "alarm",
      "cloudwatch:DescribeAlarms",
      `describe alarm ${names.reconciliationAlarm}`,
      async () =>
        checkReconciliation(await aws.describeAlarm(clients.cloudwatch, names.reconciliationAlarm), {
          alarmName: names.reconciliationAlarm,
          readsMetric: info.metricName,
          assessedMetric: READS_ASSESSED_METRIC,
          topicArn,
          topicName: names.topic,
          hints,
        }),
    );
    const topic = await attempt(
      "topic",
      "sns:ListSubscriptionsByTopic",
      `list the subscriptions of topic ${names.topic}`,
      async () => {
        topicArn ??= findTopicArn(await aws.listTopicArns(clients.sns), names.topic);
        if (topicArn === undefined) return [fail("topic", `topic ${names.topic} not found in ${region}`, hints.deploy)];
        const subscriptions = await aws.topicSubscriptions(clients.sns, topicArn);
        alertSubscriptions = subscriptions;
        return [
          ...checkSubscriptions(names.topic, subscriptions, hints),
          ...checkAddresses(names.topic, SETTING_NAMES.alertEmails, settings.alertEmails, subscriptions, hints),
        ];
      },
    );
    const pager = await checkPager(
      {
        io,
        settings,
        sns: clients.sns,
        region,
        topics: { alert: names.topic, pager: names.pagerTopic },
        hints,
        attempt,
      },
      { arn: topicArn, subscriptions: alertSubscriptions },
    );
    return [
      ...alarm,
      ...reconciliation,
      ...(await tamperChecks(topicArn)),
      ...topic,
      ...pager,
      ...(await opsTopicChecks(topicArn)),
    ];
  };

  /** The tamper alarms and their filters (none checked while naming.ts has no tamper kinds). */
  const tamperChecks = async (alertTopicArn: string | undefined): Promise<CheckResult[]> => {
    const expected = tamperExpectations(ref, names);
    if (expected === null) return [];
    return attempt("alarm", "cloudwatch:DescribeAlarms", "describe the tamper alarms", async () => {
      const [filters, alarms] = await Promise.all([
        aws.metricFilters(clients.logs, group),
        aws.describeAlarms(
          clients.cloudwatch,
          expected.map((e) => e.alarmName),
        ),
      ]);
      return checkTamper(expected, filters, alarms, alertTopicArn, hints);
    });
  };

  /** The ops topic, when SECRETWATCH_OPS_EMAILS is set: beside the alert topic, same account and Region. */
  const opsTopicChecks = async (alertTopicArn: string | undefined): Promise<CheckResult[]> => {
    if (settings.opsEmails.length === 0) return [];
    const opsArn = alertTopicArn?.replace(/:[^:]+$/, `:${names.opsTopic}`);
    return attempt(
      "topic",
      "sns:ListSubscriptionsByTopic",
      `list the subscriptions of topic ${names.opsTopic}`,
      async () => {
        const arn = opsArn ?? findTopicArn(await aws.listTopicArns(clients.sns), names.opsTopic);
        if (arn === undefined) return [fail("topic", `topic ${names.opsTopic} not found in ${region}`, hints.deploy)];
        const subscriptions = await aws.topicSubscriptions(clients.sns, arn);
        return [
          ...checkSubscriptions(names.opsTopic, subscriptions, hints),
          ...checkAddresses(names.opsTopic, SETTING_NAMES.opsEmails, settings.opsEmails, subscriptions, hints),
        ];
      },
    );
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

  // Without network or credentials every call fails the same way: one line, not a page of ✗.
  attempts.assertReachable();
  return buildReport({ app: options.app, stage: options.stage, region }, [
    checkSettingsSource(settings, options.stage),
    ...groups.flat(),
  ]);
}
