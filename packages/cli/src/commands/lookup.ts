/**
 * `secretwatch lookup`: the secret-value retrievals in CloudTrail event history (the last 90
 * days of management events, no trail needed), reported like `replay`: alerts as emailed or
 * NDJSON hits on stdout, a summary per secret × principal on stderr. With `--principal`:
 * every event of one principal instead (lookup/principal.ts says how it is found), its secret
 * reads assessed as in the normal mode.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-cli.html
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { enrichEvents, SECRET_VALUE_EVENTS } from "@secretwatch/core";
import { Command, Option } from "commander";
import { Assessor } from "../assessment.js";
import { UserError } from "../errors.js";
import { createProgress, type Io } from "../io.js";
import {
  activityJsonLine,
  activityTimeline,
  countEvents,
  formatActivityText,
  formatEventCounts,
  oldestFirst,
  severityCounts,
} from "../lookup/activity.js";
import { Collector } from "../lookup/collect.js";
import {
  attributeLabel,
  type CloudTrailSender,
  eventNameAttributes,
  type HistoryStats,
  type LookupAttribute,
  readEventHistory,
} from "../lookup/history.js";
import { PRINCIPAL_HELP, parsePrincipal } from "../lookup/principal.js";
import { type Clock, systemClock } from "../lookup/throttle.js";
import { DEFAULT_SINCE, lookupWindow, type TimeWindow } from "../lookup/window.js";
import type { CommandContext } from "../main.js";
import { loadPolicy } from "../policy-file.js";
import { cell, formatSummary, REPORT_FORMATS, type ReportFormat, summarize, writeReport } from "../report.js";
import { DEFAULT_APP } from "../stage.js";

export interface LookupDeps {
  clock: Clock;
  client(region: string): CloudTrailSender;
}

/**
 * What lookup runs with. The SDK client makes one attempt per call: the pacing and backoff of
 * lookup/throttle.ts retry throttling, and two retry layers would multiply the requests.
 */
export const lookupDeps: LookupDeps = {
  clock: systemClock,
  client: (region) => new CloudTrailClient({ region, maxAttempts: 1 }),
};

interface LookupOptions {
  since: string;
  until?: string;
  region: string[];
  format: ReportFormat;
  principal?: string;
  policy?: string;
}

const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;

/** `--region a --region b,c` → `[a, b, c]`. */
function collectRegions(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(",").map((r) => r.trim())];
}

/** The Region the SDK would use: AWS_REGION, else the profile's region. */
async function defaultRegion(io: Io): Promise<string> {
  const fromEnv = io.env.AWS_REGION?.trim();
  if (fromEnv) return fromEnv;
  const fromProfile = await new CloudTrailClient({}).config.region().catch(() => undefined);
  if (fromProfile) return fromProfile;
  throw new UserError("no AWS Region: pass --region (repeatable), or set AWS_REGION or a region in your AWS profile");
}

async function regionsOf(io: Io, given: readonly string[]): Promise<string[]> {
  const regions = [...new Set(given.filter((r) => r !== ""))];
  for (const region of regions) {
    if (!REGION.test(region)) throw new UserError(`--region ${JSON.stringify(region)} is not a Region name`);
  }
  return regions.length > 0 ? regions : [await defaultRegion(io)];
}

/** Reads every attribute's events in every Region into `collector`, with a progress bar. */
async function collect(
  io: Io,
  query: { regions: string[]; attributes: LookupAttribute[]; window: TimeWindow },
  collector: Collector,
): Promise<HistoryStats> {
  let expectedPages = query.regions.length * query.attributes.length;
  const progress = createProgress(io, "LookupEvents pages", expectedPages);
  try {
    return await readEventHistory(query, {
      client: lookupDeps.client,
      clock: lookupDeps.clock,
      onPage: ({ events, more }) => {
        if (more) progress.setTotal(++expectedPages);
        progress.increment();
        for (const event of events) collector.add(event);
      },
    });
  } finally {
    progress.stop();
  }
}

/** What lookup assesses with: the policy (`--policy`, the repository's, or the defaults), every alert printed (no per-unit cap). */
async function lookupAssessor(io: Io, file: string | undefined): Promise<Assessor> {
  const policy = await loadPolicy(io, file);
  for (const warning of policy.warnings) io.stderr.write(`lookup: warning: ${warning}\n`);
  return new Assessor(policy.compiled, { app: DEFAULT_APP, stage: "", maxMessages: Number.MAX_SAFE_INTEGER });
}

const retried = (stats: HistoryStats) =>
  stats.retries > 0 ? [`${stats.retries} throttled or failed request(s) retried`] : [];

async function runLookup(ctx: CommandContext, options: LookupOptions): Promise<void> {
  const { io } = ctx;
  const window = lookupWindow(options.since, options.until, io.now());
  // Read the policy first: a bad one stops lookup before any AWS call.
  const assessor = await lookupAssessor(io, options.policy);
  if (options.principal !== undefined) return runPrincipal(io, options.principal, options, window, assessor);
  const regions = await regionsOf(io, options.region);
  const collector = new Collector();
  const stats = await collect(io, { regions, attributes: eventNameAttributes(SECRET_VALUE_EVENTS), window }, collector);
  // Event history is not a delivery: no lag to show.
  const hits = enrichEvents(collector.events, null);
  const skipped = [...collector.skipped(), ...retried(stats)];
  const where = regions.join(", ");
  await writeReport(
    io,
    hits,
    options.format,
    { app: DEFAULT_APP, stage: "", source: `CloudTrail event history (${where})`, assessor },
    [
      `lookup: ${where}, ${window.start.toISOString()} .. ${window.end.toISOString()}: ${stats.pages} page(s), ${collector.events.length} event(s)`,
      `lookup: ${hits.length} secret-value retrieval(s)${skipped.length > 0 ? `; ${skipped.join(", ")}` : ""}`,
    ],
  );
}

/**
 * `--principal`: every event the principal's lookup attribute finds (kept only when the
 * filter says it is that principal's), oldest first on stdout; on stderr the figures, the
 * most frequent events, and the secret-value retrievals as the normal mode summarises them.
 */
async function runPrincipal(
  io: Io,
  input: string,
  options: LookupOptions,
  window: TimeWindow,
  assessor: Assessor,
): Promise<void> {
  const principal = parsePrincipal(input);
  const regions = await regionsOf(io, options.region);
  const collector = new Collector(principal.filter ?? undefined);
  const stats = await collect(io, { regions, attributes: [principal.attribute], window }, collector);
  const ordered = oldestFirst(collector.events);
  // One hit per read, in the events' order: the verdicts pair up with the events by position.
  const reads = enrichEvents(ordered, null);
  const { hits: assessed } = await assessor.unit(reads);
  const timeline = activityTimeline(ordered, assessed);

  if (options.format === "json") for (const event of timeline) io.stdout.write(activityJsonLine(event));
  else io.stdout.write(formatActivityText(timeline));

  const kept = principal.filterText ? `, kept where ${cell(principal.filterText)}` : "";
  const dropped = principal.filter ? [`${collector.rejected} event(s) of another principal dropped`] : [];
  const skipped = [...dropped, ...collector.skipped(), ...retried(stats)];
  const severities = severityCounts(timeline);
  const lines = [
    `lookup: principal ${cell(input.trim())}: LookupEvents ${cell(attributeLabel(principal.attribute))}${kept}`,
    ...(principal.note ? [`lookup: note: ${cell(principal.note)}`] : []),
    `lookup: ${regions.join(", ")}, ${window.start.toISOString()} .. ${window.end.toISOString()}: ${stats.pages} page(s)`,
    `lookup: ${timeline.length} event(s) of the principal, ${reads.length} secret-value retrieval(s)` +
      `${severities ? ` (${severities})` : ""}${skipped.length > 0 ? `; ${skipped.join(", ")}` : ""}`,
  ];
  const tables = [formatEventCounts(countEvents(timeline)), formatSummary(summarize(reads))].filter(Boolean);
  io.stderr.write(`${[...lines, ...tables.flatMap((t) => ["", t.trimEnd()])].join("\n")}\n`);
}

export function lookupCommand(ctx: CommandContext): Command {
  return new Command("lookup")
    .description(
      "Report secret-value retrievals (GetSecretValue, BatchGetSecretValue) from CloudTrail event history " +
        "(last 90 days), at most 2 requests per second per Region",
    )
    .option(
      "--since <when>",
      "start: a duration back from now (7d, 12h, 30m) or an ISO time; at most 90d",
      DEFAULT_SINCE,
    )
    .option("--until <when>", "end: a duration back from now or an ISO time (default: now)")
    .addOption(
      new Option("--region <region>", "Region to look up; repeat or comma-separate for several")
        .argParser(collectRegions)
        .default([], "AWS_REGION / your profile's region"),
    )
    .addOption(
      new Option(
        "--format <format>",
        "text: the alerts as emailed (with --principal: one line per event); json: one JSON object per hit or event (NDJSON)",
      )
        .choices(REPORT_FORMATS)
        .default("text"),
    )
    .option("--principal <arn|name|access-key-id>", "every event of this principal instead (see below)")
    .option(
      "--policy <file>",
      "assess with this policy file (default: the repository's secretwatch.policy.yaml, or SECRETWATCH_POLICY_FILE, or the defaults)",
    )
    .addHelpText("after", PRINCIPAL_HELP)
    .action((options: LookupOptions) => runLookup(ctx, options));
}
