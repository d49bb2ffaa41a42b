/**
 * The digest: once a day (at SECRETWATCH_DIGEST_HOUR UTC, default 8) or every hour, a function
 * run by EventBridge Scheduler (SST's `CronV2`; `Cron` is deprecated in 4.17.1) emails one
 * summary of the last full period to the alert topic: what policy kept out of the inbox, and a
 * health line. `SECRETWATCH_DIGEST=off` creates none of this, and is refused unless the
 * policy's `notify` is `info` (reads below `notify` appear nowhere else).
 *
 * Retries, at both hops, into one failure queue with an alarm (./monitoring.ts):
 * - the scheduler invokes the function asynchronously, so its retry policy and dead-letter
 *   queue cover only the Invoke call itself (throttled, function missing or not allowed);
 * - the function's own failures (table unreadable, SNS down) are retried by Lambda's
 *   asynchronous invocation (twice), then sent to the same queue by its on-failure destination.
 * The scheduled time is in the event, so a retry covers the same period as the first attempt.
 *
 * The function only reads the table (Query), so its role is not one of the table's writers.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { digestSchedule, refuseDigestOff } from "../packages/core/src/digest";
import { securityAlarms } from "./alerts";
import { enricherFailures, FAILURE_RETENTION_SECONDS, MAX_EVENT_AGE_SECONDS } from "./enricher";
import { FUNCTION_NODEJS } from "./function-build";
import { policy } from "./policy";
import { accountId, nameOf, partition, region, settings, stageRef } from "./settings";
import { stateTable } from "./state";

/** The digest's one table action: it queries the period's counters and writes nothing. */
export const DIGEST_TABLE_ACTIONS = ["dynamodb:Query"];
/** Lambda's retries of a failed run (its maximum). */
export const DIGEST_RETRIES = 2;
/** The scheduler's retries of an Invoke call that failed, within an hour. */
export const SCHEDULER_RETRIES = 5;
export const SCHEDULER_MAX_EVENT_AGE_SECONDS = 60 * 60;

// `sst remove` reads no policy (the defaults), and must work whatever the settings became.
if ($cli.command !== "remove") refuseDigestOff(settings.digest, policy.policy.notify);

/** The schedule expression (UTC), or null when the digest is off. */
export const digestScheduleExpression = digestSchedule(settings.digest, settings.digestHour);

export const digestFunctionName = nameOf("digest");
const functionLogGroupArn = $interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:/aws/lambda/${digestFunctionName}`;

const trust = (service: string, conditions: { test: string; variable: string; values: $util.Input<string>[] }[] = []) =>
  aws.iam.getPolicyDocumentOutput({
    statements: [
      { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }], conditions },
    ],
  }).json;

function createDigest(schedule: `cron(${string})`, mode: "daily" | "hourly") {
  /** Runs that failed at either hop (scheduler dead letters, Lambda's on-failure records), kept 14 days. */
  const failures = new aws.sqs.Queue("DigestFailures", {
    name: nameOf("digestFailureQueue"),
    messageRetentionSeconds: FAILURE_RETENTION_SECONDS,
    sqsManagedSseEnabled: true,
  });

  const fn = new sst.aws.Function("Digest", {
    name: digestFunctionName,
    description: `secretwatch ${stageRef.stage}: emails the ${mode} digest`,
    handler: "packages/functions/src/digest.handler",
    runtime: "nodejs22.x",
    architecture: "arm64",
    memory: "512 MB",
    timeout: "5 minutes",
    dev: false,
    // The enricher's bundle arguments (stacks/function-build.ts).
    nodejs: { splitting: FUNCTION_NODEJS.splitting, esbuild: { external: [...FUNCTION_NODEJS.esbuild.external] } },
    // Not linked (linking grants sns:* and adds SST's resource env): explicit instead.
    environment: {
      SECRETWATCH_TOPIC_ARN: securityAlarms.arn,
      SECRETWATCH_APP: stageRef.app,
      SECRETWATCH_STAGE: stageRef.stage,
      SECRETWATCH_TABLE_NAME: stateTable.name,
      SECRETWATCH_FAILURE_QUEUE_URL: enricherFailures.url,
      SECRETWATCH_DIGEST: mode,
    },
    permissions: [
      { actions: ["sns:Publish"], resources: [securityAlarms.arn] },
      { actions: DIGEST_TABLE_ACTIONS, resources: [stateTable.arn] },
      // The health line: how many events wait in the enricher's failure queue.
      { actions: ["sqs:GetQueueAttributes"], resources: [enricherFailures.arn] },
      // Lambda sends a failed run to the destination with the function's own role.
      { actions: ["sqs:SendMessage"], resources: [failures.arn] },
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [$interpolate`${functionLogGroupArn}:*`] },
    ],
    retries: DIGEST_RETRIES,
    transform: {
      role: {
        name: nameOf("digestRole"),
        description: `Runs ${digestFunctionName}`,
        assumeRolePolicy: trust("lambda.amazonaws.com"),
        managedPolicyArns: [],
      },
      logGroup: { retentionInDays: settings.retentionDays },
      eventInvokeConfig: {
        maximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS,
        destinationConfig: { onFailure: { destination: failures.arn } },
      },
    },
  });

  const cron = new sst.aws.CronV2("DigestCron", {
    function: fn,
    schedule,
    timezone: "UTC",
    // Replaced by the scheduler on every attempt: the run covers the period before this time.
    event: { scheduledTime: "<aws.scheduler.scheduled-time>" },
    retries: SCHEDULER_RETRIES,
    dlq: failures.arn,
    transform: {
      // SST's role (InvokeFunction on this function, SendMessage on the queue), trusted by the
      // scheduler of this account only (confused-deputy guard).
      role: {
        name: nameOf("digestSchedulerRole"),
        description: `Lets EventBridge Scheduler run ${digestFunctionName}`,
        assumeRolePolicy: trust("scheduler.amazonaws.com", [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
        ]),
      },
      schedule: (args) => {
        args.name = nameOf("digestSchedule");
        args.description = `secretwatch ${stageRef.stage}: the ${mode} digest`;
        const target = args.target as { retryPolicy?: Record<string, unknown> };
        target.retryPolicy = { ...target.retryPolicy, maximumEventAgeInSeconds: SCHEDULER_MAX_EVENT_AGE_SECONDS };
      },
    },
  });
  return { fn, failures, cron };
}

/** The digest function, its failure queue and its schedule; undefined when the digest is off. */
export const digest =
  digestScheduleExpression && settings.digest !== "off"
    ? createDigest(digestScheduleExpression, settings.digest)
    : undefined;
