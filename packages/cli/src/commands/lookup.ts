/**
 * `secretwatch lookup`: the secret-value retrievals in CloudTrail event history (the last 90
 * days of management events, no trail needed), reported like `replay`: alerts as emailed or
 * NDJSON hits on stdout, a summary per secret × principal on stderr.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-cli.html
 */
import { CloudTrailClient, type Event } from "@aws-sdk/client-cloudtrail";
import { type DecodedLogEvent, enrichEvents, parseRecordMessage, SECRET_VALUE_EVENTS } from "@secretwatch/core";
import { Command, Option } from "commander";
import { Assessor, DEFAULT_COMPILED_POLICY } from "../assessment.js";
import { UserError } from "../errors.js";
import { createProgress, type Io } from "../io.js";
import { type CloudTrailSender, readEventHistory } from "../lookup/history.js";
import { type Clock, systemClock } from "../lookup/throttle.js";
import { DEFAULT_SINCE, lookupWindow } from "../lookup/window.js";
import type { CommandContext } from "../main.js";
import { REPORT_FORMATS, type ReportFormat, writeReport } from "../report.js";
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

/** Parses each event's full record; drops repeated event IDs. */
class Collector {
  readonly events: DecodedLogEvent[] = [];
  private readonly seen = new Set<string>();
  unreadable = 0;
  duplicates = 0;

  add(event: Event): void {
    const parsed = parseRecordMessage(event.CloudTrailEvent ?? "");
    if ("reason" in parsed) {
      this.unreadable++;
      return;
    }
    const id = parsed.record.eventID;
    if (this.seen.has(id)) {
      this.duplicates++;
      return;
    }
    this.seen.add(id);
    this.events.push({ id, timestamp: event.EventTime?.getTime() ?? 0, record: parsed.record });
  }
}

async function runLookup(ctx: CommandContext, options: LookupOptions): Promise<void> {
  const { io } = ctx;
  const now = io.now();
  const window = lookupWindow(options.since, options.until, now);
  const regions = await regionsOf(io, options.region);
  const collector = new Collector();
  let expectedPages = regions.length * SECRET_VALUE_EVENTS.length;
  const progress = createProgress(io, "LookupEvents pages", expectedPages);
  let stats: Awaited<ReturnType<typeof readEventHistory>>;
  try {
    stats = await readEventHistory(
      { regions, eventNames: SECRET_VALUE_EVENTS, window },
      {
        client: lookupDeps.client,
        clock: lookupDeps.clock,
        onPage: ({ events, more }) => {
          if (more) progress.setTotal(++expectedPages);
          progress.increment();
          for (const event of events) collector.add(event);
        },
      },
    );
  } finally {
    progress.stop();
  }
  // Event history is not a delivery: no lag to show.
  const hits = enrichEvents(collector.events, null);
  const skipped = [
    collector.duplicates > 0 && `${collector.duplicates} duplicate(s) dropped`,
    collector.unreadable > 0 && `${collector.unreadable} unreadable record(s) skipped`,
    stats.retries > 0 && `${stats.retries} throttled or failed request(s) retried`,
  ].filter(Boolean);
  const where = regions.join(", ");
  const assessor = new Assessor(DEFAULT_COMPILED_POLICY, {
    app: DEFAULT_APP,
    stage: "",
    maxMessages: Number.MAX_SAFE_INTEGER,
  });
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
      new Option("--format <format>", "text: the alerts as emailed; json: one JSON object per hit (NDJSON)")
        .choices(REPORT_FORMATS)
        .default("text"),
    )
    .action((options: LookupOptions) => runLookup(ctx, options));
}
