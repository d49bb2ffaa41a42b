/**
 * `secretwatch lookup` against a mocked CloudTrail: one EventName per LookupEvents request,
 * pagination per Region and event name, 500 ms between requests per Region (virtual clock),
 * backoff on throttling, the 90-day limit, de-duplication, and replay's report format.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
  ThrottlingException,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lookupDeps } from "../../packages/cli/src/commands/lookup.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { FakeClock } from "./fake-clock.js";
import { historyEvent } from "./history-event.js";
import { runCli } from "./run-cli.js";

type RecordJson = Record<string, any>;
const fixture = (name: string) => cloudTrailFixture<RecordJson>(name);
const stratus = fixture("stratus-secretsmanager");
const reads = stratus.filter((r) => r.eventName === "GetSecretValue");
const batches = stratus.filter((r) => r.eventName === "BatchGetSecretValue");
const failures = fixture("failures");
const NOW = new Date("2024-08-01T00:00:00Z");

/** Region → event name → pages of records. */
type History = Record<string, Record<string, RecordJson[][]>>;

const ct = mockClient(CloudTrailClient);
let clock: FakeClock;
/** Every request: its Region, input and virtual time. */
let calls: { region: string; input: LookupEventsCommandInput; at: number }[];
/** The first this many requests are throttled. */
let throttleFirst: number;
const realClock = lookupDeps.clock;

function serve(history: History) {
  ct.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput, getClient) => {
    const at = clock.now();
    const region = await getClient().config.region();
    calls.push({ region, input, at });
    if (calls.length <= throttleFirst) {
      throw new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
    }
    const name = input.LookupAttributes?.[0]?.AttributeValue ?? "";
    const pages = history[region]?.[name] ?? [[]];
    const index = input.NextToken ? Number(input.NextToken.split("#")[1]) : 0;
    const more = index + 1 < pages.length;
    return {
      Events: (pages[index] ?? []).map(historyEvent),
      ...(more && { NextToken: `${region}/${name}#${index + 1}` }),
    };
  });
}

const lookup = (...args: string[]) => runCli(["lookup", ...args], { now: NOW });
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

beforeEach(() => {
  ct.reset();
  calls = [];
  throttleFirst = 0;
  clock = new FakeClock(NOW.getTime());
  lookupDeps.clock = clock;
});

afterEach(() => {
  lookupDeps.clock = realClock;
});

describe("lookup: queries and pagination", () => {
  it("asks for each event name separately, follows NextToken in every Region, reports every hit once", async () => {
    serve({
      "us-east-1": {
        GetSecretValue: [reads.slice(0, 8), reads.slice(8, 16), reads.slice(16)],
        BatchGetSecretValue: [batches],
      },
      "eu-west-1": { GetSecretValue: [failures.slice(0, 2), failures.slice(2)], BatchGetSecretValue: [[]] },
    });
    // The reads' queries only (tamper queries: lookup-tamper.test.ts).
    const run = await lookup(
      ...["--region", "us-east-1", "--region", "eu-west-1", "--format", "json", "--since", "7d", "--no-tamper"],
    );
    expect(run.stderr).not.toMatch(/Error|at .*\.ts/);
    expect(run.code).toBe(0);

    expect(calls).toHaveLength(3 + 1 + 2 + 1);
    for (const { input } of calls) {
      expect(input.LookupAttributes).toHaveLength(1);
      expect(input.LookupAttributes![0]!.AttributeKey).toBe("EventName");
      expect(["GetSecretValue", "BatchGetSecretValue"]).toContain(input.LookupAttributes![0]!.AttributeValue);
      expect(input.MaxResults).toBe(50);
      expect(input.StartTime).toEqual(new Date(NOW.getTime() - 7 * 86_400_000));
      expect(input.EndTime).toEqual(NOW);
    }
    const east = calls.filter(
      (c) => c.region === "us-east-1" && c.input.LookupAttributes![0]!.AttributeValue === "GetSecretValue",
    );
    expect(east.map((c) => c.input.NextToken)).toEqual([
      undefined,
      "us-east-1/GetSecretValue#1",
      "us-east-1/GetSecretValue#2",
    ]);

    const hits = jsonLines(run.stdout);
    const expected = [...reads, ...batches, ...failures].map((r) => r.eventID);
    expect(hits.map((h) => h.eventID).sort()).toEqual([...expected].sort());
    const denied = hits.find((h) => h.outcome === "denied");
    expect(denied).toMatchObject({ eventName: "GetSecretValue", errorCode: "AccessDenied" });
    const batch = hits.find((h) => h.eventName === "BatchGetSecretValue");
    expect(batch).toMatchObject({ secretId: null, batch: expect.any(Object) });
    for (const hit of hits) {
      expect(Object.keys(hit)).toEqual(
        expect.arrayContaining([
          "eventTime",
          "secretId",
          "principalArn",
          "identityType",
          "sourceIPAddress",
          "userAgent",
          "outcome",
          "errorCode",
        ]),
      );
    }
    // The run's figures, then the table per secret x principal, on stderr.
    expect(run.stderr).toContain(
      "lookup: us-east-1, eu-west-1, 2024-07-25T00:00:00.000Z .. 2024-08-01T00:00:00.000Z: 7 page(s), 28 event(s)",
    );
    expect(run.stderr).toContain(`lookup: ${expected.length} secret-value retrieval(s)\n`);
    const table = run.stderr.slice(run.stderr.indexOf("Secret-value retrievals by secret and principal:"));
    expect(table.split("\n")[1]).toMatch(/^ {2}SECRET +PRINCIPAL +COUNT {2}DENIED {2}ERRORS {2}FIRST +LAST$/);
    // Fitted to 100 columns: minutes, no arn:aws:iam:: before the account, long names cut with "…".
    expect(table).toMatch(
      /^ {2}stratus-red-\S+… +903144\S*…\S*christophe +1 +0 +0 {2}2024-07-31 12:36Z {2}2024-07-31 12:36Z$/m,
    );
    expect(table).toMatch(/^ {2}prod\/db\/postg\S* +\S*intern +1 +1 +0 /m);
    for (const line of table.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("uses the SDK's Region when none is given, and prints the alerts as emailed by default", async () => {
    serve({ "us-east-1": { GetSecretValue: [reads.slice(0, 2)] } });
    const run = await lookup();
    expect(run.code).toBe(0);
    expect(new Set(calls.map((c) => c.region))).toEqual(new Set(["us-east-1"]));
    expect(run.stdout).toMatch(
      /^# CloudTrail event history \(us-east-1\): 2 secret-value retrieval\(s\), 2 alert message\(s\)$/m,
    );
    expect(run.stdout).toMatch(
      /^Subject: MEDIUM \[secretwatch\] stratus-red-team-retrieve-secret-\S+ read by christophe/m,
    );
  });

  it("keeps one hit per event ID across pages and Regions, and skips unreadable records", async () => {
    const [a, b] = reads;
    serve({
      "us-east-1": { GetSecretValue: [[a!, b!], [a!]] },
      "eu-west-1": { GetSecretValue: [[b!]] },
    });
    ct.on(LookupEventsCommand, {
      NextToken: undefined,
      LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "BatchGetSecretValue" }],
    }).resolves({ Events: [{ EventId: "x", EventName: "BatchGetSecretValue", CloudTrailEvent: '{"truncated' }] });
    const run = await lookup("--region", "us-east-1,eu-west-1", "--format", "json");
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout).map((h) => h.eventID)).toEqual(
      [a!.eventID, b!.eventID].sort((x, y) => {
        const [tx, ty] = [reads.find((r) => r.eventID === x)!.eventTime, reads.find((r) => r.eventID === y)!.eventTime];
        return tx < ty ? -1 : tx > ty ? 1 : x < y ? -1 : 1;
      }),
    );
    expect(run.stderr).toContain("2 duplicate(s) dropped");
    expect(run.stderr).toContain("2 unreadable record(s) skipped");
  });

  it("gives its SDK client a single attempt: the command's own backoff does the retrying", async () => {
    const client = lookupDeps.client("us-east-1") as CloudTrailClient;
    expect(await client.config.maxAttempts()).toBe(1);
  });
});

describe("lookup: pacing and throttling", () => {
  it("waits at least 500 ms between two requests to the same Region, Regions in parallel", async () => {
    serve({
      "us-east-1": { GetSecretValue: [reads.slice(0, 5), reads.slice(5, 10), reads.slice(10, 15), reads.slice(15)] },
      "eu-west-1": { GetSecretValue: [failures.slice(0, 1), failures.slice(1)] },
    });
    const run = await lookup("--region", "us-east-1,eu-west-1", "--format", "json");
    expect(run.code).toBe(0);
    for (const region of ["us-east-1", "eu-west-1"]) {
      const times = calls.filter((c) => c.region === region).map((c) => c.at);
      expect(times.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500);
    }
    // Both Regions start at once: the limit is per Region, not global.
    expect(
      calls
        .filter((c) => c.at === NOW.getTime())
        .map((c) => c.region)
        .sort(),
    ).toEqual(["eu-west-1", "us-east-1"]);
    expect(clock.sleeps.length).toBeGreaterThan(0);
    expect(Math.min(...clock.sleeps)).toBeGreaterThanOrEqual(500);
  });

  it("backs off with growing, jittered delays on ThrottlingException, then carries on", async () => {
    serve({ "us-east-1": { GetSecretValue: [reads.slice(0, 3)] } });
    throttleFirst = 2;
    const run = await lookup("--format", "json");
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)).toHaveLength(3);
    // random() = 0.5: half the ceiling plus a quarter: 750 ms, then 1500 ms.
    expect(clock.sleeps.slice(0, 2)).toEqual([750, 1500]);
    // Three attempts of the same first request, each one paced too.
    const first = calls.slice(0, 3);
    expect(first.map((c) => c.input.NextToken)).toEqual([undefined, undefined, undefined]);
    expect(first[1]!.at - first[0]!.at).toBeGreaterThanOrEqual(750);
    expect(first[2]!.at - first[1]!.at).toBeGreaterThanOrEqual(1500);
    expect(run.stderr).toContain("2 throttled or failed request(s) retried");
  });

  it("gives up after a bounded number of attempts with one clear line and exit code 1", async () => {
    serve({});
    throttleFirst = Number.POSITIVE_INFINITY;
    const run = await lookup("--format", "json");
    expect(run.code).toBe(1);
    expect(ct.commandCalls(LookupEventsCommand)).toHaveLength(8);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^secretwatch: CloudTrail LookupEvents \(GetSecretValue\) in us-east-1: still throttled after 8 attempts \(ThrottlingException: Rate exceeded\)/,
    );
    expect(run.stdout).toBe("");
  });

  it("does not retry an error that is not throttling", async () => {
    const denied = Object.assign(new Error("not authorized to perform cloudtrail:LookupEvents"), {
      name: "AccessDeniedException",
    });
    ct.on(LookupEventsCommand).rejects(denied);
    const run = await lookup();
    expect(run.code).toBe(3); // exit-codes.ts: AWS refused the credentials
    expect(ct.commandCalls(LookupEventsCommand)).toHaveLength(1);
    expect(run.stderr).toBe("secretwatch: access denied by AWS: not authorized to perform cloudtrail:LookupEvents\n");
  });
});

describe("lookup: time window", () => {
  it.each([["91d"], ["2024-04-01T00:00:00Z"]])(
    "rejects --since %s (beyond 90 days) before calling AWS",
    async (since) => {
      const run = await lookup("--since", since);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^secretwatch: --since \S+ is more than 90 days ago: CloudTrail event history keeps 90 days/,
      );
      expect(calls).toHaveLength(0);
    },
  );

  it("accepts exactly 90 days and an ISO --until", async () => {
    serve({});
    const run = await lookup("--since", "90d", "--until", "2024-07-31T12:00:00Z");
    expect(run.code).toBe(0);
    expect(calls[0]!.input.StartTime).toEqual(new Date(NOW.getTime() - 90 * 86_400_000));
    expect(calls[0]!.input.EndTime).toEqual(new Date("2024-07-31T12:00:00Z"));
  });

  it.each([
    [["--since", "yesterday"], /--since "yesterday": expected a duration/],
    [["--since", "1d", "--until", "2d"], /--until .* is not after --since/],
    [["--region", "us east 1"], /--region "us east 1" is not a Region name/],
    [["--format", "xml"], /argument 'xml' is invalid/],
  ])("rejects %j with one line", async (args, message) => {
    const run = await lookup(...args);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(calls).toHaveLength(0);
  });
});

describe("lookup --policy", () => {
  it("assesses with the given policy (an expected reader is info, not emailed) and refuses a bad one before any call", async () => {
    serve({ "us-east-1": { GetSecretValue: [reads.slice(0, 2)], BatchGetSecretValue: [[]] } });
    const dir = mkdtempSync(path.join(tmpdir(), "lookup-policy-"));
    try {
      const file = path.join(dir, "p.yaml");
      const user = reads[0]!.userIdentity.arn as string;
      writeFileSync(file, `version: 1\nexpected:\n  - id: stratus\n    principal: "${user}"\n    secret: "*"\n`);
      const run = await lookup("--region", "us-east-1", "--format", "json", "--policy", file);
      expect(run.code).toBe(0);
      const hits = jsonLines(run.stdout);
      expect(hits.map((h) => [h.severity, h.expected, h.emailed])).toEqual([
        ["info", "stratus", false],
        ["info", "stratus", false],
      ]);
      writeFileSync(file, "version: 1\nnotify: loud\n");
      calls = [];
      const refused = await lookup("--region", "us-east-1", "--policy", file);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("notify");
      expect(calls).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
