/**
 * The enricher Lambda: subscribed to the CloudTrail log group, it turns every secret-value
 * retrieval into a readable alert on the stage's SNS topic. Only wiring lives here; the
 * logic is `@secretwatch/core`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 */
import { createHash } from "node:crypto";
import { Logger, LogLevelThreshold } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
// Relative: the digest is not exported by core's index (yet).
import {
  assessAndPlan,
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_POLICY,
  DecodeError,
  decodeAndSelect,
  ENRICHER_METRICS_NAMESPACE,
  emailedMemos,
  invocationDigest,
  ENRICHER_METRICS as M,
  type Plan,
  type PlannedClaim,
  type PlannedMessage,
  type Policy,
  PolicyMatcher,
  planTamper,
  rapidClaims,
  type StateSnapshot,
  type StateStore,
  stageTamperScope,
  stateRequest,
  type TamperScope,
  withoutLostClaims,
} from "@secretwatch/core";
import type { CloudWatchLogsEvent, Context } from "aws-lambda";
import { type DeliveryGuard, deliveryKey, powertoolsDeliveryGuard } from "./delivery.js";
import { type DigestRecorder, DynamoDigestStore, recordDigest } from "./digest-store.js";
import { compiledPolicySource } from "./policy-source.js";
import { publishAll, SNS_MAX_ATTEMPTS, type SnsSender } from "./publish.js";
import { DynamoStateStore, STATE_CALL_BOUND } from "./state.js";

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
  /**
   * The detection policy, read on every call (cached by the caller). Throws when a configured
   * policy cannot be used: the handler then reports every read (`policy-unavailable`). Default:
   * the documented defaults.
   */
  policy?: () => CompiledPolicy;
  /**
   * Memory across invocations, or a factory given the policy in force (the DynamoDB store keeps
   * items as long as the policy's windows); without one, first-seen is unknown (`state-unavailable`).
   */
  state?: StateStore | ((policy: Policy) => StateStore);
  /** Exactly-once per message and channel (delivery.ts); without one, a redelivered payload is sent again. */
  deliveries?: DeliveryGuard;
  /** Hours after the stage's first deploy (the table's marker) during which a first read alone is learned, not emailed. Default 24. */
  learningHours?: number;
  /** The payload comes back from the failure queue (`secretwatch redrive`): no learning, no repeat suppression. */
  redriven?: boolean;
  /** The digest's counters: one entry per invocation, written after the alerts (digest-store.ts). */
  digest?: DigestRecorder;
  /** This stage's resources, for tamper alerts. Default: the stage's names (naming.ts) and the alert topic. */
  tamperScope?: TamperScope;
  /** Powertools' `level` (when given) lets the handler skip building lines the logger would drop. */
  logger?: Pick<Logger, "info" | "warn" | "error"> & Partial<Pick<Logger, "level">>;
  metrics?: Pick<Metrics, "addMetric" | "publishStoredMetrics"> & Partial<Pick<Metrics, "singleMetric">>;
}

export interface EnricherResult {
  records: number;
  malformed: number;
  hits: number;
  duplicatesDropped: number;
  published: number;
  fallbacks: number;
  /** Messages an earlier delivery of the same events already sent (exactly-once). */
  alreadySent: number;
  /** Reads below the policy's `notify` severity (counted, not emailed). */
  belowNotify: number;
  /** Reads not emailed as repeats of an alert within the repeat window. */
  suppressed: number;
  /** The hash of the policy used, or null when it could not be loaded. */
  policyHash: string | null;
  /** Tamper and exposure events of the stage in the payload (duplicates dropped). */
  tamperHits: number;
}

const DEFAULT_COMPILED = compilePolicy(DEFAULT_POLICY, "defaults");

/** One matcher per policy hash: patterns are compiled once per container, not per call. */
const matchers = new Map<string, PolicyMatcher>();
function matcherFor(compiled: CompiledPolicy): PolicyMatcher {
  let matcher = matchers.get(compiled.hash);
  if (!matcher) {
    matcher = new PolicyMatcher(compiled.policy);
    matchers.set(compiled.hash, matcher);
  }
  return matcher;
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

/** Default of SECRETWATCH_LEARNING_HOURS. */
export const DEFAULT_LEARNING_HOURS = 24;
/** A payload holding a read older than this (event time) was delivered late. */
export const LATE_DELIVERY_MS = 60 * 60 * 1000;

/**
 * Learning: within `hours` of the stage's first deploy (the marker the deploy writes), and only
 * until `baseline` has run. No marker (no table, an old stage) means not learning: louder.
 */
export function isLearning(snapshot: StateSnapshot | null, now: number, hours: number): boolean {
  const meta = snapshot?.meta;
  if (!meta || meta.deployedAt === null || meta.baselineAt !== null) return false;
  return now < meta.deployedAt + hours * 3_600_000;
}

/**
 * Claims each rapid-retrieval alert's window before it is sent (one alert per actor per window,
 * across racing invocations) and returns the plan without the alerts whose window another
 * delivery holds. Without a store, or when a claim fails, the alert is sent: louder, never lost.
 */
export async function claimRapidWindows(
  plan: Plan,
  options: {
    state: StateStore | undefined;
    rapidMs: number;
    ownerOf: (message: PlannedMessage) => string;
    onError: (error: unknown) => void;
  },
): Promise<Plan> {
  const claim = options.state?.claimRapid?.bind(options.state);
  if (!claim) return plan;
  const lost: PlannedClaim[] = [];
  for (const planned of rapidClaims(plan, options.rapidMs, options.ownerOf).slice(0, STATE_CALL_BOUND.rapidClaims)) {
    try {
      if (!(await claim(planned.claim))) lost.push(planned);
    } catch (error) {
      options.onError(error);
      break; // the table is failing: the remaining alerts go out unclaimed
    }
  }
  return withoutLostClaims(plan, lost);
}

/**
 * False when the logger's level is above INFO: its INFO lines would be dropped (no log buffering
 * is configured), so the per-read decision lines, one per read, are not even built.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/logger/#log-levels
 */
function logsInfo(logger: NonNullable<EnricherDeps["logger"]>): boolean {
  return typeof logger.level !== "number" || logger.level <= LogLevelThreshold.INFO;
}

/** Builds the handler around injected clients, so tests and the CLI run the same path. */
export function createHandler(deps: EnricherDeps) {
  const logger = deps.logger ?? new Logger({ serviceName: "enricher", logLevel: "SILENT" });
  const metrics = deps.metrics;
  // The stage's tamper scope, made once per topic ARN (the same on every call of a container).
  let scope: { topicArn: string; value: TamperScope } | null = null;
  const scopeFor = (topicArn: string): TamperScope => {
    if (scope?.topicArn !== topicArn) {
      scope = { topicArn, value: stageTamperScope({ app: deps.app, stage: deps.stage }, { topicArns: [topicArn] }) };
    }
    return scope.value;
  };
  return async function enricher(event: CloudWatchLogsEvent, context?: Context): Promise<EnricherResult> {
    const topicArn = resolveTopicArn(deps.topicArn);
    deps.deliveries?.begin?.(context);
    const data = event?.awslogs?.data;
    if (typeof data !== "string") throw new DecodeError("The event is not a CloudWatch Logs subscription event");
    // One pass over the decoded records; they are not held past it (see decodeAndSelect).
    const payload = decodeAndSelect(data, deps.clock());
    const count = (name: string, value: number) => metrics?.addMetric(name, MetricUnit.Count, value);
    let stateErrors = 0;
    let compiled: CompiledPolicy | null = null;
    let matcher: PolicyMatcher;
    try {
      compiled = (deps.policy ?? (() => DEFAULT_COMPILED))();
      // A compiled policy edited by hand can be loadable and still not make a matcher: the same failure.
      matcher = matcherFor(compiled);
    } catch (error) {
      logger.error("The configured detection policy could not be loaded; reporting every read", { error });
      count(M.policyErrors, 1);
      compiled = null;
      matcher = matcherFor(DEFAULT_COMPILED);
    }
    const enriched = payload.hits;
    let snapshot: StateSnapshot | null = null;
    const state = typeof deps.state === "function" ? deps.state(matcher.policy) : deps.state;
    if (state && enriched.length > 0) {
      try {
        snapshot = await state.load(stateRequest(enriched, matcher));
      } catch (error) {
        logger.warn("The state store could not be read; alerting without it", { error });
        stateErrors++;
      }
    }
    const now = deps.clock().getTime();
    // A late or redriven payload's alerts may be the ones that were never sent: no learning, no repeats.
    const late = payload.earliestHitMs !== null && payload.earliestHitMs < now - LATE_DELIVERY_MS;
    const noSuppression = deps.redriven === true || late;
    const assessed = assessAndPlan(enriched, {
      matcher,
      snapshot,
      learning: isLearning(snapshot, now, deps.learningHours ?? DEFAULT_LEARNING_HOURS),
      noSuppression,
      policyUnavailable: compiled === null,
      app: deps.app,
      stage: deps.stage,
      ...(deps.maxMessages !== undefined && { maxMessages: deps.maxMessages }),
    });
    const claimed = await claimRapidWindows(assessed.plan, {
      state: snapshot !== null && !noSuppression ? state : undefined,
      rapidMs: matcher.policy.thresholds.rapidMinutes * 60_000,
      ownerOf: (message) => deliveryKey(topicArn, message),
      onError: (error) => {
        logger.warn("The rapid-retrieval window could not be claimed; sending its alert anyway", { error });
        stateErrors++;
      },
    });
    const result = { records: payload.records, malformed: payload.malformed, ...assessed, plan: claimed };
    const policyHash = compiled?.hash ?? null;
    // Tamper and exposure events (this stage's resources, any secret): same topic, same exactly-once path.
    const tamper = planTamper(payload.tamperRecords, {
      scope: deps.tamperScope ?? scopeFor(topicArn),
      notify: matcher.policy.notify,
      app: deps.app,
      stage: deps.stage,
      ...(deps.maxMessages !== undefined && { maxMessages: deps.maxMessages }),
    });
    const decisionLines = logsInfo(logger);
    for (const { hit, outcome } of decisionLines ? tamper.decisions : []) {
      logger.info("Tamper event assessed", {
        eventID: hit.eventID,
        api: hit.api,
        emailed: outcome !== "below-notify",
        decision: outcome,
        severity: hit.severity,
        reasons: hit.reasons,
        notice: hit.notice,
        policyHash,
      });
    }
    for (const { hit, outcome } of decisionLines ? result.plan.decisions : []) {
      logger.info("Read assessed", {
        eventID: hit.eventID,
        emailed: outcome === "alert" || outcome === "summary",
        decision: outcome,
        severity: hit.verdict.severity,
        reasons: hit.verdict.reasons,
        rule: hit.verdict.expected?.id ?? null,
        actor: hit.verdict.actor,
        policyHash,
      });
    }
    for (const bad of result.malformed) {
      logger.warn("Skipped a message that is not a CloudTrail record", {
        logEventId: bad.id,
        reason: bad.reason,
        prefix: bad.prefix,
      });
    }
    const belowNotify = result.plan.decisions.filter((d) => d.outcome === "below-notify").length;
    const suppressed = result.plan.decisions.filter((d) => d.outcome === "repeat-suppressed").length;
    count(M.recordsDecoded, result.records);
    count(M.malformedMessages, result.malformed.length);
    count(M.secretAccessHits, result.hits.length);
    count(M.tamperHits, tamper.hits.length);
    // Dated by minute, each its own EMF document: the reconciliation alarm's count of reads assessed.
    for (const [minute, reads] of payload.readsByMinute) {
      const single = metrics?.singleMetric?.();
      single?.setTimestamp(minute);
      single?.addMetric(M.readsAssessed, MetricUnit.Count, reads);
    }
    count(M.duplicatesDropped, result.plan.duplicatesDropped);
    count(M.readsBelowNotify, belowNotify);
    count(M.repeatsSuppressed, suppressed);
    try {
      const deliveries = deps.deliveries;
      const guard = deliveries && {
        keyOf: (message: PlannedMessage) => deliveryKey(topicArn, message),
        once: (key: string, send: () => Promise<void>) => deliveries.once(key, send),
      };
      const report = await publishAll(
        deps.sns,
        topicArn,
        // Tamper alerts first: a critical one must not wait behind a burst of reads.
        [...tamper.messages, ...result.plan.messages],
        {
          onFallback: (message, error) =>
            logger.warn("SNS rejected an alert; sent its minimal version", { eventIDs: message.eventIDs, error }),
          onFailure: (message, error) =>
            logger.error("Could not publish an alert", { eventIDs: message.eventIDs, error }),
          onGuardFailure: (message, error) =>
            logger.warn("The delivery records could not be used; sent the alert anyway (it may repeat)", {
              eventIDs: message.eventIDs,
              error,
            }),
        },
        guard,
      );
      count(M.messagesPublished, report.published);
      count(M.fallbackMessagesPublished, report.fallbacks);
      count(M.alertsAlreadySent, report.alreadySent);
      if (report.unguarded > 0) stateErrors++;
      if (state && snapshot !== null) {
        try {
          await state.save({ accesses: result.update.accesses, alerts: emailedMemos(result.plan) });
        } catch (error) {
          logger.warn("The state store could not be written; the next alerts may repeat", { error });
          stateErrors++;
        }
      }
      // The digest's counters, after the alerts: a failure is logged and counted, never thrown.
      if (deps.digest) {
        const flags = { stateErrors: stateErrors > 0 ? 1 : 0, policyErrors: compiled === null ? 1 : 0 };
        const entry = invocationDigest(result.plan.decisions, result.records, result.malformed.length, {
          published: report.published,
          ...flags,
        });
        // A retry or redrive carries the same data: its digest of the payload is the key the store marks.
        const payloadKey = createHash("sha256").update(data).digest("hex");
        const where = {
          payload: payloadKey,
          logger,
          ...(context?.awsRequestId && { requestId: context.awsRequestId }),
        };
        if (!(await recordDigest(deps.digest, entry, where))) stateErrors++;
      }
      const summary: EnricherResult = {
        records: result.records,
        malformed: result.malformed.length,
        hits: result.hits.length,
        duplicatesDropped: result.plan.duplicatesDropped,
        published: report.published,
        fallbacks: report.fallbacks,
        alreadySent: report.alreadySent,
        belowNotify,
        suppressed,
        policyHash,
        tamperHits: tamper.hits.length,
      };
      logger.info("Processed subscription payload", {
        logGroup: payload.logGroup,
        messageType: payload.messageType,
        ...summary,
      });
      return summary;
    } finally {
      // One datapoint per invocation, however many state calls failed.
      if (stateErrors > 0) count(M.stateErrors, 1);
      metrics?.publishStoredMetrics();
    }
  };
}

/** Production wiring, made on the first call (one SNS client per cold start, explicit SDK retries). */
/**
 * Timeouts for state calls: a slow or unreachable table must cost a few hundred milliseconds,
 * not the function's 60 seconds (the store also keeps to a total budget).
 */
export const STATE_CLIENT_CONFIG = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 200, requestTimeout: 300 },
} as const;

let dynamo: DynamoDBClient | undefined;
/** One DynamoDB client per container, with the state timeouts. */
function stateClient(): DynamoDBClient {
  dynamo ??= new DynamoDBClient(STATE_CLIENT_CONFIG);
  return dynamo;
}
/** The DynamoDB store of the stage's table. */
function dynamoState(tableName: string, policy: Policy): StateStore {
  return new DynamoStateStore({ client: stateClient(), tableName, thresholds: policy.thresholds });
}

/** SECRETWATCH_LEARNING_HOURS as the stack sets it (validated at deploy); anything else: the default. */
function learningHoursOf(text: string | undefined): number {
  const n = Number(text);
  return text !== undefined && text.trim() !== "" && Number.isInteger(n) && n >= 0 ? n : DEFAULT_LEARNING_HOURS;
}

function productionHandler() {
  // The function's own name (set by the stack): the `service` dimension of its metrics, per stage.
  const serviceName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? "secretwatch-enricher";
  const stateTable = process.env.SECRETWATCH_TABLE_NAME;
  return createHandler({
    sns: new SNSClient({ maxAttempts: SNS_MAX_ATTEMPTS }),
    topicArn: () => process.env.SECRETWATCH_TOPIC_ARN ?? "",
    app: process.env.SECRETWATCH_APP ?? "secretwatch",
    stage: process.env.SECRETWATCH_STAGE ?? "unknown",
    // Set by stacks/enricher.ts: the existing log group (if any) and the other topics to watch.
    tamperScope: stageTamperScope(
      { app: process.env.SECRETWATCH_APP ?? "secretwatch", stage: process.env.SECRETWATCH_STAGE ?? "unknown" },
      {
        existingLogGroup: process.env.SECRETWATCH_EXISTING_LOG_GROUP ?? null,
        topicArns: ["SECRETWATCH_TOPIC_ARN", "SECRETWATCH_PAGER_TOPIC_ARN", "SECRETWATCH_OPS_TOPIC_ARN"].map(
          (name) => process.env[name] ?? "",
        ),
      },
    ),
    clock: () => new Date(),
    // The compiled policy shipped beside the bundle (stacks/enricher.ts copyFiles), read once per container.
    policy: compiledPolicySource(process.env),
    ...(stateTable && {
      learningHours: learningHoursOf(process.env.SECRETWATCH_LEARNING_HOURS),
      state: (policy: Policy) => dynamoState(stateTable, policy),
      deliveries: powertoolsDeliveryGuard(stateClient(), stateTable),
      digest: new DynamoDigestStore({ client: stateClient(), tableName: stateTable }),
    }),
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: ENRICHER_METRICS_NAMESPACE, serviceName }),
  });
}

let production: ReturnType<typeof createHandler> | undefined;

/**
 * The Lambda entry point (`packages/functions/src/enricher.handler`). Importing this module
 * creates nothing, so the CLI and tests can import `createHandler` freely.
 */
export async function handler(event: CloudWatchLogsEvent, context?: Context): Promise<EnricherResult> {
  production ??= productionHandler();
  return production(event, context);
}
