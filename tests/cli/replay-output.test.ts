/** `secretwatch replay` output: the JSON lines, the alert text, the stderr summary, filters and help. */
import { EventEmitter } from "node:events";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { emailText } from "../../packages/cli/src/alerts.js";
import { Assessor, DEFAULT_COMPILED_POLICY } from "../../packages/cli/src/assessment.js";
import type { Io } from "../../packages/cli/src/io.js";
import { main } from "../../packages/cli/src/main.js";
import { parseTime } from "../../packages/cli/src/replay/filters.js";
import { enrichRecord } from "../../packages/core/src/enrich.js";
import { fixture, NOW, noise, read18, s3File, stratus, tempDir } from "./replay-inputs.js";
import { runCli } from "./run-cli.js";

const dir = tempDir();
afterAll(() => dir.remove());

const replay = (...args: string[]) => runCli(["replay", "--workers", "1", ...args], { now: NOW });
const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

const [roles, failures, services, companions] = [
  "assumed-role-console",
  "failures",
  "aws-services",
  "batch-with-companions",
].map(fixture);
let stratusFile = "";
let mixedFile = "";
beforeAll(() => {
  stratusFile = dir.json("stratus.json", s3File([...noise.slice(0, 5), ...stratus]));
  mixedFile = dir.json("mixed.json", s3File([...roles!, ...failures!, ...services!, ...companions!]));
});

describe("--format json", () => {
  test("one line per retrieval with the documented fields; exact values for a known Stratus record", async () => {
    const run = await replay(stratusFile, "--format", "json");
    expect(run.code).toBe(0);
    const hits = lines(run.stdout);
    expect(hits).toHaveLength(25); // 20 GetSecretValue + 5 BatchGetSecretValue; ListSecrets and noise are not reads
    const hit = hits.find((h) => h.eventID === read18.eventID);
    expect(hit).toMatchObject({
      eventID: "b9c3d881-1e77-426c-abd3-5ca20d903380",
      eventTime: "2024-07-31T12:36:52Z",
      eventName: "GetSecretValue",
      secretId: "stratus-red-team-retrieve-secret-18",
      secretArn:
        "arn:aws:secretsmanager:cn-centraleast-1r:903144391865:secret:stratus-red-team-retrieve-secret-18-4Rzn83",
      batch: null,
      principalArn: "arn:aws:iam::903144391865:user/christophe",
      identityType: "IAMUser",
      sourceIPAddress: "253.201.144.253",
      userAgent: "stratus-red-team_10e7edf3-5063-4eba-8842-68f83bb52d65",
      outcome: "success",
      errorCode: null,
      region: "cn-centraleast-1r",
      // An archive replayed later has no meaningful delivery lag.
      deliveryLagSeconds: null,
      file: stratusFile,
      filePart: null,
      // The verdict, as the Lambda would give it with this policy (the defaults) and the history so far.
      severity: "medium",
      reasons: ["first-seen"],
      expected: null,
      emailed: true,
      suppressed: null,
      firstSeen: true,
      kind: "read",
    });
    expect(hits.filter((h) => h.kind === "batch")).toHaveLength(5);
    // The rest is the core enrichment as-is.
    const { severity, reasons, expected, emailed, suppressed, firstSeen, file, filePart, kind, ...read } = hit;
    void [severity, reasons, expected, emailed, suppressed, firstSeen, file, filePart, kind];
    expect(read).toEqual(JSON.parse(JSON.stringify(enrichRecord(read18, { now: null }))));
  });

  test("a batch call has a null secretId and carries its batch details; failures carry outcome and errorCode", async () => {
    const hits = lines((await replay(mixedFile, "--format", "json")).stdout);
    const batch = hits.find((h) => h.eventName === "BatchGetSecretValue");
    expect(batch.secretId).toBeNull();
    expect(batch.batch).toMatchObject({ secretIdList: expect.any(Array), broad: false });
    const byId = (id: string) => hits.find((h) => h.eventID === id);
    expect(byId("0f1a2b3c-4d5e-4f6a-9b7c-8d9e0f1a2b3c")).toMatchObject({
      outcome: "denied",
      errorCode: "AccessDenied",
    });
    expect(byId("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")).toMatchObject({
      outcome: "error",
      errorCode: "ResourceNotFoundException",
      secretId: "prod/db/postgress",
    });
  });
});

describe("--format text (default)", () => {
  test("prints each unit's alerts exactly as emailed, under a line naming the unit", async () => {
    const run = await replay(stratusFile, "--stage", "prod", "--app", "acme");
    const hits = stratus.filter((r) => r.eventName !== "ListSecrets").map((r) => enrichRecord(r, { now: null }));
    // One unit with an empty history: the assessment the Lambda would make with the default policy.
    const { plan } = await new Assessor(DEFAULT_COMPILED_POLICY, { app: "acme", stage: "prod" }).unit(hits);
    const head = `# ${stratusFile}: 25 secret-value retrieval(s), ${plan.messages.length} alert message(s)\n`;
    expect(run.stdout).toBe(head + plan.messages.map(emailText).join("\n"));
    expect(run.stdout).toMatch(
      /\nSubject: MEDIUM \[acme prod\] 3x BROAD batch read \(tag-key=StratusRedTeam\) by christophe/,
    );
    expect(plan.messages).toHaveLength(11); // the Lambda's cap: 10 alerts, then one summary message
  });

  test("the default subject prefix is [secretwatch replay]", async () => {
    const run = await replay(dir.json("one.json", s3File([read18])));
    expect(run.stdout).toMatch(
      /\nSubject: MEDIUM \[secretwatch replay\] stratus-red-team-retrieve-secret-18 read by christophe (\(IAM user\) )?from 253\.201\./,
    );
  });
});

describe("stderr summary", () => {
  test("one row per secret x principal with count, denials, errors, first and last time", async () => {
    const twice = {
      ...failures![0]!,
      eventID: "0f1a2b3c-0000-4f6a-9b7c-8d9e0f1a2b3c",
      eventTime: "2024-05-14T09:22:00Z",
    };
    const run = await replay(dir.json("denied.json", s3File([...failures!, twice])), "--format", "json");
    const table = run.stderr.slice(run.stderr.indexOf("Secret-value retrievals by"));
    // At most 100 columns: times to the minute, principal ARNs without arn:aws:iam:: or sts::,
    // and what is still too wide cut with "…" (the secret at its end, the principal in its middle).
    expect(table.split("\n").map((line) => line.split(/\s{2,}/).filter(Boolean))).toEqual([
      ["Secret-value retrievals by secret and principal:"],
      ["SECRET", "PRINCIPAL", "COUNT", "DENIED", "ERRORS", "FIRST", "LAST"],
      ["prod/db/postgres", "111122…user/intern", "2", "2", "0", "2024-05-14 09:20Z", "2024-05-14 09:22Z"],
      ["prod/db/postgress", "111122…user/intern", "1", "0", "1", "2024-05-14 09:20Z", "2024-05-14 09:20Z"],
      ["prod/reporting/w…", "111122…htly-export", "1", "0", "1", "2024-05-14 09:20Z", "2024-05-14 09:20Z"],
      [],
    ]);
    for (const line of table.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    expect(run.stderr).toMatch(/^replay: 1 file \(1 with CloudTrail data\)\n/);
    expect(run.stderr).toContain(
      "replay: 4 CloudTrail records, 0 subscription payloads; 4 secret-value retrievals, 4 after filters\n",
    );
  });

  test("values from records are escaped on the terminal", async () => {
    const hostile = { ...read18, eventID: "e-1", requestParameters: { secretId: "evil\u001b[31mred\nline" } };
    const run = await replay(dir.json("hostile.json", s3File([hostile])), "--format", "json");
    expect(run.stderr).toMatch(/^ {2}evil\\x1B\[31m\S*… /m); // escaped, then cut to fit the table
    expect(run.stderr).not.toContain("\u001b");
  });
});

describe("filters", () => {
  const eventIds = async (...args: string[]) =>
    lines((await replay(mixedFile, "--format", "json", ...args)).stdout).map((h) => `${h.eventTime} ${h.secretId}`);

  test("--since is inclusive, --until exclusive; dates, date-times (UTC unless an offset is given) and ages", async () => {
    expect(await eventIds("--since", "2024-05-14T09:28:30Z", "--until", "2024-05-14T09:29:30Z")).toEqual([
      "2024-05-14T09:28:30Z null",
      "2024-05-14T09:28:30Z prod/app/api-key",
      "2024-05-14T09:28:30Z prod/app/stripe",
    ]);
    expect(await eventIds("--since", "2024-05-14 11:29:58+02:00")).toEqual(["2024-05-14T09:29:58Z prod/orders/db"]);
    expect(await eventIds("--until", "2024-05-14T09:20:01")).toEqual(["2024-05-14T09:20:00Z prod/db/postgres"]);
    expect(await eventIds("--since", "2024-05-15")).toEqual([]);
    expect(parseTime("--since", "7d", NOW)).toBe(NOW.getTime() - 7 * 86_400_000);
    expect(parseTime("--since", "24h", NOW)).toBe(Date.parse("2024-07-30T12:41:52Z"));
    expect(parseTime("--since", "2024-07-31", NOW)).toBe(Date.parse("2024-07-31T00:00:00Z"));
  });

  test("--secret: a full or partial ARN names one secret; anything else matches a case-insensitive part of the name; a batch matches when its secretIdList does", async () => {
    const apiKey = [
      "2024-05-14T09:28:30Z null", // the BatchGetSecretValue whose secretIdList names prod/app/api-key
      "2024-05-14T09:28:30Z prod/app/api-key",
      "2024-05-14T09:29:30Z prod/app/api-key",
    ];
    for (const id of [
      "prod/app/api-key",
      "PROD/APP/API-KEY",
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/app/api-key",
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/app/api-key-Xy12Zq",
    ]) {
      expect((await eventIds("--secret", id)).sort()).toEqual(apiKey.sort());
    }
    // A part: prod/db/postgres is also part of prod/db/postgress; the ARN names only the one.
    const part = await eventIds("--secret", "prod/db/postgres");
    const arn = await eventIds("--secret", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db/postgres");
    expect(new Set(part.map((e) => e.split(" ")[1]))).toEqual(new Set(["prod/db/postgres", "prod/db/postgress"]));
    expect(new Set(arn.map((e) => e.split(" ")[1]))).toEqual(new Set(["prod/db/postgres"]));
    expect(arn.length).toBeLessThan(part.length);
    expect(await eventIds("--secret", "api-key")).toEqual(expect.arrayContaining(apiKey));
    expect(await eventIds("--secret", "ci/none")).toEqual([]);
  });

  test("--principal: a full ARN (caller or role), an ARN prefix up to '/', or a case-insensitive part of a name", async () => {
    const who = async (pattern: string) =>
      lines((await replay(mixedFile, "--format", "json", "--principal", pattern)).stdout).map((h) => h.identity.label);
    expect(await who("arn:aws:sts::111122223333:assumed-role/Admin/alice")).toEqual(["Admin/alice"]);
    expect(await who("arn:aws:iam::111122223333:role/Admin")).toEqual(["Admin/alice", "Admin/bob"]);
    expect(await who("arn:aws:sts::111122223333:assumed-role/Admin")).toEqual(["Admin/alice", "Admin/bob"]);
    expect(await who("arn:aws:sts::111122223333:assumed-role/Adm")).toEqual([]);
    expect(await who("BOB")).toEqual(["Admin/bob"]);
    expect(await who("intern")).toEqual(["intern", "intern"]);
    expect(await who("nightly")).toEqual(["reporting-role/nightly-export"]);
  });

  test("filters combine with AND and apply before the summary", async () => {
    const postgres = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db/postgres";
    const run = await replay(mixedFile, "--format", "json", "--principal", "intern", "--secret", postgres);
    expect(lines(run.stdout)).toHaveLength(1);
    expect(run.stderr).toContain("11 secret-value retrievals, 1 after filters");
    expect(run.stderr).not.toContain("prod/db/postgress");
  });

  test("a bad filter or worker count is one line and exit code 2", async () => {
    for (const args of [
      ["--since", "yesterday"],
      ["--since", "2024-02-30"],
      ["--until", "2023-02-29T00:00:00Z"],
      ["--since", "2024-07-31T24:00:00Z"],
      ["--since", "2024-08-01", "--until", "2024-07-01"],
      ["--workers", "x"],
    ]) {
      const run = await replay(mixedFile, ...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^secretwatch: [^\n]+\n$/);
      expect(run.stdout).toBe("");
    }
  });
});

test("--help shows the options and examples", async () => {
  const run = await runCli(["replay", "--help"]);
  expect(run.code).toBe(0);
  for (const text of ["--format <format>", "--since <time>", "--principal <who>", "--publish", "--topic-arn <arn>"]) {
    expect(run.stdout).toContain(text);
  }
  expect(run.stdout).toContain("$ secretwatch replay ./AWSLogs/111122223333/CloudTrail/ --since 7d");
});

test("a reader that goes away (EPIPE under `| head`) stops the replay quietly, exit code 0", async () => {
  const files = [0, 1, 2].map((i) => dir.json(`unit-${i}.json`, s3File([stratus[i]!])));
  let [written, stderr] = [0, ""];
  const stdout = Object.assign(new EventEmitter(), {
    write: () => {
      written++;
      setImmediate(() => stdout.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" })));
      return false; // asks for a drain that never comes
    },
  });
  const io: Io = { stdout, stderr: { write: (t: string) => (stderr += t) }, env: {}, cwd: dir.root, now: () => NOW };
  const code = await main(["replay", ...files, "--format", "json", "--workers", "1"], io);
  expect(code).toBe(0);
  expect(written).toBe(1);
  expect(stderr).toContain("replay: stopped early, stdout was closed");
  expect(stdout.listenerCount("error")).toBe(0);
});
