/**
 * History reports exactly what replay reports for the same records: the log files Athena names
 * are read back from S3 (gzipped GetObject streams) by replay's own reader, then assessed and
 * printed by replay's own steps. Compared line for line with `secretwatch replay` over the same
 * files on disk; only `file` differs (the S3 URI instead of the local path). Session names and
 * ARNs with `=` and `,` (which Athena's `{k=v, ...}` rendering of a struct would garble) come
 * back as written, and so do fields the table does not declare.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT,
  BUCKET,
  gzipped,
  HEADER,
  LOG_FILES,
  type LogFile,
  mockAws,
  NOW,
  readRows,
  records,
  row,
  runHistory,
  s3Uri,
} from "./history-harness.js";
import { runCli } from "./run-cli.js";

let root = "";
const local = (file: LogFile) => path.join(root, LOG_FILES[file].key);
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "history-replay-"));
  for (const file of Object.keys(LOG_FILES) as LogFile[]) {
    mkdirSync(path.dirname(local(file)), { recursive: true });
    writeFileSync(local(file), gzipped(file));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const COMMON = ["--stage", "prod", "--since", "2024-07-01", "--until", "2024-07-20"];
const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
const withoutFile = ({ file: _file, ...rest }: Record<string, any>) => rest;

async function both(filters: string[], format = "json") {
  const replay = await runCli(["replay", "--workers", "1", ...COMMON, ...filters, "--format", format, root], {
    now: NOW,
  });
  const mocks = mockAws();
  const history = await runHistory([...COMMON, "--account", ACCOUNT, ...filters, "--format", format], mocks);
  return { replay, history, mocks };
}

describe("history --format json is replay's JSON for the same events", () => {
  it.each([
    ["no filter", []],
    ["--secret", ["--secret", "prod/db/postgres"]],
    ["--secret by full ARN", ["--secret", "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/api/key-AbCdEf"]],
    ["--principal (part of a hostile session name)", ["--principal", "team=red"]],
    ["--principal by role ARN", ["--principal", "arn:aws:iam::111122223333:role/Deployer"]],
    ["--until before the last read", ["--until", "2024-07-10T12:03:00Z"]],
  ])("%s", async (_name, filters) => {
    const { replay, history } = await both(filters);
    expect(replay.code, replay.stderr).toBe(0);
    expect(history.code, history.stderr).toBe(0);
    const [fromReplay, fromHistory] = [lines(replay.stdout), lines(history.stdout)];
    expect(fromReplay.length).toBeGreaterThan(0);
    expect(fromHistory.map(withoutFile)).toEqual(fromReplay.map(withoutFile));
    // Where each was found: the same log file, in S3 or on disk.
    const files = Object.keys(LOG_FILES) as LogFile[];
    const byLocal = new Map(files.map((f) => [local(f), s3Uri(f)]));
    expect(fromHistory.map((h) => h.file)).toEqual(fromReplay.map((r) => byLocal.get(r.file)));
  });

  it("covers every read of the fixtures, and only reads", async () => {
    const { history } = await both([]);
    const expected = [...records("eu"), ...records("us")].filter((r) =>
      ["GetSecretValue", "BatchGetSecretValue"].includes(r.eventName),
    );
    const seen = lines(history.stdout).map((h) => h.eventID);
    expect(new Set(seen)).toEqual(new Set(expected.map((r) => r.eventID)));
    expect(seen).not.toContain("11111111-1111-4111-8111-111111111102"); // DescribeSecret
  });

  it("ends with replay's alert budget and summary table, under its own name", async () => {
    const { replay, history } = await both([]);
    const budget = (stderr: string, name: string) =>
      stderr
        .split("\n")
        .filter((l) => l.startsWith(`${name}:   `) || l.startsWith(`${name}: reads`))
        .map((l) => l.slice(name.length));
    expect(budget(history.stderr, "history").length).toBeGreaterThan(0);
    expect(budget(history.stderr, "history")).toEqual(budget(replay.stderr, "replay"));
    expect(history.stderr).not.toMatch(/^replay:/m);
  });

  it("prints the same alert text as replay (text format)", async () => {
    const { replay, history } = await both([], "text");
    expect(history.code).toBe(0);
    let text = replay.stdout;
    for (const file of Object.keys(LOG_FILES) as LogFile[]) text = text.replaceAll(local(file), s3Uri(file));
    expect(history.stdout).toBe(text);
    expect(history.stdout.length).toBeGreaterThan(0);
  });
});

describe("records come from the log files, not from Athena's columns", () => {
  it("reads each named file once, from the bucket and key of its $path", async () => {
    const { mocks } = await both([]);
    const calls = mocks.s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls).toEqual(
      expect.arrayContaining([
        { Bucket: BUCKET, Key: LOG_FILES.us.key },
        { Bucket: BUCKET, Key: LOG_FILES.eu.key },
      ]),
    );
  });

  it("keeps session names with `=` and `,` exactly as recorded", async () => {
    const { history } = await both([]);
    const hits = lines(history.stdout);
    const batch = hits.find((h) => h.eventID === "11111111-1111-4111-8111-111111111103")!;
    expect(batch.principalArn).toBe("arn:aws:sts::111122223333:assumed-role/Deployer/ops=admin,team={red},x=y");
    expect(batch.identity.roleSessionName).toBe("ops=admin,team={red},x=y");
    const ci = hits.find((h) => h.eventID === "22222222-2222-4222-8222-222222222202")!;
    expect(ci.identity.principalId).toBe("AROAQXZ5EXAMPLE4TR6B:ci,run=42");
    const hostileAgent = hits.find((h) => h.eventID === "22222222-2222-4222-8222-222222222201")!;
    expect(hostileAgent.userAgent).toBe(records("eu")[0]!.userAgent);
  });

  it("keeps only the event IDs the query found in each file", async () => {
    const [first] = readRows("us");
    const mocks = mockAws({ pages: [[HEADER, first!, row(s3Uri("eu"), "22222222-2222-4222-8222-222222222202")]] });
    const run = await runHistory([...COMMON, "--account", ACCOUNT, "--format", "json"], mocks);
    expect(run.code).toBe(0);
    expect(lines(run.stdout).map((h) => h.eventID)).toEqual([
      "22222222-2222-4222-8222-222222222202",
      "11111111-1111-4111-8111-111111111101",
    ]);
  });

  it("names an unreadable object in one line, with the permission to add", async () => {
    const mocks = mockAws();
    const denied = Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
    mocks.s3.on(GetObjectCommand, { Key: LOG_FILES.eu.key }).rejects(denied);
    const run = await runHistory([...COMMON, "--account", ACCOUNT], mocks);
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^secretwatch: cannot read ${s3Uri("eu").replaceAll(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(access denied by AWS: Access Denied\\): the caller needs s3:GetObject on the archive`,
        ),
      ),
    ]);
  });
});

describe("--report", () => {
  it("writes the HTML report with the hits", async () => {
    const file = path.join(root, "report.html");
    const run = await runHistory([...COMMON, "--account", ACCOUNT, "--report", file], mockAws());
    expect(run.code, run.stderr).toBe(0);
    const html = readFileSync(file, "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain("11111111-1111-4111-8111-111111111101");
    // The hostile user agent is data in the page, never markup.
    expect(html).not.toContain("<script>alert(1)</script>");
  });
});
