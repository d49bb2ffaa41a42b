/**
 * `secretwatch history`: secret-value retrievals over the whole CloudTrail archive in S3 (years,
 * every account of an organization trail), found by Athena in the stage's history workgroup
 * (stacks/history.ts) and reported exactly as `replay` reports them, with the stage's tamper events.
 * @see https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-logs.html
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { historyDatabaseName, historyWorkgroupName, parseHistorySettings, SETTING_NAMES } from "@secretwatch/core";
import { Command, Option } from "commander";
import { awsClientConfig, checkProfile, NO_REGION, resolveRegion } from "../aws-config.js";
import { UserError } from "../errors.js";
import { HistoryQueryError } from "../history/athena.js";
import { historyScope, parseAccounts, parseRegions } from "../history/partitions.js";
import { type HistoryDeps, runHistory } from "../history/run.js";
import { buildHistoryQuery, printableQuery } from "../history/sql.js";
import type { Io } from "../io.js";
import type { CommandContext } from "../main.js";
import { loadPolicy } from "../policy-file.js";
import { parseFilters } from "../replay/filters.js";
import { tamperQueryEvents, tamperSettings } from "../replay/tamper.js";
import { DEFAULT_APP, stageEnv } from "../stage.js";

interface RawOptions {
  stage: string;
  app: string;
  since?: string;
  until?: string;
  secret?: string[];
  principal?: string[];
  account: string[];
  region: string[];
  stageRegion?: string;
  format: "text" | "json";
  policy?: string;
  report?: string;
  printSql?: boolean;
}

/** `--x a --x b,c` → `[a, b, c]`. */
const collectList = (value: string, previous: string[]) => [...previous, ...value.split(",").map((v) => v.trim())];
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const EXAMPLES = `
The query runs in the stage's Athena workgroup (<app>-<stage>-history), over the table
<app>_<stage>_history.cloudtrail that \`sst deploy\` creates when the stage has a trail bucket
or SECRETWATCH_HISTORY_BUCKET. Athena finds the log files and event IDs; the records are then
read from those files in S3, so every field is the record's own, and assessed as replay does.
--account defaults to the caller's account; an organization trail needs each account named.
--secret and --principal narrow the query (as parameters, never SQL text) and match as in replay.
Tamper and exposure events of the stage (its trail, log group, alarms, topics, functions, state
table) and every Secrets Manager tamper event are found by the same query (each event source with
the event names CloudTrail writes) and reported as replay --stage does: alerts as emailed, or JSON
lines with kind "tamper" and their reason codes.
Cost: $5 per TB scanned (10 MB minimum); printed after each query. The workgroup stops a
query at SECRETWATCH_HISTORY_MAX_SCAN_GB (default 100 GB).

Examples:
  $ secretwatch history --stage prod --since 90d
  $ secretwatch history --stage prod --since 2024-01-01 --until 2024-07-01 --secret prod/db --format json
  $ secretwatch history --stage org --since 30d --account 111122223333,444455556666 --region eu-west-1
  $ secretwatch history --stage prod --since 7d --principal alice --print-sql
`;

/** The stage's Region for the clients: --stage-region, else AWS_REGION or the profile's. */
function stageRegion(io: Io, given: string | undefined): string {
  try {
    return resolveRegion(io.env, given);
  } catch (error) {
    if (error instanceof UserError && error.message === NO_REGION) {
      throw new UserError("no AWS Region for the stage: pass --stage-region or set AWS_REGION");
    }
    throw error;
  }
}

/** The stage's cutoff as its settings say (to name it when a query stops there); null when unreadable. */
function cutoffBytes(io: Io, stage: string): number | null {
  try {
    return parseHistorySettings(stageEnv(io, stage)).maxScanGb * 1e9;
  } catch {
    return null;
  }
}

/** Aborted by the next Ctrl-C (SIGINT) until released; then Ctrl-C is Node's own again. */
function sigintWatch(): { signal: AbortSignal; release(): void } {
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once("SIGINT", onSigint);
  return { signal: interrupt.signal, release: () => process.off("SIGINT", onSigint) };
}

/** A wait that ends early when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}

/** The real clients, for the stage's Region; Ctrl-C while the query runs stops it. */
export function historyDeps(region: string): HistoryDeps {
  return {
    athena: new AthenaClient(awsClientConfig(region)),
    // An organization's archive bucket may live in another Region.
    s3: new S3Client({ ...awsClientConfig(region), followRegionRedirects: true }),
    sleep,
    interrupts: sigintWatch,
  };
}

async function callerAccount(region: string): Promise<string> {
  const sts = new STSClient(awsClientConfig(region));
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  if (!Account) throw new UserError("cannot tell the caller's account: pass --account");
  return Account;
}

export function historyCommand(ctx: CommandContext, makeDeps: (region: string) => HistoryDeps = historyDeps): Command {
  return new Command("history")
    .summary("find secret-value retrievals in the whole CloudTrail archive with Athena")
    .description(
      "Queries the stage's CloudTrail archive in S3 with Athena and prints every GetSecretValue /\n" +
        "BatchGetSecretValue call found as replay does: alert emails (--format text) or NDJSON (--format json),\n" +
        "then the summary, the data scanned and its cost on stderr.",
    )
    .requiredOption("--stage <name>", "(required) the SST stage whose history workgroup and table to use")
    .requiredOption("--since <time>", "(required) only retrievals at or after this time: 2024-07-31, or 24h / 90d ago")
    .option("--until <time>", "only retrievals before this time (same forms; default: now)")
    .option("--secret <id>", "only this secret: name, partial or full ARN (repeatable)", collect)
    .option("--principal <who>", "only this principal, as replay matches it (repeatable)", collect)
    .option(
      "--account <id>",
      "only these accounts (repeatable or comma-separated; default: the caller's)",
      collectList,
      [],
    )
    .option(
      "--region <region>",
      "only events of these Regions (repeatable or comma-separated; default: all)",
      collectList,
      [],
    )
    .option("--stage-region <region>", "the Region the stage is deployed in (default: AWS_REGION / your profile)")
    .addOption(
      new Option("--format <format>", "text: the alert emails; json: one line per hit, as replay prints it")
        .choices(["text", "json"])
        .default("text"),
    )
    .option("--policy <file>", "assess with this policy file (default: as replay)")
    .option("--report <file>", "also write a self-contained HTML report to this file")
    .option("--print-sql", "print the query and its parameters, and exit without calling AWS")
    .addOption(new Option("--app <name>", "the SST app name").default(DEFAULT_APP))
    .addHelpText("after", EXAMPLES)
    .action(async (options: RawOptions) => {
      const { io } = ctx;
      const filters = parseFilters(options, io.now());
      const regions = parseRegions(options.region.filter((r) => r !== ""));
      let accounts = parseAccounts(options.account.filter((a) => a !== ""));
      const ref = { app: options.app, stage: options.stage };
      // The stage's tamper events are found with the reads (their names: the catalog's).
      const existingLogGroup = stageEnv(io, options.stage)[SETTING_NAMES.existingLogGroup] ?? null;
      const events = tamperQueryEvents(tamperSettings(ref, { existingLogGroup }));
      if (options.printSql) {
        if (accounts.length === 0) throw new UserError("--print-sql needs --account (it calls no AWS to find yours)");
        io.stdout.write(printableQuery(buildHistoryQuery(historyScope(filters, io.now(), accounts, regions, events))));
        return;
      }
      const policy = await loadPolicy(io, options.policy);
      for (const warning of policy.warnings) io.stderr.write(`history: warning: ${warning}\n`);
      const tamper = tamperSettings(ref, { existingLogGroup, notify: policy.compiled.policy.notify });
      checkProfile(io.env);
      const region = stageRegion(io, options.stageRegion);
      if (accounts.length === 0) accounts = [await callerAccount(region)];
      try {
        await runHistory(io, makeDeps(region), {
          scope: historyScope(filters, io.now(), accounts, regions, events),
          filters,
          target: {
            workgroup: historyWorkgroupName(ref),
            database: historyDatabaseName(ref),
            cutoffBytes: cutoffBytes(io, options.stage),
          },
          format: options.format,
          app: options.app,
          stage: options.stage,
          policy: policy.compiled,
          tamper,
          ...(options.report !== undefined && { report: options.report }),
        });
      } catch (error) {
        if (error instanceof HistoryQueryError) throw new UserError(error.message, 1, { cause: error });
        throw error;
      }
    });
}
