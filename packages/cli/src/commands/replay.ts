/**
 * `secretwatch replay <file|dir>...`: finds every secret-value retrieval in CloudTrail data a
 * user has at hand (S3 log files, exports, subscription events, the enricher's failure queue)
 * and shows, or re-sends, the alerts the enricher Lambda sends.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
import { availableParallelism } from "node:os";
import { SETTING_NAMES } from "@secretwatch/core";
import { Command, Option } from "commander";
import { UserError } from "../errors.js";
import type { CommandContext } from "../main.js";
import { loadPolicy } from "../policy-file.js";
import { parseFilters } from "../replay/filters.js";
import { runReplay } from "../replay/run.js";
import { tamperSettings } from "../replay/tamper.js";
import { DEFAULT_APP, stageEnv } from "../stage.js";

/** Stage name in the subject prefix of replayed alerts, unless `--stage` says otherwise. */
export const DEFAULT_REPLAY_STAGE = "replay";
const MAX_WORKERS = 64;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

interface RawOptions {
  format: "text" | "json";
  since?: string;
  until?: string;
  secret?: string[];
  principal?: string[];
  publish?: boolean;
  topicArn?: string;
  region?: string;
  app: string;
  stage: string;
  workers: string;
  policy?: string;
  baselineDays?: string;
  report?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const EXAMPLES = `
Inputs (any mix; gzip is detected by content):
  CloudTrail S3 log files {"Records":[...]} (.json, .json.gz) and directories of them (AWSLogs/...),
  JSON arrays of records, NDJSON (one record or any other form per line), a single record,
  CloudWatch Logs subscription events {"awslogs":{"data":...}} and decoded payloads {"messageType":...},
  the enricher's failure-queue records {"requestPayload":...} and \`aws sqs receive-message\` output,
  \`aws cloudtrail lookup-events\` output {"Events":[{"CloudTrailEvent":"..."}]}, and - for standard input.
  A document of any size is read record by record. In directories, files named otherwise are ignored
  (and listed) and hidden entries skipped (and counted); a file named on the command line is always read.
  Each file, and each subscription event or failure record within one, is planned as one Lambda invocation.

--principal matches an ARN given in full (the caller's, or the role's for assumed-role sessions,
  also as a prefix up to "/"), or else any case-insensitive part of the caller's ARN, user name,
  role session name, role name, principal ID or access key ID.

A backtest of the policy: every read is assessed as the Lambda would (severity, reasons, the
  expected rule), with one in-memory history across the whole input in event-time order, so
  first-seen, rapid retrieval and repeat suppression come out as they would have. The summary on
  stderr ends with the alert budget: reads by severity and the emails the Lambda would have sent
  (a day, on the busiest day and in the busiest hour). Tune the policy, replay again, then deploy.
  --format json adds severity, reasons, expected (rule id) and emailed to each line.

Tamper and exposure events (StopLogging, DeleteSubscriptionFilter, a secret's PutResourcePolicy...)
  are reported too, classified as the enricher does: with --stage S, those that touch stage S's
  resources (its trail, watched log group, alarms, topics, enricher and digest, state table; names
  from --app and S, the log group from SECRETWATCH_EXISTING_LOG_GROUP in .env.S) and every Secrets
  Manager tamper event; without --stage, only the Secrets Manager ones (they concern every secret).
  Text output shows their alerts as emailed; --format json prints them as lines with kind "tamper",
  their severity and reason codes (reads have kind "read" or "batch"). --secret keeps the chain's
  events and narrows the Secrets Manager ones to that secret; --since/--until/--principal apply.

Examples:
  $ secretwatch replay ./AWSLogs/111122223333/CloudTrail/ --since 30d --baseline-days 7 --policy my.policy.yaml
  $ secretwatch replay ./AWSLogs/111122223333/CloudTrail/ --since 7d
  $ secretwatch replay trail.json.gz --format json --secret prod/db/password | jq .principalArn
  $ aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=GetSecretValue | secretwatch replay -
  $ secretwatch replay ./AWSLogs/ --stage prod --since 30d --format json | jq 'select(.kind == "tamper")'
  $ secretwatch replay exports/ --principal alice --since 2024-07-01 --until 2024-08-01
  $ aws sqs receive-message --queue-url "$DLQ" --max-number-of-messages 10 > parked.json
  $ secretwatch replay parked.json --publish --topic-arn arn:aws:sns:us-east-1:111122223333:alerts --stage prod
`;

function baselineDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 3650)
    throw new UserError("--baseline-days must be a whole number of days, 1 or more");
  return n;
}

function workerCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new UserError(`--workers must be a whole number from 1 to ${MAX_WORKERS}`);
  }
  return n;
}

async function publishTarget(options: RawOptions) {
  if (!options.publish) {
    if (options.topicArn) throw new UserError("--topic-arn is only used with --publish");
    return null;
  }
  if (!options.topicArn) throw new UserError("--publish needs --topic-arn <arn> (the stage's alert topic)");
  const region = TOPIC_ARN.exec(options.topicArn)?.[1];
  if (!region) throw new UserError(`--topic-arn "${options.topicArn}" is not an SNS topic ARN`);
  const { snsClient } = await import("../sns.js");
  const sns = snsClient(options.region ?? region);
  return { sns, topicArn: options.topicArn, app: options.app, stage: options.stage };
}

export function replayCommand(ctx: CommandContext): Command {
  return new Command("replay")
    .summary("find secret-value retrievals in CloudTrail files; print or re-send their alerts")
    .description(
      "Reads CloudTrail data offline and prints every GetSecretValue / BatchGetSecretValue call as the\n" +
        "alert emails the enricher sends (--format text) or as NDJSON (--format json), then a summary on stderr.\n" +
        "Unreadable or invalid inputs are reported and skipped; the exit code is 1 only when nothing could be read.",
    )
    .argument("<paths...>", "files or directories to read; - reads standard input")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option(
      "--since <time>",
      "only retrievals at or after this time: 2024-07-31, 2024-07-31T12:00:00Z, or 24h / 7d ago",
    )
    .option("--until <time>", "only retrievals before this time (same forms as --since)")
    .option(
      "--secret <part|arn>",
      "only this secret: a case-insensitive part of its name (like --principal), or its full or partial ARN (exactly); repeatable",
      collect,
    )
    .option("--principal <who>", "only this principal (repeatable; see below)", collect)
    .option(
      "--policy <file>",
      "assess with this policy file (default: the repository's secretwatch.policy.yaml, or SECRETWATCH_POLICY_FILE, or the defaults)",
    )
    .option(
      "--baseline-days <n>",
      "treat the first N days of the input as history: remembered (first-seen), never alerted",
    )
    .option(
      "--report <file.html>",
      "also write a self-contained HTML report (timelines, severity summary, sortable table of the hits)",
    )
    .option("--publish", "also send the alerts to SNS, exactly as the enricher Lambda would")
    .option("--topic-arn <arn>", "the alert topic to publish to (with --publish)")
    .option("--region <region>", "Region of the topic (default: from the topic ARN)")
    .addOption(new Option("--app <name>", "app name in alert subjects").default(DEFAULT_APP))
    .addOption(
      new Option(
        "--stage <name>",
        "stage name in alert subjects; given, also the stage whose resources tamper events are matched against",
      ).default(DEFAULT_REPLAY_STAGE),
    )
    .addOption(
      new Option("--workers <n>", "worker threads reading files").default(String(availableParallelism()), "CPU count"),
    )
    .addHelpText("after", EXAMPLES)
    .action(async (paths: string[], options: RawOptions, command: Command) => {
      const filters = parseFilters(options, ctx.io.now());
      const workers = workerCount(options.workers);
      const publish = await publishTarget(options);
      const days = baselineDays(options.baselineDays);
      if (days !== undefined && publish)
        throw new UserError("--baseline-days is a backtest option: not with --publish");
      const policy = await loadPolicy(ctx.io, options.policy);
      for (const warning of policy.warnings) ctx.io.stderr.write(`replay: warning: ${warning}\n`);
      // Only an explicit --stage names a deployed stage; the default is a label for subjects.
      const stage = command.getOptionValueSource("stage") === "default" ? null : options.stage;
      const tamper = tamperSettings(stage === null ? null : { app: options.app, stage }, {
        existingLogGroup: stage === null ? null : stageEnv(ctx.io, stage)[SETTING_NAMES.existingLogGroup],
        notify: policy.compiled.policy.notify,
      });
      await runReplay(ctx, {
        paths,
        format: options.format,
        workers,
        filters,
        app: options.app,
        stage: options.stage,
        publish,
        policy: policy.compiled,
        tamper,
        ...(days !== undefined && { baselineDays: days }),
        ...(options.report !== undefined && { report: options.report }),
      });
    });
}
