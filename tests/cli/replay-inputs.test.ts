/** `secretwatch replay` reads every form CloudTrail records come in, and reports what it cannot read. */
import { chmodSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DEFAULT_COMPILED_POLICY } from "../../packages/cli/src/assessment.js";
import type { Io } from "../../packages/cli/src/io.js";
import { loadFile } from "../../packages/cli/src/replay/load.js";
import { runReplay } from "../../packages/cli/src/replay/run.js";
import { subscriptionEvent } from "../helpers/subscription.js";
import {
  batches,
  decodedPayload,
  failureRecord,
  NOW,
  noise,
  read18,
  reads,
  recordsEvent,
  s3File,
  sqsReceive,
  stratus,
  tempDir,
} from "./replay-inputs.js";
import { runCli } from "./run-cli.js";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const replay = (...args: string[]) => runCli(["replay", "--format", "json", "--workers", "1", ...args], { now: NOW });
const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
const ids = (stdout: string) => lines(stdout).map((hit) => hit.eventID);
const [r1, r2, r3] = [reads[1]!, reads[2]!, reads[3]!];

describe("replay input forms", () => {
  test("a CloudTrail S3 log file, plain and gzipped (gzip found by its magic bytes, not its name)", async () => {
    const body = s3File([...noise.slice(0, 10), read18, noise[10]!]);
    const files = [dir.json("a.json", body), dir.gzip("b.json.gz", body), dir.gzip("c.json", body)];
    files.push(dir.json("d.json.gz", body)); // named .gz, but plain text
    for (const file of files) {
      const run = await replay(file);
      expect(run.code).toBe(0);
      expect(ids(run.stdout)).toEqual([read18.eventID]);
      expect(run.stderr).toContain("12 CloudTrail records");
      expect(run.stderr).not.toContain("Problems:");
    }
  });

  test("a directory tree as CloudTrail lays it out in S3, in path order; digests and other names skipped", async () => {
    const base = "AWSLogs/111122223333/CloudTrail";
    dir.gzip(`${base}/us-east-1/2024/07/31/111122223333_CloudTrail_us-east-1_20240731T1240Z_b.json.gz`, s3File([r2]));
    dir.gzip(`${base}/us-east-1/2024/07/31/111122223333_CloudTrail_us-east-1_20240731T1235Z_a.json.gz`, s3File([r1]));
    dir.gzip(`${base}/eu-west-1/2024/07/31/111122223333_CloudTrail_eu-west-1_20240731T1235Z_c.json.gz`, s3File([r3]));
    dir.gzip(`${base}/us-east-1/2024/08/01/111122223333_CloudTrail_us-east-1_20240801T0000Z_d.json.gz`, s3File([]));
    const digest = { awsAccountId: "111122223333", digestStartTime: "2024-07-31T12:00:00Z", logFiles: [] };
    dir.gzip("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/07/31/digest.json.gz", digest);
    dir.write(`${base}/README.txt`, "not a log file");
    dir.json(`${base}/.hidden.json`, s3File([read18]));
    const run = await replay(path.join(dir.root, "AWSLogs"));
    expect(run.code).toBe(0);
    expect(ids(run.stdout)).toEqual([r3.eventID, r1.eventID, r2.eventID]); // eu-west-1 < us-east-1; 1235Z < 1240Z
    expect(run.stderr).toContain(
      "replay: 5 files (4 with CloudTrail data, 1 digest file); 1 ignored by name (listed below); 1 hidden entry skipped\n",
    );
    const ignored = run.stderr.slice(run.stderr.indexOf("Ignored ("));
    expect(ignored.split("\n").slice(0, 2)).toEqual([
      "Ignored (not a log file name; name a file on the command line to read it):",
      `  ${path.join(dir.root, base, "README.txt")}`,
    ]);
    expect(run.stderr).toContain("replay: 3 CloudTrail records, 0 subscription payloads; 3 secret-value retrievals");
    expect(run.stderr).not.toContain("Problems:");
  });

  test("a JSON array of records, NDJSON, and a single record", async () => {
    expect(ids((await replay(dir.json("array.json", [noise[0], r1, r2]))).stdout)).toEqual([r1.eventID, r2.eventID]);
    expect(ids((await replay(dir.ndjson("lines.ndjson", [r1, noise[0], r2]))).stdout)).toEqual([
      r1.eventID,
      r2.eventID,
    ]);
    expect(ids((await replay(dir.json("one.json", read18))).stdout)).toEqual([read18.eventID]);
  });

  test("NDJSON lines may be any other form; each subscription event is its own delivery unit", async () => {
    const file = dir.ndjson("mixed.jsonl", [r1, recordsEvent([r2]), failureRecord([r3]), s3File([read18])]);
    const hits = lines((await replay(file)).stdout);
    expect(hits.map((h) => [h.eventID, h.filePart])).toEqual([
      [r2.eventID, "line 2 > subscription event"],
      [r3.eventID, "line 3 > failure-queue record > subscription event"],
      [r1.eventID, null], // the file's own records (lines 1 and 4) form one unit, sent at the end of the file
      [read18.eventID, null],
    ]);
    expect(hits.every((h) => h.file === file)).toBe(true);
  });

  test("a CloudWatch Logs subscription event and a decoded subscription payload", async () => {
    const event = await replay(dir.json("event.json", recordsEvent([noise[0]!, r1, r2])));
    expect(lines(event.stdout).map((h) => [h.eventID, h.filePart])).toEqual([
      [r1.eventID, "subscription event"],
      [r2.eventID, "subscription event"],
    ]);
    expect(event.stderr).toContain("3 CloudTrail records, 1 subscription payload");
    const decoded = await replay(dir.json("payload.json", decodedPayload([r1, noise[0]!])));
    expect(lines(decoded.stdout).map((h) => [h.eventID, h.filePart])).toEqual([[r1.eventID, "subscription payload"]]);
  });

  test("failure-queue records: Lambda destination records, alone and in `aws sqs receive-message` output", async () => {
    const record = await replay(dir.json("failed.json", failureRecord([r1, r2])));
    expect(lines(record.stdout).map((h) => h.filePart)).toEqual(
      Array(2).fill("failure-queue record > subscription event"),
    );
    const sqs = await replay(dir.json("sqs.json", sqsReceive([failureRecord([r1]), failureRecord([batches[0]!])])));
    expect(lines(sqs.stdout).map((h) => [h.eventID, h.filePart])).toEqual([
      [r1.eventID, "message 1 > failure-queue record > subscription event"],
      [batches[0]!.eventID, "message 2 > failure-queue record > subscription event"],
    ]);
  });

  test("bad messages inside a payload and undecodable subscription events are counted, the rest still read", async () => {
    const messages = [JSON.stringify(r1), JSON.stringify(r2).slice(0, 40), '{"not":"cloudtrail"}'];
    const file = dir.ndjson("payloads.ndjson", [
      subscriptionEvent(messages),
      { awslogs: { data: "not base64!" } },
      { awslogs: { data: Buffer.from("not gzip").toString("base64") } },
    ]);
    const run = await replay(file);
    expect(ids(run.stdout)).toEqual([r1.eventID]);
    const id = (i: number) => `3${String(i).padStart(55, "0")}`; // the helper's log event IDs
    expect(run.stderr).toContain(
      `payloads.ndjson: skipped 1 invalid JSON value, 1 value that is not a CloudTrail record, 2 undecodable payloads (` +
        `line 1 > subscription event > log event ${id(1)}: invalid JSON; ` +
        `line 1 > subscription event > log event ${id(2)}: not a CloudTrail record; ` +
        "line 2 > subscription event: The subscription data is not base64 text; " +
        "line 3 > subscription event: The subscription data is not valid gzip)",
    );
  });

  test("a file larger than the in-memory limit is read as NDJSON, line by line, gzipped or not", async () => {
    const rows = [...stratus.map((r) => JSON.stringify(r)), "x".repeat(5000), JSON.stringify(read18)];
    for (const [name, content] of [
      ["big.ndjson", rows.join("\n")],
      ["big.ndjson.gz", gzipSync(rows.join("\n"))],
    ] as const) {
      let [stdout, stderr] = ["", ""];
      const io: Io = {
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
        ...{ env: {}, cwd: dir.root, now: () => NOW },
      };
      const options = { paths: [dir.write(name, content)], format: "json" as const, workers: 1, publish: null };
      const filters = { since: null, until: null, secrets: [], secretParts: [], secretKeys: [], principals: [] };
      const policy = DEFAULT_COMPILED_POLICY;
      await runReplay(
        { io, setExitCode: () => {} },
        { ...options, filters, policy, app: "a", stage: "s", maxTextBytes: 4096 },
      );
      // read18 comes twice in the file: the second is a duplicate within the unit, dropped as the Lambda does
      expect(ids(stdout)).toEqual(stratus.filter((r) => r.eventName !== "ListSecrets").map((r) => r.eventID));
      expect(stderr).toContain("25 secret-value retrievals (1 duplicate dropped), 25 after filters");
      expect(stderr).toContain(`${name}: skipped 1 invalid JSON value (line ${stratus.length + 1}: line too long)`);
    }
  });
});

describe("replay with bad inputs", () => {
  test("invalid JSON, non-CloudTrail JSON, empty files and corrupt gzip are reported and skipped (exit 0)", async () => {
    const good = dir.json("good.json", s3File([r1]));
    const bad = [
      dir.write("broken.json", '{"Records": [{"eventID": '),
      dir.json("package.json", { name: "not-cloudtrail", version: "1.0.0" }),
      dir.write("empty.json", ""),
      dir.write("blank.json", "  \n\n"),
      dir.write("corrupt.json.gz", Buffer.concat([gzipSync("{}").subarray(0, 10), Buffer.from("garbage")])),
      dir.write("some-bad-lines.ndjson", `${JSON.stringify(r2)}\n{oops\n[1, 2]\n`),
    ];
    const run = await replay(good, ...bad, path.join(dir.root, "missing.json"));
    expect(run.code).toBe(0);
    expect(ids(run.stdout)).toEqual([r1.eventID, r2.eventID]);
    const problems = run.stderr.slice(run.stderr.indexOf("Problems:")).split("\n");
    expect(problems).toEqual([
      "Problems:",
      expect.stringMatching(/broken\.json: skipped 1 invalid JSON value \(Unexpected end of JSON input\)$/),
      expect.stringMatching(/package\.json: skipped 1 value that is not a CloudTrail record$/),
      expect.stringMatching(/empty\.json: empty file$/),
      expect.stringMatching(/blank\.json: empty file$/),
      expect.stringMatching(/corrupt\.json\.gz: not valid gzip data \(.+\)$/),
      expect.stringMatching(
        /some-bad-lines\.ndjson: skipped 1 invalid JSON value, 2 values that are not CloudTrail records \(line 2: invalid JSON; line 3 > item 1: not a CloudTrail record \(number\); line 3 > item 2: not a CloudTrail record \(number\)\)$/,
      ),
      expect.stringMatching(/missing\.json: no such file or directory$/),
      "",
    ]);
    expect(run.stderr).toContain(
      "replay: 7 files (2 with CloudTrail data, 1 unreadable, 2 empty); 1 path could not be opened\n",
    );
    expect(run.stderr).toContain(
      "replay: skipped 2 invalid JSON values, 3 non-CloudTrail values, 0 undecodable payloads\n",
    );
  });

  test("a broken Secrets Manager record in a compact S3 file is counted and skipped; the reads around it are kept", async () => {
    // The marker scan picks it; its parse fails, so the exact scan reads the file again and
    // reports it as before (a literal the scans do not check: `tru`).
    const broken = JSON.stringify(r2).replace(/^\{/, '{"broken":tru,');
    const text = `{"Records":[${JSON.stringify(r1)},${broken},${JSON.stringify(r3)},${JSON.stringify(noise[0])}]}`;
    const run = await replay(dir.write("AWSLogs/mixed.json.gz", gzipSync(text)));
    expect(run.code).toBe(0);
    expect(ids(run.stdout)).toEqual([r1.eventID, r3.eventID]);
    expect(run.stderr).toMatch(/mixed\.json\.gz: skipped 1 invalid JSON value \(record 2: invalid JSON\)$/m);
    expect(run.stderr).toContain("replay: 3 CloudTrail records");
  });

  test("exit code 1 when nothing could be read; a usage error exits 2", async () => {
    const onlyBad = await replay(
      dir.write("bad.json", "nope"),
      dir.json("x.json", { a: 1 }),
      path.join(dir.root, "gone"),
    );
    expect(onlyBad.code).toBe(1);
    expect(onlyBad.stderr).toMatch(/secretwatch: nothing could be read from the given paths\n$/);
    expect((await replay(path.join(dir.root, "gone"))).code).toBe(1);
    expect((await replay(dir.write("empty.json", ""))).code).toBe(1);
    expect((await replay(dir.json("none.json", s3File([])))).code).toBe(0); // a log file with no records was read
    expect((await replay(dir.json("x.json", s3File([])), "--workers", "0")).code).toBe(2);
  });

  test.skipIf(process.getuid?.() === 0)("a file without read permission is reported as unreadable", async () => {
    const locked = dir.json("locked.json", s3File([r1]));
    chmodSync(locked, 0o000);
    const run = await replay(locked, dir.json("ok.json", s3File([r2])));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("locked.json: permission denied");
  });

  test("a directory given where a file is read, and a broken symbolic link, are reported", async () => {
    mkdirSync(path.join(dir.root, "folder.json"));
    expect(await loadFile(path.join(dir.root, "folder.json"), 1 << 20)).toEqual({
      kind: "error",
      reason: "is a directory",
    });
    symlinkSync(path.join(dir.root, "nowhere"), path.join(dir.root, "link.json"));
    dir.json("ok.json", s3File([r1]));
    const run = await replay(dir.root);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/link\.json: no such file or directory/);
  });
});
