/**
 * `secretwatch doctor` against aws-sdk-client-mock (see doctor-fixtures.ts): the log group
 * (the stage's own or an existing one), its subscription filter and the metric filter.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeMetricFiltersCommand, DescribeSubscriptionFiltersCommand } from "@aws-sdk/client-cloudwatch-logs";
import { SUBSCRIPTION_FILTER_PATTERN } from "@secretwatch/core";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { ACCOUNT, healthyWorld, install, mocks, stageTrail, type World } from "./doctor-fixtures.js";
import { DEPLOY, doctor } from "./doctor-run.js";

let world: World;

/** Temp directories of this file, removed after its tests. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

beforeEach(() => {
  world = healthyWorld();
  install(world);
});

describe("bring-your-own log group (SECRETWATCH_EXISTING_LOG_GROUP)", () => {
  function byoDir(): string {
    const dir = tempDir("secretwatch-doctor-");
    writeFileSync(path.join(dir, "sst.config.ts"), "");
    writeFileSync(
      path.join(dir, ".env.dev"),
      "SECRETWATCH_ALERT_EMAILS=alice@example.com\nSECRETWATCH_EXISTING_LOG_GROUP=aws-controltower/CloudTrailLogs\n",
    );
    return dir;
  }
  const orgTrailArn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/aws-controltower-BaselineCloudTrail`;

  test("finds the trail by its log group ARN (an organization trail) and checks that group", async () => {
    world.trails = [
      {
        ...stageTrail(),
        Name: "aws-controltower-BaselineCloudTrail",
        TrailARN: orgTrailArn,
        IsOrganizationTrail: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-controltower/CloudTrailLogs:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-controltower-CloudWatchLogsRole`,
      },
    ];
    world.selectors = {
      TrailARN: orgTrailArn,
      EventSelectors: [
        { ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
      ],
    };
    const run = await doctor([], { cwd: byoDir() });
    expect(run.lines).toContain(
      "✓ trail aws-controltower-BaselineCloudTrail (organization, multi-Region) delivers to log group aws-controltower/CloudTrailLogs",
    );
    expect(run.lines).toContain("✓ trail aws-controltower-BaselineCloudTrail is logging");
    expect(run.lines).toContain("✓ log group aws-controltower/CloudTrailLogs received 340 events in the last hour");
    expect(mocks.cloudtrail.commandCalls(GetTrailStatusCommand)[0]!.args[0].input).toEqual({ Name: orgTrailArn });
    expect(mocks.logs.commandCalls(DescribeSubscriptionFiltersCommand)[0]!.args[0].input.logGroupName).toBe(
      "aws-controltower/CloudTrailLogs",
    );
    expect(mocks.logs.commandCalls(DescribeMetricFiltersCommand)[0]!.args[0].input.logGroupName).toBe(
      "aws-controltower/CloudTrailLogs",
    );
    expect(run.code).toBe(0);
  });

  test("no trail delivers to the group", async () => {
    const run = await doctor([], { cwd: byoDir() });
    expect(run.lines).toContain(
      "✗ no trail delivers to log group aws-controltower/CloudTrailLogs in us-east-1 → fix: point a trail that logs Read management events at aws-controltower/CloudTrailLogs (CloudTrail console → trail → CloudWatch Logs), or remove SECRETWATCH_EXISTING_LOG_GROUP so the stage creates its own trail",
    );
    expect(mocks.cloudtrail.commandCalls(GetTrailStatusCommand)).toHaveLength(0);
    expect(run.code).toBe(1);
  });
});

describe("settings read as SST reads them (stacks deploy what doctor checks)", () => {
  const G = "SECRETWATCH_EXISTING_LOG_GROUP";
  /** An app directory (sst.config.ts) with these files; returns it. */
  function appDir(files: Record<string, string>): string {
    const dir = tempDir("secretwatch-doctor-env-");
    writeFileSync(path.join(dir, "sst.config.ts"), "");
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }
  /** The log group doctor checked (the run has no trail for it). */
  const checked = (lines: string[]) =>
    lines.map((l) => /^✗ no trail delivers to log group (\S+) in /.exec(l)?.[1]).find(Boolean);

  test.each<[string, Record<string, string>, Record<string, string>, string, string]>([
    [
      ".env.dev wins over .env and the environment",
      { ".env": `${G}=from-dotenv\n`, ".env.dev": `${G}=from-stage-file\n` },
      { [G]: "from-env" },
      "",
      "from-stage-file",
    ],
    ["the environment wins over .env", { ".env": `${G}=from-dotenv\n` }, { [G]: "from-env" }, "", "from-env"],
    [".env alone", { ".env": `${G}=from-dotenv\n` }, {}, "", "from-dotenv"],
    // As SST: `.env` from the current directory, `.env.<stage>` beside sst.config.ts.
    [
      "from a subdirectory",
      { "sub/.env": `${G}=sub-dotenv\n`, ".env.dev": `${G}=root-stage-file\n` },
      {},
      "sub",
      "root-stage-file",
    ],
    [
      "from a subdirectory, .env there",
      { "sub/.env": `${G}=sub-dotenv\n`, ".env": `${G}=root-dotenv\n` },
      {},
      "sub",
      "sub-dotenv",
    ],
  ])("%s", async (_, files, env, sub, group) => {
    const run = await doctor([], { cwd: path.join(appDir(files), sub), env });
    expect(checked(run.lines)).toBe(group);
  });
});

describe("log group", () => {
  test("no incoming log events in the last hour", async () => {
    world.incoming = { Timestamps: [], Values: [] };
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ log group /secretwatch/dev/cloudtrail received no events in the last hour → fix: CloudTrail is not delivering to it: fix the trail checks above",
    );
    expect(run.code).toBe(1);
  });

  test("subscription filter missing", async () => {
    world.subscriptionFilters = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ subscription filter secretwatch-dev-enricher is missing from log group /secretwatch/dev/cloudtrail: the enricher receives nothing → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  const siem = {
    filterName: "splunk-forwarder",
    logGroupName: "/secretwatch/dev/cloudtrail",
    filterPattern: "",
    destinationArn: `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/splunk`,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/cwl-to-firehose`,
    distribution: "ByLogStream" as const,
    creationTime: 1_700_000_000_000,
  };

  test("group at the 2-filter limit: a warning, not a failure (both pages read)", async () => {
    world.subscriptionFilters.unshift(siem);
    const run = await doctor();
    expect(run.lines).toContain(
      "✓ subscription filter secretwatch-dev-enricher sends secret reads to function secretwatch-dev-enricher",
    );
    expect(run.lines).toContain(
      "! log group /secretwatch/dev/cloudtrail has 2 subscription filters (splunk-forwarder, secretwatch-dev-enricher), the limit: no other subscription can be added",
    );
    expect(run.lines.at(-2)).toBe("all 23 checks passed (1 warning)");
    expect(run.code).toBe(0);
  });

  test("group full of others' filters: ours cannot be added", async () => {
    world.subscriptionFilters = [siem, { ...siem, filterName: "datadog" }];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ subscription filter secretwatch-dev-enricher is missing, and log group /secretwatch/dev/cloudtrail already has 2 subscription filters (the limit): splunk-forwarder, datadog → fix: delete one of them (aws logs delete-subscription-filter --log-group-name /secretwatch/dev/cloudtrail --filter-name <name>), then ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("subscription filter with another pattern or destination", async () => {
    world.subscriptionFilters[0]!.filterPattern = "GetSecretValue";
    world.subscriptionFilters[0]!.destinationArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:old-enricher`;
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ subscription filter secretwatch-dev-enricher has pattern GetSecretValue, expected ${SUBSCRIPTION_FILTER_PATTERN} → fix: ${DEPLOY}`,
    );
    expect(run.lines).toContain(
      `✗ subscription filter secretwatch-dev-enricher sends to arn:aws:lambda:us-east-1:${ACCOUNT}:function:old-enricher, not to function secretwatch-dev-enricher → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });
});

describe("metric filter", () => {
  test("missing", async () => {
    world.metricFilters = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ metric filter secretwatch-dev-secret-access is missing from log group /secretwatch/dev/cloudtrail: the alarm never fires → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("bare-term pattern", async () => {
    world.metricFilters[0]!.filterPattern = "GetSecretValue";
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ metric filter secretwatch-dev-secret-access uses the bare-term pattern "GetSecretValue": it matches policy documents that mention GetSecretValue → fix: use the JSON pattern { ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") } (${DEPLOY})`,
    );
    expect(run.code).toBe(1);
  });

  test("another metric than the alarm watches", async () => {
    world.metricFilters[0]!.metricTransformations![0]!.metricNamespace = "CloudTrailMetrics";
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ metric filter secretwatch-dev-secret-access publishes CloudTrailMetrics/Secret is accessed (secretwatch-dev), but the alarm watches SecurityMetrics/Secret is accessed (secretwatch-dev) → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });
});
