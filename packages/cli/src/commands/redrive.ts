/**
 * `secretwatch redrive --stage <name>`: shows what waits in the enricher's failure queue and,
 * with `--publish`, re-sends its alerts through the Lambda's own handler, deleting each
 * message only after all of its alerts were published. Nothing parked is lost by a crash.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
 */
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { CompiledPolicy } from "@secretwatch/core";
import { createHandler } from "@secretwatch/functions/enricher";
import { Command, InvalidArgumentError, Option } from "commander";
import { awsClientConfig, awsSetup } from "../aws-config.js";
import { describeError, UserError } from "../errors.js";
import type { CommandContext } from "../main.js";
import { loadPolicy } from "../policy-file.js";
import { createProgress } from "../progress.js";
import { type FailureQueue, findQueue, QueueReader } from "../redrive/queue.js";
import { parseParkedMessage } from "../redrive/record.js";
import { ParkedTally, tallyJson } from "../redrive/tally.js";
import { snsClient } from "../sns.js";
import { type StageInfo, type StageOptions, stageInfo, withStageOptions } from "../stage.js";
import { plural } from "../words.js";

/** Read-only view: each message is hidden this long at most, then handed back at once. */
export const INSPECT_VISIBILITY_SECONDS = 30;
/** While redriving: long enough for a message's alerts to be published, SNS retries included. */
export const PUBLISH_VISIBILITY_SECONDS = 300;

interface RedriveOptions extends StageOptions {
  format: "text" | "json";
  publish?: boolean;
  policy?: string;
  max?: number;
  topicArn?: string;
}

/** The enricher's variable holding the deployed policy's hash (stacks/enricher.ts, functions' POLICY_ENV.hash). */
export const DEPLOYED_POLICY_HASH_ENV = "SECRETWATCH_POLICY_HASH";

/**
 * One line when the local policy is not the one deployed with the enricher (its
 * {@link DEPLOYED_POLICY_HASH_ENV}), or when that could not be checked; null when they match.
 */
export async function policyDriftWarning(
  lambda: Pick<LambdaClient, "send">,
  functionName: string,
  local: CompiledPolicy,
): Promise<string | null> {
  const mine = `the local policy ${local.hash} (${local.source})`;
  let deployed: string | undefined;
  try {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    deployed = config.Environment?.Variables?.[DEPLOYED_POLICY_HASH_ENV]?.trim();
  } catch (error) {
    return `could not check which policy ${functionName} was deployed with (${describeError(error)}); assessing with ${mine}`;
  }
  if (!deployed)
    return `${functionName} has no ${DEPLOYED_POLICY_HASH_ENV}: could not check its policy; assessing with ${mine}`;
  if (deployed === local.hash) return null;
  return `${mine} differs from the one ${functionName} was deployed with (${deployed}); assessing with the local one (pass --policy with the deployed file to match)`;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

async function inspect(ctx: CommandContext, sqs: SQSClient, queue: FailureQueue, options: RedriveOptions) {
  const { io } = ctx;
  const now = io.now();
  const tally = new ParkedTally();
  const reader = new QueueReader(sqs, queue.url, {
    visibilityTimeout: INSPECT_VISIBILITY_SECONDS,
    max: options.max ?? Infinity,
  });
  try {
    for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) {
      for (const message of batch) {
        const parsed = parseParkedMessage(message.Body, now);
        if ("payload" in parsed) tally.add(message, parsed.payload);
        else tally.skip(message, parsed.reason);
      }
    }
  } finally {
    await reader.releaseAll();
  }
  if (options.format === "json") {
    const report = { queue: queueJson(queue), parked: tallyJson(tally), read: reader.received, deleted: 0 };
    io.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  io.stdout.write(tally.format(now));
  io.stdout.write(
    `Read-only: ${plural(reader.received, "message")} read; each was hidden for at most ${INSPECT_VISIBILITY_SECONDS} s ` +
      "and then made visible again; nothing was deleted.\n",
  );
  if (tally.payloads > 0) {
    io.stdout.write(`To re-send their alerts: secretwatch redrive --stage ${options.stage} --publish\n`);
  }
}

async function publish(
  ctx: CommandContext,
  sqs: SQSClient,
  queue: FailureQueue,
  stage: StageInfo,
  options: RedriveOptions,
) {
  const { io } = ctx;
  const topicArn =
    options.topicArn ?? `arn:${queue.partition}:sns:${queue.region}:${queue.account}:${stage.names.topic}`;
  // The Lambda's own code path: same decoding, assessment, plan and publish, with this stage's topic
  // and the policy given (by default the repository's, which is what the stage was deployed with).
  const policy = await loadPolicy(io, options.policy);
  for (const warning of policy.warnings) io.stderr.write(`redrive: warning: ${warning}\n`);
  const lambda = new LambdaClient(awsClientConfig(queue.region));
  const drift = await policyDriftWarning(lambda, stage.names.enricher, policy.compiled);
  if (drift !== null) io.stderr.write(`redrive: warning: ${drift}\n`);
  const handler = createHandler({
    policy: () => policy.compiled,
    // Its alerts may be the ones that were never sent: no learning, no repeat suppression.
    redriven: true,
    sns: snsClient(queue.region),
    topicArn,
    app: stage.ref.app,
    stage: stage.ref.stage,
    clock: () => io.now(),
  });
  const tally = new ParkedTally();
  const reader = new QueueReader(sqs, queue.url, {
    visibilityTimeout: PUBLISH_VISIBILITY_SECONDS,
    max: options.max ?? Infinity,
  });
  const progress = createProgress(io, "redrive", Math.min(options.max ?? Infinity, Math.max(queue.visible, 1)));
  let [redriven, alerts] = [0, 0];
  let failure: { id: string; error: unknown; step: "publish" | "delete" } | undefined;
  try {
    outer: for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) {
      for (const message of batch) {
        progress.increment();
        const parsed = parseParkedMessage(message.Body, io.now());
        if ("reason" in parsed) {
          tally.skip(message, parsed.reason);
          continue;
        }
        tally.add(message, parsed.payload);
        const id = message.MessageId ?? "?";
        let published: number;
        try {
          published = (await handler(parsed.payload.event)).published;
        } catch (error) {
          failure = { id, error, step: "publish" };
          break outer;
        }
        try {
          await reader.delete(message);
        } catch (error) {
          failure = { id, error, step: "delete" };
          break outer;
        }
        [redriven, alerts] = [redriven + 1, alerts + published];
      }
    }
  } finally {
    progress.stop();
    await reader.releaseAll();
  }
  if (options.format === "json") {
    const report = { queue: queueJson(queue), parked: tallyJson(tally), redriven, alerts, topicArn, deleted: redriven };
    io.stdout.write(`${JSON.stringify(report)}\n`);
  } else io.stdout.write(tally.format(io.now(), "Read"));
  if (options.format === "text")
    io.stdout.write(
      `Redriven: ${plural(redriven, "payload")}, ${plural(alerts, "alert")} published to ${topicArn}; ` +
        `${plural(redriven, "message")} deleted from the queue.\n`,
    );
  if (failure) throw new UserError(failureMessage(failure, redriven), 1, { cause: failure.error });
  if (tally.skipped.length > 0) ctx.setExitCode(1);
}

function failureMessage(failure: { id: string; error: unknown; step: "publish" | "delete" }, redriven: number): string {
  const cause = failure.error instanceof Error && failure.error.cause;
  const why = `${describeError(failure.error)}${cause ? ` (${describeError(cause)})` : ""}`;
  const done = `${plural(redriven, "message")} redriven and deleted before it`;
  if (failure.step === "delete") {
    return `redrive stopped: the alerts of message ${failure.id} were published but it could not be deleted (${why}); it stays in the queue, so a later redrive sends its alerts again; ${done}`;
  }
  return `redrive stopped: the alerts of message ${failure.id} could not be published (${why}); it and the messages after it stay in the queue (some of its alerts may have gone out and would be sent again); ${done}. Fix the cause and run again.`;
}

const queueJson = (queue: FailureQueue) => ({
  name: queue.name,
  region: queue.region,
  visible: queue.visible,
  inFlight: queue.inFlight,
});

async function runRedrive(ctx: CommandContext, options: RedriveOptions): Promise<void> {
  const { region } = awsSetup(ctx.io.env, options.region);
  const stage = stageInfo(ctx.io, options);
  const sqs = new SQSClient(awsClientConfig(region));
  const queue = await findQueue(sqs, stage.names.failureQueue, region);
  if (options.format === "text")
    ctx.io.stdout.write(
      `Failure queue ${queue.name} (${queue.region}): about ${queue.visible} waiting, ${queue.inFlight} in flight\n`,
    );
  if (queue.inFlight > 0 && options.format === "text") {
    ctx.io.stdout.write(
      `${plural(queue.inFlight, "message")} in flight: being read elsewhere, or hidden by an interrupted run; ` +
        `they become visible again when their visibility timeout ends (at most ${PUBLISH_VISIBILITY_SECONDS / 60} min after a redrive)\n`,
    );
  }
  if (options.publish) await publish(ctx, sqs, queue, stage, options);
  else await inspect(ctx, sqs, queue, options);
}

const REDRIVE_EXAMPLES = `
Examples:
  $ secretwatch redrive --stage prod --region eu-west-1
  $ secretwatch redrive --stage prod --format json | jq .parked.retrievals
  $ secretwatch redrive --stage prod --publish --max 10
`;

export function redriveCommand(ctx: CommandContext): Command {
  return withStageOptions(
    new Command("redrive").description(
      "Shows the events the enricher could not process (its failure queue); with --publish, re-sends their alerts " +
        "and deletes each message once its alerts are out.",
    ),
  )
    .addOption(
      new Option("--format <format>", "text: the report as read; json: one JSON object")
        .choices(["text", "json"])
        .default("text"),
    )
    .option("--publish", "re-send the alerts through the enricher's own code, then delete each redriven message")
    .option("--max <n>", "read at most this many messages (default: all)", positiveInteger)
    .option("--topic-arn <arn>", "publish to this topic instead of the stage's alert topic")
    .option(
      "--policy <file>",
      "assess with this policy file (default: the repository's secretwatch.policy.yaml, or SECRETWATCH_POLICY_FILE, or the defaults)",
    )
    .addHelpText("after", REDRIVE_EXAMPLES)
    .action((options: RedriveOptions) => runRedrive(ctx, options));
}
