/**
 * `secretwatch lookup` finds tamper and exposure events in CloudTrail event history: one
 * LookupEvents query per event name CloudTrail writes (EventName is one attribute per request),
 * paced like the reads' queries, classified with the stage's scope (`--stage dev`) or only the
 * Secrets Manager ones without a stage; `--no-tamper` skips them; `--principal` marks the
 * principal's tamper events in its timeline. CloudTrail is mocked with aws-sdk-client-mock in
 * LookupEvents' documented response shape (tests/cli/history-event.ts).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lookupDeps } from "../../packages/cli/src/commands/lookup.js";
import { KMS_SOURCE, TAMPER_EVENTS } from "../../packages/core/src/tamper/index.js";
import { FakeClock } from "./fake-clock.js";
import { historyEvent } from "./history-event.js";
import { compared, expectedHits, TAMPER_SETS, tamperRecords } from "./replay-tamper-cases.js";
import { runCli } from "./run-cli.js";

const NOW = new Date("2026-12-02T00:00:00Z");
const all = TAMPER_SETS.flatMap((set) => tamperRecords(set));

const ct = mockClient(CloudTrailClient);
let calls: { region: string; input: LookupEventsCommandInput; at: number }[];
let clock: FakeClock;
const realClock = lookupDeps.clock;

/** Answers each query from `records` by the attribute it names (`EventName=X`, `Username=Y`), in pages of `size`. */
function serve(records: Record<string, any>[], size = 50) {
  ct.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput, getClient) => {
    const region = await getClient().config.region();
    calls.push({ region, input, at: clock.now() });
    const attribute = input.LookupAttributes?.[0];
    const field = attribute?.AttributeKey === "EventName" ? "eventName" : "userName";
    const matching = records.filter((r) =>
      field === "eventName"
        ? r.eventName === attribute?.AttributeValue
        : r.userIdentity?.userName === attribute?.AttributeValue,
    );
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const next = start + size < matching.length ? String(start + size) : undefined;
    return { Events: matching.slice(start, start + size).map(historyEvent), ...(next && { NextToken: next }) };
  });
}

const lookup = (...args: string[]) =>
  runCli(["lookup", "--region", "us-east-2", "--since", "30d", ...args], { now: NOW });
const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const names = () => calls.map((c) => c.input.LookupAttributes?.[0]?.AttributeValue);
const byId = (a: { eventID: string }, b: { eventID: string }) => (a.eventID < b.eventID ? -1 : 1);

beforeEach(() => {
  ct.reset();
  calls = [];
  clock = new FakeClock(NOW.getTime());
  lookupDeps.clock = clock;
});
afterEach(() => {
  lookupDeps.clock = realClock;
});

describe("lookup --stage dev", () => {
  it("queries each tamper event name once (as recorded, Lambda's with suffixes), one attribute each, paced", async () => {
    serve(all);
    const run = await lookup("--stage", "dev", "--format", "json");
    expect(run.code).toBe(0);
    for (const { input } of calls) {
      expect(input.LookupAttributes).toHaveLength(1);
      expect(input.LookupAttributes![0]!.AttributeKey).toBe("EventName");
    }
    // Every name the catalog records, except KMS's (the stage has no key yet), each once.
    const recorded = new Set(TAMPER_EVENTS.filter((e) => e.source !== KMS_SOURCE).flatMap((e) => e.recorded));
    expect(names().sort()).toEqual(["BatchGetSecretValue", "GetSecretValue", ...recorded].sort());
    expect(names()).toContain("UpdateFunctionCode20150331v2");
    expect(names()).not.toContain("UpdateFunctionCode");
    expect(names()).not.toContain("DisableKey");
    expect(names().filter((n) => n === "PutResourcePolicy")).toHaveLength(1); // Secrets Manager and DynamoDB
    // At most 2 requests per second in the Region, as the reads' queries.
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
  });

  it.each(TAMPER_SETS)("reports the %s set's tamper hits as kind tamper lines with their reason codes", async (set) => {
    serve(all);
    const run = await lookup("--stage", "dev", "--format", "json");
    const ids = new Set(tamperRecords(set).map((r) => r.eventID));
    const tamper = lines(run.stdout).filter((l) => l.kind === "tamper" && ids.has(l.eventID));
    expect(tamper.map(compared).sort(byId)).toEqual([...expectedHits(set, true)].sort(byId));
  });

  it("reads keep kind read; the summary counts the tamper events", async () => {
    serve(all);
    const run = await lookup("--stage", "dev", "--format", "json");
    const out = lines(run.stdout);
    const reads = out.filter((l) => l.kind !== "tamper");
    expect(reads.map((l) => [l.kind, l.eventName])).toEqual([["read", "GetSecretValue"]]);
    const count = TAMPER_SETS.reduce((n, set) => n + expectedHits(set, true).length, 0);
    expect(out.filter((l) => l.kind === "tamper")).toHaveLength(count);
    expect(run.stderr).toContain(`lookup: 1 secret-value retrieval(s), ${count} tamper event(s)`);
  });

  it("text: the tamper alerts as emailed, the stage in the subject", async () => {
    serve(all);
    const run = await lookup("--stage", "dev");
    expect(run.stdout).toContain(
      "Subject: CRITICAL [secretwatch dev] TAMPER: StopLogging on secretwatch-dev-trail by alice",
    );
    expect(run.stdout).toContain("Reason codes: trail-stopped");
    expect(run.stdout).toMatch(
      /^# CloudTrail event history \(us-east-2\): 1 secret-value retrieval\(s\), \d+ tamper event\(s\)/m,
    );
  });
});

describe("lookup without --stage, and --no-tamper", () => {
  it("without a stage: only the Secrets Manager tamper names are queried and reported", async () => {
    serve(all);
    const run = await lookup("--format", "json");
    expect(run.code).toBe(0);
    const secrets = [
      ...new Set(TAMPER_EVENTS.filter((e) => e.source === "secretsmanager.amazonaws.com").flatMap((e) => e.api)),
    ];
    expect(names().sort()).toEqual(["BatchGetSecretValue", "GetSecretValue", ...secrets].sort());
    const tamper = lines(run.stdout).filter((l) => l.kind === "tamper");
    expect(tamper.map(compared).sort(byId)).toEqual([...expectedHits("secrets", false)].sort(byId));
    expect(run.stderr).toContain("(Secrets Manager only: no --stage)");
  });

  it("--no-tamper: the reads' two queries only", async () => {
    serve(all);
    const run = await lookup("--stage", "dev", "--format", "json", "--no-tamper");
    expect(names()).toEqual(["GetSecretValue", "BatchGetSecretValue"]);
    expect(lines(run.stdout).filter((l) => l.kind === "tamper")).toEqual([]);
  });
});

describe("lookup --principal: the principal's tamper events are marked in its timeline", () => {
  it("tamper true, with the hit's severity and reasons; no extra query", async () => {
    serve(all);
    const run = await lookup(
      "--stage",
      "dev",
      "--principal",
      "arn:aws:iam::111122223333:user/alice",
      "--format",
      "json",
    );
    expect(run.code).toBe(0);
    expect(calls).toHaveLength(1);
    const events = lines(run.stdout);
    const alice = all.filter((r) => r.userIdentity?.arn === "arn:aws:iam::111122223333:user/alice");
    expect(events).toHaveLength(alice.length);
    const stop = events.find((e) => e.eventID === "00000001-7a1e-4c2b-9d3f-00000000000a");
    expect(stop).toMatchObject({
      eventName: "StopLogging",
      tamper: true,
      severity: "critical",
      reasons: ["trail-stopped"],
    });
    // alice's events that are not tamper hits of the stage stay unmarked.
    const hits = new Set(TAMPER_SETS.flatMap((s) => expectedHits(s, true)).map((h) => h.eventID));
    for (const e of events) expect(e.tamper).toBe(hits.has(e.eventID));
    expect(run.stderr).toMatch(/tamper event\(s\) \(\d+ critical/);
  });
});
