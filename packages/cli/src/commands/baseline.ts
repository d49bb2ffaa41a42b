/**
 * `secretwatch baseline --stage S [--since 30d | FILES...]`: seeds the stage's state table with
 * what the account already does, so a new deployment does not email every routine reader as
 * `first-seen`: each actor × secret of the successful single-secret reads in CloudTrail event
 * history (or in files), with first and last seen and a count; then the marker that ends
 * learning. Reports what it wrote; `--dry-run` reports without writing.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
import { availableParallelism } from "node:os";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { STSClient } from "@aws-sdk/client-sts";
import { DEFAULT_THRESHOLDS } from "@secretwatch/core";
import { Command, Option } from "commander";
import { awsClientConfig, checkProfile, resolveRegion } from "../aws-config.js";
import { runBaseline } from "../baseline/run.js";
import { Seed } from "../baseline/seed.js";
import { seedFromFiles, seedFromHistory } from "../baseline/sources.js";
import type { DynamoSender } from "../baseline/write.js";
import { type CredentialsProvider, resolveWriter, type StsSender } from "../baseline/writer.js";
import { UserError } from "../errors.js";
import type { Io } from "../io.js";
import type { CloudTrailSender } from "../lookup/history.js";
import { type Clock, systemClock } from "../lookup/throttle.js";
import { lookupWindow } from "../lookup/window.js";
import type { CommandContext } from "../main.js";
import { loadPolicy } from "../policy-file.js";
import { parseFilters } from "../replay/filters.js";
import { type StageOptions, stageInfo, withStageOptions } from "../stage.js";

export interface BaselineDeps {
  clock: Clock;
  /** One attempt per call: lookup's pacing and backoff retry (lookup/throttle.ts). */
  cloudTrail(region: string): CloudTrailSender;
  dynamo(config: { region?: string; maxAttempts: number; credentials?: CredentialsProvider }): DynamoSender;
  sts(region?: string): StsSender;
}

/** What baseline runs with; tests replace members. */
export const baselineDeps: BaselineDeps = {
  clock: systemClock,
  cloudTrail: (region) => new CloudTrailClient({ region, maxAttempts: 1 }),
  dynamo: (config) => new DynamoDBClient(config),
  sts: (region) => new STSClient(awsClientConfig(region)),
};

/** Event history read by default: a month of routine. */
export const DEFAULT_BASELINE_SINCE = "30d";
const MAX_WORKERS = 64;
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;

interface BaselineOptions extends StageOptions {
  since?: string;
  until?: string;
  historyRegion: string[];
  policy?: string;
  table?: string;
  roleArn?: string;
  assumeRole: boolean;
  dryRun?: boolean;
  workers: string;
}

const collectRegions = (value: string, previous: string[]) => [...previous, ...value.split(",").map((r) => r.trim())];

/** The Regions whose event history to read: `--history-region`, else the stage's. */
function historyRegions(io: Io, options: BaselineOptions): string[] {
  const given = [...new Set(options.historyRegion.filter((r) => r !== ""))];
  for (const region of given) {
    if (!REGION.test(region)) throw new UserError(`--history-region ${JSON.stringify(region)} is not a Region name`);
  }
  checkProfile(io.env);
  return given.length > 0 ? given : [resolveRegion(io.env, options.region)];
}

function workerCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS)
    throw new UserError(`--workers must be a whole number from 1 to ${MAX_WORKERS}`);
  return n;
}

async function baseline(ctx: CommandContext, files: string[], options: BaselineOptions): Promise<void> {
  const { io } = ctx;
  const now = io.now();
  if (options.roleArn !== undefined && !options.assumeRole)
    throw new UserError("--role-arn and --no-assume-role: choose one");
  if (files.length > 0 && options.historyRegion.length > 0)
    throw new UserError("--history-region is for event history: not with files");
  // Every option checked, and the policy read, before any AWS call.
  const window = files.length === 0 ? lookupWindow(options.since ?? DEFAULT_BASELINE_SINCE, options.until, now) : null;
  const filters = files.length > 0 ? parseFilters({ since: options.since, until: options.until }, now) : null;
  const workers = workerCount(options.workers);
  const policy = await loadPolicy(io, options.policy);
  for (const warning of policy.warnings) io.stderr.write(`baseline: warning: ${warning}\n`);
  const stage = stageInfo(io, options);
  const regions = window ? historyRegions(io, options) : [];

  let writer = null;
  if (!options.dryRun) {
    checkProfile(io.env);
    const clock = () => io.now().getTime();
    const who = await resolveWriter(
      baselineDeps.sts(options.region),
      { roleArn: options.roleArn, assumeRole: options.assumeRole, roleName: stage.names.stateBaselineRole },
      clock,
    );
    const credentials = who.kind === "role" ? { credentials: who.credentials } : {};
    writer = { writer: who, client: baselineDeps.dynamo({ ...awsClientConfig(options.region), ...credentials }) };
  }
  await runBaseline(
    io,
    {
      tableName: options.table ?? stage.names.stateTable,
      thresholds: policy.compiled.policy.thresholds ?? DEFAULT_THRESHOLDS,
      writer,
      read: (seed) =>
        window
          ? seedFromHistory(io, { regions, window, client: baselineDeps.cloudTrail, clock: baselineDeps.clock }, seed)
          : seedFromFiles(io, { paths: files, workers, filters: filters! }, seed),
    },
    new Seed(policy.compiled),
  );
}

const HELP = `
Run it once after the first deploy (and again whenever you want the table to learn more
history): until it runs, or for SECRETWATCH_LEARNING_HOURS (24) after the first deploy, a
first-seen read is recorded but not emailed. Running baseline ends learning.

It writes, per actor x secret of every successful GetSecretValue, first and last seen and a
read count (added to what the table holds: running it twice over the same history counts
those reads twice), then the meta/baseline marker. Failed, denied and batch calls are not
counted (a batch call is also logged as one GetSecretValue per secret returned). It writes
as the stage's baseline role (<app>-<stage>-state-baseline), the one principal besides the
functions that the table's resource policy lets write.

Examples:
  $ secretwatch baseline --stage prod --since 30d --dry-run
  $ secretwatch baseline --stage prod --since 30d --history-region eu-west-1,us-east-1
  $ secretwatch baseline --stage prod ./AWSLogs/111122223333/CloudTrail/ --since 60d
`;

export function baselineCommand(ctx: CommandContext): Command {
  return withStageOptions(
    new Command("baseline")
      .summary("seed first-seen from history so a new deployment starts with what the account already does")
      .description(
        "Seeds the stage's state table with every actor x secret of the successful GetSecretValue calls in CloudTrail " +
          "event history (default: the last 30 days) or in FILES (anything replay reads), then ends learning.",
      ),
  )
    .argument("[files...]", "CloudTrail files or directories to read instead of event history")
    .option(
      "--since <when>",
      `start: a duration back from now (30d, 12h) or an ISO time (history: default ${DEFAULT_BASELINE_SINCE}, at most 90d)`,
    )
    .option("--until <when>", "end: a duration back from now or an ISO time (default: now)")
    .addOption(
      new Option("--history-region <region>", "Regions whose event history to read; repeat or comma-separate")
        .argParser(collectRegions)
        .default([], "the stage's Region"),
    )
    .option(
      "--policy <file>",
      "the policy file whose thresholds set how long pairs are kept (default: the repository's)",
    )
    .option("--table <name>", "the state table (default: the stage's, <app>-<stage>-state)")
    .option("--role-arn <arn>", "assume this role to write (default: the stage's baseline role)")
    .option("--no-assume-role", "write with your own credentials")
    .option("--dry-run", "read and report, write nothing (no DynamoDB or STS call)")
    .addOption(
      new Option("--workers <n>", "worker threads reading files").default(String(availableParallelism()), "CPU count"),
    )
    .addHelpText("after", HELP)
    .action((files: string[], options: BaselineOptions) => baseline(ctx, files, options));
}
