/**
 * `secretwatch replay` reports tamper and exposure events: with `--stage dev`, those on the dev
 * stage's resources and every Secrets Manager one; without `--stage`, only the Secrets Manager
 * ones. JSON lines carry `kind` (`read`, `batch`, `tamper`) and the tamper hits their reason
 * codes; text shows the alerts as the enricher would email them (the enricher's own planner
 * over the enricher's scope gives the expected text). The S3 fast path's prefilter lets tamper
 * records through however their `eventName` is spaced or escaped.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { emailText } from "../../packages/cli/src/alerts.js";
import { scanRecordsFile } from "../../packages/cli/src/replay/scan.js";
import { planTamper, stageTamperScope } from "../../packages/core/src/tamper/index.js";
import { noise, type Rec, tempDir } from "./replay-inputs.js";
import { compared, expectedHits, TAMPER_SETS, type TamperSet, tamperRecords } from "./replay-tamper-cases.js";
import { runCli } from "./run-cli.js";

const NOW = new Date("2026-12-02T00:00:00Z");
const dir = tempDir("replay-tamper-");
afterAll(() => dir.remove());

const replay = (...args: string[]) => runCli(["replay", "--workers", "1", ...args], { now: NOW });
const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
/** The enricher's scope for the dev stage: its names and the alert topic ARN the fixtures use. */
const ENRICHER_SCOPE = stageTamperScope(
  { app: "secretwatch", stage: "dev" },
  { topicArns: ["arn:aws:sns:us-east-2:111122223333:secretwatch-dev-alerts"] },
);

/** Each set as an S3 log file, its records among unrelated ones (as in a real log file). */
const files = {} as Record<TamperSet, string>;
beforeAll(() => {
  for (const set of TAMPER_SETS) {
    const mixed = tamperRecords(set).flatMap((r, i) => [r, ...(noise[i] ? [noise[i]!] : [])]);
    files[set] = dir.json(`AWSLogs/${set}.json`, { Records: mixed });
  }
});

describe.each(TAMPER_SETS)("replay of the %s set", (set) => {
  test("--stage dev --format json: the stage's tamper hits as kind tamper lines, with reason codes", async () => {
    const run = await replay("--stage", "dev", "--format", "json", files[set]);
    expect(run.code, run.stderr).toBe(0);
    const tamper = lines(run.stdout).filter((l) => l.kind === "tamper");
    expect(tamper.map(compared)).toEqual(expectedHits(set, true));
    for (const line of tamper) expect(line).toMatchObject({ file: files[set], emailed: expect.any(Boolean) });
  });

  test("without --stage: only Secrets Manager tamper events", async () => {
    const run = await replay("--format", "json", files[set]);
    const tamper = lines(run.stdout).filter((l) => l.kind === "tamper");
    expect(tamper.map(compared)).toEqual(expectedHits(set, false));
  });

  test("--stage dev text: each alert exactly as the enricher would email it", async () => {
    const run = await replay("--stage", "dev", files[set]);
    const plan = planTamper(tamperRecords(set), { scope: ENRICHER_SCOPE, app: "secretwatch", stage: "dev" });
    expect(plan.messages).toHaveLength(
      expectedHits(set, true).filter((h) => h.severity !== "low" && h.severity !== "info").length,
    );
    for (const message of plan.messages) expect(run.stdout).toContain(emailText(message));
    if (plan.messages.length === 0) expect(run.stdout).not.toContain("Subject:");
  });
});

describe("JSON kinds, summary and budget", () => {
  test("reads keep kind read (batch for BatchGetSecretValue); tamper lines are kind tamper", async () => {
    const run = await replay("--stage", "dev", "--format", "json", files.secrets);
    const kinds = lines(run.stdout).map((l) => [l.kind, l.eventName]);
    expect(kinds.filter(([k]) => k !== "tamper")).toEqual([["read", "GetSecretValue"]]);
    expect(kinds.filter(([k]) => k === "tamper")).toHaveLength(expectedHits("secrets", true).length);
  });

  test("stderr counts the tamper events and the budget has their line; emails include them", async () => {
    const run = await replay("--stage", "dev", files.trail);
    const hits = expectedHits("trail", true);
    expect(run.stderr).toMatch(new RegExp(`; ${hits.length} tamper events$`, "m"));
    const critical = hits.filter((h) => h.severity === "critical").length;
    const medium = hits.filter((h) => h.severity === "medium").length;
    expect(run.stderr).toContain(
      `replay:   ${hits.length} tamper events (${critical} critical, 0 high, ${medium} medium, 0 low, 0 info), ${hits.length} emailed`,
    );
    expect(run.stderr).toMatch(new RegExp(`the Lambda would have sent ${hits.length} emails`));
  });

  test("a tamper event in two files counts once", async () => {
    const copy = dir.json("AWSLogs/copy.json", { Records: tamperRecords("trail") });
    const run = await replay("--stage", "dev", "--format", "json", files.trail, copy);
    const tamper = lines(run.stdout).filter((l) => l.kind === "tamper");
    expect(tamper.map(compared)).toEqual(expectedHits("trail", true));
  });

  test("--principal and --since apply; --secret keeps the chain's events and narrows the secrets' ones", async () => {
    const both = [files.trail, files.secrets];
    const alice = lines((await replay("--stage", "dev", "--format", "json", "--principal", "alice", ...both)).stdout);
    expect(alice.length).toBeGreaterThan(0);
    for (const l of alice) expect(l.principalArn).toBe("arn:aws:iam::111122223333:user/alice");
    const later = lines(
      (await replay("--stage", "dev", "--format", "json", "--since", "2026-12-01T09:16:00Z", ...both)).stdout,
    );
    for (const l of later) expect(Date.parse(l.eventTime)).toBeGreaterThanOrEqual(Date.parse("2026-12-01T09:16:00Z"));
    const other = lines(
      (await replay("--stage", "dev", "--format", "json", "--secret", "other/secret", ...both)).stdout,
    );
    expect(other.filter((l) => l.resourceKind === "secret")).toEqual([]);
    expect(other.map(compared)).toEqual(expectedHits("trail", true));
  });
});

describe("the S3 fast path's prefilter lets tamper records through", () => {
  const stop = tamperRecords("trail")[0]!;
  const text = (records: Rec[], space?: number) => JSON.stringify({ Records: records }, null, space);
  /** Indexes of the Records elements the scan would parse. */
  const candidates = (t: string) => {
    const scan = scanRecordsFile(t, true);
    expect(scan).not.toBeNull();
    return scan!.candidates.filter((_, i) => i % 3 === 0);
  };

  test("a record whose only tie to secretwatch is its event name (StopLogging) is parsed; noise is not", () => {
    expect(candidates(text([...noise.slice(0, 3), stop, ...noise.slice(3, 6)]))).toEqual([3]);
  });

  test("every event name of the catalog as CloudTrail writes it (Lambda's with suffixes), spaced or not", () => {
    for (const set of TAMPER_SETS) {
      // Without the Secrets Manager source (its own needle) or request text: the name alone decides.
      const noSource = tamperRecords(set).map((r) => ({ ...r, requestParameters: null, eventSource: "x" }));
      const notTamper = ["GetSecretValue", "CreateLogStream", "DeleteFunctionConcurrency20171031"];
      for (const t of [text(noSource), text(noSource, 2)]) {
        // All but a read, CreateLogStream and the suffix trap (DeleteFunctionConcurrency is no tamper event).
        const want = noSource
          .map((r, i) => [r, i] as const)
          .filter(([r]) => !notTamper.includes(r.eventName))
          .map(([, i]) => i);
        expect(candidates(t), set).toEqual(want);
      }
    }
  });

  test("an escaped event name is parsed (JSON may spell it with \\u escapes)", () => {
    const escaped = text([noise[0]!, stop]).replace('"eventName":"StopLogging"', '"eventName":"Stop\\u004cogging"');
    expect(escaped).toContain("Stop\\u004cogging");
    expect(candidates(escaped)).toEqual([1]);
  });

  test("a record that merely mentions a tamper name elsewhere is parsed at most, never a hit", async () => {
    const mention = { ...noise[0]!, requestParameters: { note: "StopLogging", nested: { eventName: "StopLogging" } } };
    const file = dir.json("AWSLogs/mention.json", { Records: [mention] });
    const run = await replay("--stage", "dev", "--format", "json", file);
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual([]);
  });
});

describe("prefilter: a nested eventName cannot hide the record's own", () => {
  test("requestParameters before eventName, holding {eventName: DescribeTrails}: still parsed", () => {
    const stop = tamperRecords("trail")[0]!;
    const { requestParameters: _, ...rest } = stop;
    // Key order is the writer's: here the request (caller's text) comes first.
    const reordered = { requestParameters: { filter: { eventName: "DescribeTrails" } }, ...rest };
    const t = JSON.stringify({ Records: [noise[0]!, reordered] });
    expect(t.indexOf('"eventName":"DescribeTrails"')).toBeLessThan(t.indexOf('"eventName":"StopLogging"'));
    expect(scanRecordsFile(t, true)!.candidates.filter((_, i) => i % 3 === 0)).toEqual([1]);
  });

  test("without a stage the event names are not looked at (no extra pass): only the needles decide", () => {
    const t = JSON.stringify({ Records: [noise[0]!, tamperRecords("trail")[0]!] });
    expect(scanRecordsFile(t, false)!.candidates).toEqual([]);
  });
});

describe("through worker threads", () => {
  test("the stage's scope reaches the workers: the same tamper lines with --workers 2", async () => {
    const paths = [files.trail, files.sns, files.lambda];
    const args = ["replay", "--stage", "dev", "--format", "json", ...paths];
    const [inline, threaded] = await Promise.all([
      runCli([...args, "--workers", "1"], { now: NOW }),
      runCli([...args, "--workers", "2"], { now: NOW }),
    ]);
    expect(threaded.stderr).not.toContain("worker script not found");
    const tamper = (stdout: string) => lines(stdout).filter((l) => l.kind === "tamper");
    expect(tamper(threaded.stdout).map(compared)).toEqual([
      ...expectedHits("trail", true),
      ...expectedHits("sns", true),
      ...expectedHits("lambda", true),
    ]);
    expect(tamper(threaded.stdout)).toEqual(tamper(inline.stdout));
  });
});
