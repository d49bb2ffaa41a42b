/**
 * The enricher Lambda: subscribed to the CloudTrail log group, it turns every secret-value
 * retrieval into a readable alert on the stage's SNS topic. Only wiring lives here; the
 * logic is `@secretwatch/core`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { SNSClient } from "@aws-sdk/client-sns";
import {
  DecodeError,
  decodeSubscriptionData,
  ENRICHER_METRICS_NAMESPACE,
  ENRICHER_METRICS as M,
  processPayload,
} from "@secretwatch/core";
import type { CloudWatchLogsEvent } from "aws-lambda";
import { publishAll, SNS_MAX_ATTEMPTS, type SnsSender } from "./publish.js";

/** What the handler needs from its surroundings; tests and the CLI pass their own. */
export interface EnricherDeps {
  sns: SnsSender;
  /** The alert topic; a function is read on every call (so an env var is read inside the call). */
  topicArn: string | (() => string);
  app: string;
  stage: string;
  clock: () => Date;
  /** Messages per invocation before the rest go into one summary message. */
  maxMessages?: number;
  logger?: Pick<Logger, "info" | "warn" | "error">;
  metrics?: Pick<Metrics, "addMetric" | "publishStoredMetrics">;
}

export interface EnricherResult {
  records: number;
  malformed: number;
  hits: number;
  duplicatesDropped: number;
  published: number;
  fallbacks: number;
}

/** The configuration is unusable (e.g. no topic ARN): every event would fail. */
export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

function resolveTopicArn(topicArn: EnricherDeps["topicArn"]): string {
  const arn = typeof topicArn === "function" ? topicArn() : topicArn;
  if (!arn) throw new ConfigurationError("The alert topic ARN is not set (SECRETWATCH_TOPIC_ARN)");
  return arn;
}

/** Builds the handler around injected clients, so tests and the CLI run the same path. */
export function createHandler(deps: EnricherDeps) {
  const logger = deps.logger ?? new Logger({ serviceName: "enricher", logLevel: "SILENT" });
  const metrics = deps.metrics;
  return async function enricher(event: CloudWatchLogsEvent): Promise<EnricherResult> {
    const topicArn = resolveTopicArn(deps.topicArn);
    const data = event?.awslogs?.data;
    if (typeof data !== "string") throw new DecodeError("The event is not a CloudWatch Logs subscription event");
    const payload = decodeSubscriptionData(data);
    const result = processPayload(payload, {
      now: deps.clock(),
      app: deps.app,
      stage: deps.stage,
      ...(deps.maxMessages !== undefined && { maxMessages: deps.maxMessages }),
    });
    for (const bad of result.malformed) {
      logger.warn("Skipped a message that is not a CloudTrail record", {
        logEventId: bad.id,
        reason: bad.reason,
        prefix: bad.prefix,
      });
    }
    const count = (name: string, value: number) => metrics?.addMetric(name, MetricUnit.Count, value);
    count(M.recordsDecoded, result.records);
    count(M.malformedMessages, result.malformed.length);
    count(M.secretAccessHits, result.hits.length);
    count(M.duplicatesDropped, result.plan.duplicatesDropped);
    try {
      const report = await publishAll(deps.sns, topicArn, result.plan.messages, {
        onFallback: (message, error) =>
          logger.warn("SNS rejected an alert; sent its minimal version", { eventIDs: message.eventIDs, error }),
        onFailure: (message, error) =>
          logger.error("Could not publish an alert", { eventIDs: message.eventIDs, error }),
      });
      count(M.messagesPublished, report.published);
      count(M.fallbackMessagesPublished, report.fallbacks);
      const summary: EnricherResult = {
        records: result.records,
        malformed: result.malformed.length,
        hits: result.hits.length,
        duplicatesDropped: result.plan.duplicatesDropped,
        published: report.published,
        fallbacks: report.fallbacks,
      };
      logger.info("Processed subscription payload", {
        logGroup: payload.logGroup,
        messageType: payload.messageType,
        ...summary,
      });
      return summary;
    } finally {
      metrics?.publishStoredMetrics();
    }
  };
}

/** Production wiring, made on the first call (one SNS client per cold start, explicit SDK retries). */
function productionHandler() {
  // The function's own name (set by the stack): the `service` dimension of its metrics, per stage.
  const serviceName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? "secretwatch-enricher";
  return createHandler({
    sns: new SNSClient({ maxAttempts: SNS_MAX_ATTEMPTS }),
    topicArn: () => process.env.SECRETWATCH_TOPIC_ARN ?? "",
    app: process.env.SECRETWATCH_APP ?? "secretwatch",
    stage: process.env.SECRETWATCH_STAGE ?? "unknown",
    clock: () => new Date(),
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: ENRICHER_METRICS_NAMESPACE, serviceName }),
  });
}

let production: ReturnType<typeof createHandler> | undefined;

/**
 * The Lambda entry point (`packages/functions/src/enricher.handler`). Importing this module
 * creates nothing, so the CLI and tests can import `createHandler` freely.
 */
export async function handler(event: CloudWatchLogsEvent): Promise<EnricherResult> {
  production ??= productionHandler();
  return production(event);
}
