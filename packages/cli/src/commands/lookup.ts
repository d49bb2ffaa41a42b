/**
 * `secretwatch lookup`: the secret-value retrievals in CloudTrail event history (the last 90
 * days of management events, no trail needed), reported like `replay`: alerts as emailed or
 * NDJSON hits on stdout, a summary per secret × principal on stderr. With `--principal`:
 * every event of one principal instead (lookup/principal.ts says how it is found), its secret
 * reads assessed as in the normal mode. Tamper and exposure events are looked up by event name
 * too (replay/tamper.ts: the stage's scope with `--stage`, else only Secrets Manager's).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-cli.html
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import {
  type AssessedAccess,
  enrichEvents,
  SECRET_VALUE_EVENTS,
  SETTING_NAMES,
  type TamperHit,
  type TamperPlan,
} from "@secretwatch/core";
import { Command, Option } from "commander";
import { Assessor } from "../assessment.js";
import { checkProfile, resolveRegion } from "../aws-config.js";
import type { Io } from "../io.js";
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
import { createProgress } from "../progress.js";
import { planTamperRecords, type TamperSettings, tamperEventNames, tamperSettings } from "../replay/tamper.js";
import { cell, formatSummary, REPORT_FORMATS, type ReportFormat, summarize, writeReport } from "../report.js";
import { DEFAULT_APP, stageEnv } from "../stage.js";

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
  report?: string;
  stage?: string;
  app: string;
  tamper: boolean;
}

/** Every tamper alert printed, as every read alert is (no per-unit cap). */
const NO_CAP = Number.MAX_SAFE_INTEGER;

/** `--report FILE.html`: the self-contained HTML report of what was found (loaded only when asked). */
async function writeHtml(
  file: string | undefined,
  input: { hits: AssessedAccess[]; emailed?: Map<AssessedAccess, boolean>; tamper?: TamperHit[] },
  source: string,
): Promise<void> {
  if (file === undefined) return;
  const { writeHtmlReport } = await import("../report-html/index.js");
  await writeHtmlReport(file, input, { source, app: DEFAULT_APP });
}

/** `--region a --region b,c` → `[a, b, c]`. */
function collectRegions(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(",").map((r) => r.trim())];
}

/** The Regions given (checked), else the one the SDK would use (aws-config.ts); the profile checked first. */
function regionsOf(io: Io, given: readonly string[]): string[] {
  checkProfile(io.env);
  const regions = [...new Set(given.filter((r) => r !== ""))];
  return regions.length > 0 ? regions.map((r) => resolveRegion(io.env, r)) : [resolveRegion(io.env)];
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
async function lookupAssessor(
  io: Io,
  file: string | undefined,
  ctx: { app: string; stage: string },
): Promise<Assessor> {
  const policy = await loadPolicy(io, file);
  for (const warning of policy.warnings) io.stderr.write(`lookup: warning: ${warning}\n`);
  return new Assessor(policy.compiled, { ...ctx, maxMessages: NO_CAP });
}

/** The tamper scope: stage S's resources with `--stage S`, else none (Secrets Manager events only). */
function lookupTamper(io: Io, options: LookupOptions, assessor: Assessor): TamperSettings | null {
  if (!options.tamper) return null;
  const ref = options.stage === undefined ? null : { app: options.app, stage: options.stage };
  return tamperSettings(ref, {
    existingLogGroup: ref === null ? null : stageEnv(io, ref.stage)[SETTING_NAMES.existingLogGroup],
    notify: assessor.policy.policy.notify,
  });
}

const retried = (stats: HistoryStats) =>
  stats.retries > 0 ? [`${stats.retries} throttled or failed request(s) retried`] : [];

async function runLookup(ctx: CommandContext, options: LookupOptions): Promise<void> {
  const { io } = ctx;
  const window = lookupWindow(options.since, options.until, io.now());
  const subjects = { app: options.app, stage: options.stage ?? "" };
  // Read the policy first: a bad one stops lookup before any AWS call.
  const assessor = await lookupAssessor(io, options.policy, subjects);
  const tamper = lookupTamper(io, options, assessor);
  if (options.principal !== undefined) return runPrincipal(io, options.principal, options, window, assessor, tamper);
  const regions = regionsOf(io, options.region);
  const collector = new Collector();
  // One query per event name (LookupEvents takes one attribute): the reads', then the tamper events'.
  const names = [...SECRET_VALUE_EVENTS, ...(tamper ? tamperEventNames(tamper) : [])];
  const stats = await collect(io, { regions, attributes: eventNameAttributes(names), window }, collector);
  // Event history is not a delivery: no lag to show.
  const hits = enrichEvents(collector.events, null);
  const plan: TamperPlan | null = tamper
    ? planTamperRecords(
        collector.events.map((e) => e.record),
        tamper,
        { ...subjects, maxMessages: NO_CAP },
      )
    : null;
  const skipped = [...collector.skipped(), ...retried(stats)];
  const where = regions.join(", ");
  const tamperText = plan
    ? `, ${plan.hits.length} tamper event(s)${options.stage ? "" : " (Secrets Manager only: no --stage)"}`
    : "";
  const written = await writeReport(
    io,
    hits,
    options.format,
    { ...subjects, source: `CloudTrail event history (${where})`, assessor, tamper: plan },
    [
      `lookup: ${where}, ${window.start.toISOString()} .. ${window.end.toISOString()}: ${stats.pages} page(s), ${collector.events.length} event(s)`,
      `lookup: ${hits.length} secret-value retrieval(s)${tamperText}${skipped.length > 0 ? `; ${skipped.join(", ")}` : ""}`,
    ],
  );
  await writeHtml(options.report, { ...written, tamper: plan?.hits ?? [] }, `CloudTrail event history (${where})`);
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
  tamper: TamperSettings | null,
): Promise<void> {
  const principal = parsePrincipal(input);
  const regions = regionsOf(io, options.region);
  const collector = new Collector(principal.filter ?? undefined);
  const stats = await collect(io, { regions, attributes: [principal.attribute], window }, collector);
  const ordered = oldestFirst(collector.events);
  // One hit per read, in the events' order: the verdicts pair up with the events by position.
  const reads = enrichEvents(ordered, null);
  const { hits: assessed } = await assessor.unit(reads);
  // The principal's tamper events of the stage are marked in the timeline (no extra query).
  const changes = tamper
    ? planTamperRecords(
        ordered.map((e) => e.record),
        tamper,
        { app: options.app, stage: options.stage ?? "", maxMessages: NO_CAP },
      ).hits
    : [];
  const timeline = activityTimeline(ordered, assessed, changes);
  await writeHtml(options.report, { hits: assessed, tamper: changes }, `CloudTrail event history of ${input.trim()}`);

  if (options.format === "json") for (const event of timeline) io.stdout.write(activityJsonLine(event));
  else io.stdout.write(formatActivityText(timeline));

  const kept = principal.filterText ? `, kept where ${cell(principal.filterText)}` : "";
  const dropped = principal.filter ? [`${collector.rejected} event(s) of another principal dropped`] : [];
  const skipped = [...dropped, ...collector.skipped(), ...retried(stats)];
  const severities = severityCounts(timeline.filter((e) => e.secretValueRead));
  const changed = severityCounts(timeline.filter((e) => e.tamper));
  const lines = [
    `lookup: principal ${cell(input.trim())}: LookupEvents ${cell(attributeLabel(principal.attribute))}${kept}`,
    ...(principal.note ? [`lookup: note: ${cell(principal.note)}`] : []),
    `lookup: ${regions.join(", ")}, ${window.start.toISOString()} .. ${window.end.toISOString()}: ${stats.pages} page(s)`,
    `lookup: ${timeline.length} event(s) of the principal, ${reads.length} secret-value retrieval(s)` +
      `${severities ? ` (${severities})` : ""}` +
      (tamper ? `, ${changes.length} tamper event(s)${changed ? ` (${changed})` : ""}` : "") +
      `${skipped.length > 0 ? `; ${skipped.join(", ")}` : ""}`,
  ];
  const tables = [formatEventCounts(countEvents(timeline)), formatSummary(summarize(reads))].filter(Boolean);
  io.stderr.write(`${[...lines, ...tables.flatMap((t) => ["", t.trimEnd()])].join("\n")}\n`);
}

const LOOKUP_EXAMPLES = `
Examples:
  $ secretwatch lookup --since 7d --region eu-west-1,us-east-1
  $ secretwatch lookup --since 24h --format json | jq 'select(.severity == "high")'
  $ secretwatch lookup --principal arn:aws:iam::111122223333:role/deploy --since 30d
  $ secretwatch lookup --stage prod --since 7d --format json | jq 'select(.kind == "tamper")'

Tamper and exposure events (StopLogging, DeleteSubscriptionFilter, a secret's PutResourcePolicy...):
  LookupEvents filters on one attribute per request, so lookup asks for each tamper event name
  CloudTrail writes (about 40 more requests per Region with --stage, 9 without; each is usually one
  page), paced like the rest, and classifies the records as the enricher does. With --stage S:
  events on stage S's resources (names from --app and S) and every Secrets Manager tamper event;
  without --stage only the Secrets Manager ones (they concern every secret). ReadOnly=false would be
  one query, but it returns every write event of the account: unbounded pages at 2 per second.
  --no-tamper skips these queries. With --principal, the principal's own events are classified
  (no extra query) and marked in the timeline.
`;

export function lookupCommand(ctx: CommandContext): Command {
  return new Command("lookup")
    .description(
      "Reports secret-value retrievals (GetSecretValue, BatchGetSecretValue) and tamper events from CloudTrail " +
        "event history (the last 90 days), at most 2 requests per second per Region.",
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
    .option(
      "--report <file.html>",
      "also write a self-contained HTML report (timelines, severity summary, sortable table of the hits)",
    )
    .option(
      "--stage <name>",
      "also report tamper events on this stage's resources (trail, log group, alarms, topics, functions, table)",
    )
    .addOption(new Option("--app <name>", "the SST app name (with --stage)").default(DEFAULT_APP))
    .option("--no-tamper", "do not look up tamper and exposure events")
    .addHelpText("after", `${PRINCIPAL_HELP}${LOOKUP_EXAMPLES}`)
    .action((options: LookupOptions) => runLookup(ctx, options));
}
