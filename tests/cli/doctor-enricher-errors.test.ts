/**
 * `secretwatch doctor` against aws-sdk-client-mock (see doctor-fixtures.ts): enricher errors
 * and its failure queue, then the CLI's own errors (no credentials, bad options, --help).
 */
import { DescribeTrailsCommand } from "@aws-sdk/client-cloudtrail";
import { beforeEach, describe, expect, test } from "vitest";
import { failEvery, healthyWorld, install, minutesAgo, mocks, type World } from "./doctor-fixtures.js";
import { doctor } from "./doctor-run.js";
import { runCli } from "./run-cli.js";

let world: World;

beforeEach(() => {
  world = healthyWorld();
  install(world);
});

describe("enricher", () => {
  test("errors in the last 24 h", async () => {
    world.lambdaErrors.Values = [0, 2, 1];
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ enricher secretwatch-dev-enricher failed 3 times in the last 24 h → fix: read its logs (/aws/lambda/secretwatch-dev-enricher); events that still fail after retries wait in the failure queue for secretwatch redrive --stage dev",
    );
    expect(run.code).toBe(1);
  });

  test("failure queue not empty", async () => {
    world.queueDepth = { Timestamps: [minutesAgo(5), minutesAgo(10), minutesAgo(15)], Values: [2, 2, 0] };
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ failure queue secretwatch-dev-enricher-failures holds 2 messages: their alerts were not sent → fix: run secretwatch redrive --stage dev",
    );
    expect(run.code).toBe(1);
  });

  test("failure queue emptied since: a warning (newest datapoint wins, whatever the order)", async () => {
    world.queueDepth = { Timestamps: [minutesAgo(300), minutesAgo(5)], Values: [4, 0] };
    const run = await doctor();
    expect(run.lines).toContain(
      "! failure queue secretwatch-dev-enricher-failures held up to 4 messages in the last 24 h; it is empty now",
    );
    expect(run.code).toBe(0);
  });

  test("the redrive fix keeps --app and --region", async () => {
    world.queueDepth = { Timestamps: [minutesAgo(5)], Values: [1] };
    const run = await doctor(["--region", "us-east-1"]);
    expect(run.lines).toContain(
      "✗ failure queue secretwatch-dev-enricher-failures holds 1 message: their alerts were not sent → fix: run secretwatch redrive --stage dev --region us-east-1",
    );
  });
});

describe("errors", () => {
  test("no credentials at all: one clear line, no report", async () => {
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    failEvery(world, noCredentials);
    const run = await doctor();
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "secretwatch: no usable AWS credentials (Could not load credentials from any providers); set AWS_PROFILE or run `aws sso login`\n",
    );
    expect(run.code).toBe(3);
  });

  test("a bad --max-delivery-age is refused", async () => {
    const run = await doctor(["--max-delivery-age", "soon"]);
    expect(run.stderr).toContain("expected a positive number of minutes");
    expect(run.code).not.toBe(0);
    expect(mocks.cloudtrail.commandCalls(DescribeTrailsCommand)).toHaveLength(0);
  });

  test("--help documents the options", async () => {
    const run = await runCli(["doctor", "--help"]);
    expect(run.stdout).toContain("--max-delivery-age <minutes>");
    expect(run.stdout).toContain("--format <format>");
    // --json stays as an alias of --format json, out of the help.
    expect(run.stdout).not.toContain("--json");
    expect(run.stdout).toContain("--stage <name>");
    expect(run.code).toBe(0);
  });
});
