/**
 * The detailed signal: a subscription filter sends each secret read (and each batch read)
 * to the enricher Lambda, which emails who read which secret, from where. CloudWatch Logs
 * invokes it asynchronously: two retries, then the event goes to the failure queue. The
 * compiled detection policy (./policy.ts) ships inside its package; what it remembers across
 * invocations is in the stage's state table (./state.ts).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { SUBSCRIPTION_FILTER_PATTERN } from "../packages/core/src/events";
import { securityAlarms } from "./alerts";
import { FUNCTION_NODEJS } from "./function-build";
import { ENRICHER_MEMORY_MB, ENRICHER_NODE_OPTIONS } from "./function-heap";
import { opsTopic } from "./ops";
import { pagerTopic } from "./pager";
import { POLICY_BUNDLE_FILE, policy, policyBuildFile } from "./policy";
import { accountId, nameOf, partition, region, settings, stageRef } from "./settings";
import { stateTable } from "./state";
import { watchedLogGroup } from "./trail";

/** The Lambda service keeps an async event this long (retrying throttles) before giving up. */
export const MAX_EVENT_AGE_SECONDS = 6 * 60 * 60;
/** SQS's maximum: 14 days to notice and replay a failed event. */
export const FAILURE_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export const enricherFunctionName = nameOf("enricher");

/**
 * The enricher's item actions on its state table: the store's batched reads, window queries
 * and batched writes, and the idempotency records of its deliveries (Powertools' Get, Put,
 * Update and Delete). No Scan, no PartiQL, no table management.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/
 */
export const ENRICHER_TABLE_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:BatchWriteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
];

/** SST names the function's log group `/aws/lambda/<function name>`. */
const functionLogGroupArn = $interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:/aws/lambda/${enricherFunctionName}`;

/** Events the enricher still failed on after its retries, kept for inspection and replay. */
export const enricherFailures = new aws.sqs.Queue("EnricherFailures", {
  name: nameOf("failureQueue"),
  messageRetentionSeconds: FAILURE_RETENTION_SECONDS,
  sqsManagedSseEnabled: true,
});

/** Only Lambda may assume the role (sst 4.17.1's default also admits the account root). */
const lambdaTrust = aws.iam.getPolicyDocumentOutput({
  statements: [
    { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] },
  ],
}).json;

export const enricher = new sst.aws.Function("Enricher", {
  name: enricherFunctionName,
  description: `secretwatch ${stageRef.stage}: emails who read which secret`,
  handler: "packages/functions/src/enricher.handler",
  runtime: "nodejs22.x",
  architecture: "arm64",
  // Memory and V8 heap sizes: see stacks/function-heap.ts (the bench runs the handler under the same flags).
  memory: `${ENRICHER_MEMORY_MB} MB`,
  timeout: "60 seconds",
  // Always the deployed function, also under `sst dev`: live mode would route CloudWatch
  // Logs' invocations to a laptop and needs a role the account's principals may assume.
  dev: false,
  // Not linked: linking a topic grants sns:* and adds SST's resource env. Explicit instead.
  environment: {
    SECRETWATCH_TOPIC_ARN: securityAlarms.arn,
    SECRETWATCH_APP: stageRef.app,
    SECRETWATCH_STAGE: stageRef.stage,
    // The compiled policy ships as a file (environment variables hold 4 KB in all); its hash
    // here lets the handler refuse any other file, and makes a policy change update the function.
    SECRETWATCH_COMPILED_POLICY: POLICY_BUNDLE_FILE,
    SECRETWATCH_POLICY_HASH: policy.hash,
    SECRETWATCH_TABLE_NAME: stateTable.name,
    SECRETWATCH_LEARNING_HOURS: String(settings.learningHours),
    NODE_OPTIONS: ENRICHER_NODE_OPTIONS,
    // The tamper scope (packages/core/src/tamper/stage-scope.ts): the rest follows from the stage's names.
    ...(settings.existingLogGroup !== null && { SECRETWATCH_EXISTING_LOG_GROUP: settings.existingLogGroup }),
    ...(pagerTopic && { SECRETWATCH_PAGER_TOPIC_ARN: pagerTopic.arn }),
    ...(opsTopic && { SECRETWATCH_OPS_TOPIC_ARN: opsTopic.arn }),
  },
  // Splitting, no bowser (stacks/function-build.ts): what the artifact tests and the bench build too.
  nodejs: { splitting: FUNCTION_NODEJS.splitting, esbuild: { external: [...FUNCTION_NODEJS.esbuild.external] } },
  // Into the package root, beside the bundle (SST copies it before zipping; `from` is relative to the app root).
  copyFiles: [{ from: policyBuildFile, to: POLICY_BUNDLE_FILE }],
  permissions: [
    { actions: ["sns:Publish"], resources: [securityAlarms.arn] },
    // Lambda sends failed async events to the destination with the function's own role.
    { actions: ["sqs:SendMessage"], resources: [enricherFailures.arn] },
    // The table only (it has no index or stream); its resource policy lets this role write items.
    { actions: ENRICHER_TABLE_ACTIONS, resources: [stateTable.arn] },
    // Replaces AWSLambdaBasicExecutionRole (logs on every group) with the function's own group.
    { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [$interpolate`${functionLogGroupArn}:*`] },
  ],
  retries: 2,
  transform: {
    role: {
      name: nameOf("enricherRole"),
      description: `Runs ${enricherFunctionName}`,
      assumeRolePolicy: lambdaTrust,
      managedPolicyArns: [],
    },
    logGroup: { retentionInDays: settings.retentionDays },
    // `retries` creates the one FunctionEventInvokeConfig; complete it here (a second config
    // for the same function would replace this one).
    eventInvokeConfig: {
      maximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS,
      destinationConfig: { onFailure: { destination: enricherFailures.arn } },
    },
  },
});

/** CloudWatch Logs may invoke the enricher, for the watched log group of this account only. */
export const enricherInvokePermission = new aws.lambda.Permission("EnricherInvokePermission", {
  function: enricher.name,
  statementId: "AllowCloudWatchLogsSubscription",
  action: "lambda:InvokeFunction",
  principal: "logs.amazonaws.com",
  sourceArn: watchedLogGroup.arnWithStreams,
  sourceAccount: accountId,
});

/** A log group takes at most two subscription filters: this one uses one of them. */
export const enricherSubscription = new aws.cloudwatch.LogSubscriptionFilter(
  "EnricherSubscription",
  {
    name: nameOf("subscriptionFilter"),
    logGroup: watchedLogGroup.name,
    filterPattern: SUBSCRIPTION_FILTER_PATTERN,
    destinationArn: enricher.arn,
  },
  // PutSubscriptionFilter tests the destination: the permission must exist first.
  { dependsOn: [enricherInvokePermission] },
);
