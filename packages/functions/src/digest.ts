/**
 * The digest Lambda, run by EventBridge Scheduler (stacks/digest.ts): reads the counters the
 * enricher wrote for the last full UTC day or hour, the depth of the enricher's failure queue,
 * and publishes one summary to the alert topic (`kind=digest`). It writes nothing to the
 * table. Counters it cannot read fail the run (retried, then kept in the digest's failure
 * queue, with an alarm); a failure queue it cannot read is reported as unknown.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  type DigestHealth,
  type DigestPeriod,
  formatDigest,
  mergeDigests,
  messageSize,
  previousPeriod,
} from "@secretwatch/core";
import { type DigestSource, DynamoDigestStore } from "./digest-store.js";
import { isInvalidMessageError, publishInput, SNS_MAX_ATTEMPTS, type SnsSender } from "./publish.js";

/** What the scheduler sends: its scheduled time (`<aws.scheduler.scheduled-time>`), so a retry covers the same period. */
export interface DigestEvent {
  scheduledTime?: string;
}

export interface DigestDeps {
  store: DigestSource;
  sqs: Pick<SQSClient, "send">;
  /** The enricher's failure queue URL. */
  failureQueueUrl: string | (() => string);
  sns: SnsSender;
  topicArn: string | (() => string);
  app: string;
  stage: string;
  mode: DigestPeriod["mode"];
  clock: () => Date;
  logger?: Pick<Logger, "info" | "warn" | "error">;
}

export interface DigestResult {
  period: string;
  invocations: number;
  reads: number;
  failureQueueDepth: number | null;
  bytes: number;
  messageId: string | null;
}

/** The digest cannot run: its configuration is missing. */
export class DigestConfigurationError extends Error {
  override name = "DigestConfigurationError";
}

const resolve = (value: string | (() => string)) => (typeof value === "function" ? value() : value);

/** When the run is for: the scheduled time when it is one, else now. */
function runTime(event: DigestEvent | undefined, clock: () => Date): Date {
  const ms = Date.parse(event?.scheduledTime ?? "");
  return Number.isFinite(ms) ? new Date(ms) : clock();
}

async function failureQueueDepth(
  deps: DigestDeps,
): Promise<Pick<DigestHealth, "failureQueueDepth" | "failureQueueError">> {
  try {
    const out = await deps.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: resolve(deps.failureQueueUrl),
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
    );
    const depth = Number(out.Attributes?.ApproximateNumberOfMessages);
    if (!Number.isSafeInteger(depth) || depth < 0)
      return { failureQueueDepth: null, failureQueueError: "no depth returned" };
    return { failureQueueDepth: depth, failureQueueError: null };
  } catch (error) {
    deps.logger?.warn("The failure queue's depth could not be read", { error });
    return { failureQueueDepth: null, failureQueueError: (error as Error)?.name ?? "error" };
  }
}

/** Builds the handler around injected clients (tests pass their own). */
export function createDigestHandler(deps: DigestDeps) {
  const logger = deps.logger ?? new Logger({ serviceName: "digest", logLevel: "SILENT" });
  return async function digest(event?: DigestEvent): Promise<DigestResult> {
    const topicArn = resolve(deps.topicArn);
    if (!topicArn) throw new DigestConfigurationError("The alert topic ARN is not set (SECRETWATCH_TOPIC_ARN)");
    const period = previousPeriod(deps.mode, runTime(event, deps.clock));
    const { entries, unreadable, complete } = await deps.store.entries(period);
    if (!complete)
      logger.warn("Too many counter items: the digest covers the first pages only", { period: period.label });
    const totals = mergeDigests(entries);
    const health: DigestHealth = { ...(await failureQueueDepth(deps)), unreadable };
    const ctx = { app: deps.app, stage: deps.stage, period };
    const message = formatDigest(totals, health, ctx);
    let out: { MessageId?: string };
    try {
      out = await deps.sns.send(new PublishCommand(publishInput(topicArn, message)));
    } catch (error) {
      if (!isInvalidMessageError(error)) throw error;
      // SNS refused the text: send the counts without any recorded name.
      logger.warn("SNS rejected the digest; sent it without names", { error });
      const bare = { ...totals, actors: [], secrets: [], newPairs: [], expected: [] };
      out = await deps.sns.send(new PublishCommand(publishInput(topicArn, formatDigest(bare, health, ctx))));
    }
    const result: DigestResult = {
      period: period.label,
      invocations: totals.invocations,
      reads: totals.reads,
      failureQueueDepth: health.failureQueueDepth,
      bytes: messageSize(message),
      messageId: out.MessageId ?? null,
    };
    logger.info("Published the digest", { ...result, unreadable, complete });
    return result;
  };
}

function productionHandler() {
  const env = process.env;
  const table = env.SECRETWATCH_TABLE_NAME;
  if (!table) throw new DigestConfigurationError("The state table is not set (SECRETWATCH_TABLE_NAME)");
  const mode = env.SECRETWATCH_DIGEST === "hourly" ? "hourly" : "daily";
  return createDigestHandler({
    store: new DynamoDigestStore({ client: new DynamoDBClient({ maxAttempts: 5 }), tableName: table }),
    sqs: new SQSClient({ maxAttempts: 3 }),
    failureQueueUrl: () => env.SECRETWATCH_FAILURE_QUEUE_URL ?? "",
    sns: new SNSClient({ maxAttempts: SNS_MAX_ATTEMPTS }),
    topicArn: () => env.SECRETWATCH_TOPIC_ARN ?? "",
    app: env.SECRETWATCH_APP ?? "secretwatch",
    stage: env.SECRETWATCH_STAGE ?? "unknown",
    mode,
    clock: () => new Date(),
    logger: new Logger({ serviceName: env.AWS_LAMBDA_FUNCTION_NAME ?? "secretwatch-digest" }),
  });
}

let production: ReturnType<typeof createDigestHandler> | undefined;

/** The Lambda entry point (`packages/functions/src/digest.handler`). Importing this module creates nothing. */
export async function handler(event?: DigestEvent): Promise<DigestResult> {
  production ??= productionHandler();
  return production(event);
}
