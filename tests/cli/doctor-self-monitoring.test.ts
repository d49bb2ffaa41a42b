/**
 * `secretwatch doctor` (see doctor-fixtures.ts) on issue 8's checks: the alarm's look-back for
 * late reads, the reconciliation alarm, addresses SNS no longer has a subscription for (deleted
 * after 48 h unconfirmed, or unsubscribed), the ops topic, the trails in the Region against the
 * limit of 5; and on issue 9's: which settings file was read, and one line without network.
 */
import { DescribeTrailsCommand } from "@aws-sdk/client-cloudtrail";
import { beforeEach, describe, expect, test } from "vitest";
import {
  ACCOUNT,
  failEvery,
  healthyWorld,
  install,
  mocks,
  otherTrail,
  REGION,
  TOPIC_ARN,
  type World,
} from "./doctor-fixtures.js";
import { DEPLOY, doctor, repository, STAGE_ENV } from "./doctor-run.js";

let world: World;
beforeEach(() => {
  world = healthyWorld();
  install(world);
});

const alarm = () => world.alarms[0]!;
const reconciliation = () => world.alarms[1]!;
const RESUBSCRIBE = "secretwatch resubscribe --stage dev";

describe("secret-access alarm timing", () => {
  test("a look-back shorter than 25 minutes fails: a late read may never set it", async () => {
    alarm().EvaluationPeriods = 1;
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ alarm secretwatch-dev-secret-access looks back 1 minutes: a read CloudTrail delivers 20 minutes late may never set it (needs 25) → fix: set it back to Sum >= 1 per 60 s over 25 periods: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("5-minute periods over 25 minutes pass too; 2 datapoints to alarm do not", async () => {
    Object.assign(alarm(), { Period: 300, EvaluationPeriods: 5, DatapointsToAlarm: 1 });
    expect((await doctor()).code).toBe(0);
    alarm().DatapointsToAlarm = 2;
    const run = await doctor();
    expect(run.lines).toContainEqual(expect.stringMatching(/needs 2 of 5 datapoints: a single read never sets it/));
    expect(run.code).toBe(1);
  });

  test("SECRETWATCH_ALARM_EMAILS=false: no action is what was asked", async () => {
    alarm().AlarmActions = [];
    const run = await doctor([], { cwd: repository(`${STAGE_ENV}SECRETWATCH_ALARM_EMAILS=false\n`) });
    expect(run.lines).toContain(
      "✓ alarm secretwatch-dev-secret-access emails nobody, as SECRETWATCH_ALARM_EMAILS=false asks (the enricher still alerts)",
    );
    expect(run.code).toBe(0);
  });
});

describe("reconciliation alarm", () => {
  test("missing: ✗ with the deploy fix", async () => {
    world.alarms = [alarm()];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ alarm secretwatch-dev-reads-not-assessed not found: an enricher that runs but assesses nothing would go unnoticed → fix: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("not comparing with ReadsAssessed: ✗", async () => {
    reconciliation().Metrics = reconciliation().Metrics!.filter((q) => q.Id !== "assessed");
    const run = await doctor();
    expect(run.lines).toContainEqual(
      expect.stringMatching(/reads-not-assessed does not compare .* with ReadsAssessed/),
    );
    expect(run.code).toBe(1);
  });

  test("in ALARM: reads went unassessed, a finding", async () => {
    reconciliation().StateValue = "ALARM";
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ alarm secretwatch-dev-reads-not-assessed is in ALARM: in an hour, CloudTrail logged more secret reads than the enricher assessed → fix: compare with secretwatch lookup --stage dev for that hour, and read the enricher's log group",
    );
    expect(run.code).toBe(1);
  });
});

describe("subscriptions SNS no longer has", () => {
  test("an address deleted after 48 hours unconfirmed (or unsubscribed) names resubscribe", async () => {
    const run = await doctor([], {
      cwd: repository("SECRETWATCH_ALERT_EMAILS=alice@example.com, Carol@Example.com, bob@example.com\n"),
    });
    expect(run.lines).toContain(
      `✗ carol@example.com (SECRETWATCH_ALERT_EMAILS) has no subscription on topic secretwatch-dev-alerts: SNS deleted it after 48 hours unconfirmed, or the recipient unsubscribed; a deploy does not re-create it → fix: ${RESUBSCRIBE}`,
    );
    expect(run.lines.filter((l) => l.includes("has no subscription"))).toHaveLength(1);
    expect(run.code).toBe(1);
  });

  test("addresses compare case-insensitively, as SNS endpoints are typed", async () => {
    world.subscriptions[0]!.Endpoint = "Alice@Example.COM";
    const run = await doctor();
    expect(run.lines.filter((l) => l.includes("has no subscription"))).toEqual([]);
    expect(run.code).toBe(0);
  });

  test("a pending address still counts as subscribed (its own check flags it)", async () => {
    world.subscriptions[1]!.SubscriptionArn = "PendingConfirmation";
    const run = await doctor();
    expect(run.lines.filter((l) => l.includes("has no subscription"))).toEqual([]);
    expect(run.lines).toContainEqual(expect.stringMatching(/^✗ email subscription bob@example.com is pending/));
  });

  test("the ops topic's addresses are checked on the ops topic", async () => {
    const opsArn = `arn:aws:sns:${REGION}:${ACCOUNT}:secretwatch-dev-ops`;
    world.topics.push(opsArn);
    world.otherSubscriptions = {
      [opsArn]: [
        {
          SubscriptionArn: `${opsArn}:1f0e2d3c-4b5a-4978-8d6e-0f1e2d3c4b5a`,
          Owner: ACCOUNT,
          Protocol: "email",
          Endpoint: "ops@example.com",
          TopicArn: opsArn,
        },
      ],
    };
    const run = await doctor([], {
      cwd: repository(`${STAGE_ENV}SECRETWATCH_OPS_EMAILS=ops@example.com, night@example.com\n`),
    });
    expect(run.lines).toContain("✓ topic secretwatch-dev-ops emails 1 confirmed address: ops@example.com");
    expect(run.lines).toContain(
      `✗ night@example.com (SECRETWATCH_OPS_EMAILS) has no subscription on topic secretwatch-dev-ops: SNS deleted it after 48 hours unconfirmed, or the recipient unsubscribed; a deploy does not re-create it → fix: ${RESUBSCRIBE}`,
    );
    expect(world.subscriptions.map((s) => s.TopicArn)).toEqual([TOPIC_ARN, TOPIC_ARN]);
  });
});

describe("trails in the Region", () => {
  test("5 (multi-Region trails of other Regions included): a warning, no room for another stage", async () => {
    const more = [1, 2, 3].map((i) => ({
      ...otherTrail(),
      Name: `team-${i}`,
      TrailARN: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/team-${i}`,
    }));
    const singleRegionElsewhere = { ...more[0]!, Name: "eu-only", TrailARN: "x", IsMultiRegionTrail: false };
    world.trails.push(...more, singleRegionElsewhere);
    const run = await doctor();
    expect(run.lines).toContain(
      "! 5 of 5 trails in us-east-1: AWS's limit per Region is reached, another stage cannot create its trail → fix: deploy extra stages with SECRETWATCH_EXISTING_LOG_GROUP set to this stage's log group (one trail shared)",
    );
    expect(run.code).toBe(0);
  });
});

describe("settings", () => {
  test("--env-file is read and named", async () => {
    const dir = repository();
    const run = await doctor(["--env-file", `${dir}/.env.dev`], { cwd: "/" });
    expect(run.lines).toContain(`✓ settings read from ${dir}/.env.dev (log group /secretwatch/dev/cloudtrail)`);
  });

  test("--env-file that does not exist: one line, exit 2, no AWS call", async () => {
    const run = await doctor(["--env-file", "/nonexistent/.env.dev"]);
    expect(run.stderr).toBe("secretwatch: --env-file /nonexistent/.env.dev: no such file (/nonexistent/.env.dev)\n");
    expect(run.code).toBe(2);
    expect(mocks.cloudtrail.commandCalls(DescribeTrailsCommand)).toHaveLength(0);
  });

  test("no .env.dev: says so and which log group it checks instead, never silently", async () => {
    const dir = repository();
    const run = await doctor([], { cwd: dir, env: {} });
    expect(run.lines).toContain(`✓ settings read from ${dir}/.env.dev (log group /secretwatch/dev/cloudtrail)`);
    const bare = await doctor(["--stage", "dev"], { cwd: `${dir}/..` });
    const warning = bare.lines.find((l) => l.startsWith("! no .env.dev found"));
    expect(warning).toMatch(
      /^! no \.env\.dev found: read (no settings file|only .*), so doctor checks the default log group \/secretwatch\/dev\/cloudtrail and cannot compare the subscriptions with the configured addresses → fix: run doctor inside the repository the stage is deployed from, or pass --env-file/,
    );
  });
});

describe("no network", () => {
  test("one 'cannot reach AWS' line, exit 3, not one error per check", async () => {
    const offline = Object.assign(new Error("getaddrinfo ENOTFOUND cloudtrail.us-east-1.amazonaws.com"), {
      code: "ENOTFOUND",
    });
    failEvery(world, offline);
    const run = await doctor();
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(/^secretwatch: cannot reach AWS \(ENOTFOUND: getaddrinfo ENOTFOUND/);
    expect(run.code).toBe(3);
  });

  test("one call failing offline among answers is a ✗ of its own, not the whole report", async () => {
    world.failures.GetEventSelectorsCommand = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const run = await doctor();
    expect(run.lines).toContainEqual(expect.stringMatching(/^✗ cannot read the event selectors .* cannot reach AWS/));
    expect(run.code).toBe(1);
  });
});
