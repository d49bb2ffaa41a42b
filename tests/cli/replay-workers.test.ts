/**
 * Worker threads: `--workers 3` (real threads running src/replay/worker.ts through tsx) gives
 * byte-for-byte the output of `--workers 1` (inline), in input order; and the built bin, with
 * its bundled worker, works from a fresh process.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { workerEntry, workerLane } from "../../packages/cli/src/replay/lanes.js";
import { SYNC_GUNZIP_BELOW } from "../../packages/cli/src/replay/load.js";
import type { ProcessorMessage } from "../../packages/cli/src/replay/protocol.js";
import {
  batches,
  failureRecord,
  fixture,
  NOW,
  noise,
  read18,
  reads,
  recordsEvent,
  s3File,
  sqsReceive,
  tempDir,
} from "./replay-inputs.js";
import { runCli } from "./run-cli.js";

const run = promisify(execFile);
const dir = tempDir("replay-workers-");
afterAll(() => dir.remove());

/** A mixed archive: many S3 files (the first one large), other forms, and bad files, in nested directories. */
beforeAll(() => {
  const others = ["failures", "assumed-role-console", "aws-services", "batch-filters", "hostile"].flatMap(fixture);
  const pick = (i: number) => [
    ...noise.slice(i % 40, (i % 40) + 20),
    reads[i % reads.length]!,
    others[i % others.length]!,
  ];
  dir.gzip("AWSLogs/111122223333/CloudTrail/us-east-1/2024/07/30/big.json.gz", s3File(Array(300).fill(noise).flat()));
  for (let i = 0; i < 40; i++) {
    const day = String(1 + (i % 3)).padStart(2, "0");
    dir.gzip(
      `AWSLogs/111122223333/CloudTrail/us-east-1/2024/07/${day}/f${String(i).padStart(3, "0")}.json.gz`,
      s3File(pick(i)),
    );
  }
  dir.ndjson("exports/lines.ndjson", [read18, recordsEvent(pick(3)), failureRecord(pick(5)), s3File(pick(7))]);
  dir.json("exports/sqs.json", sqsReceive([failureRecord(pick(9)), failureRecord([batches[0]!])]));
  dir.json("exports/event.json", recordsEvent(pick(11)));
  dir.write("exports/broken.json", "{");
  dir.json("exports/other.json", { hello: "world" });
  dir.write("exports/empty.json", "");
});

describe("replay worker threads", () => {
  test("the sources run as a real worker thread (worker.ts through tsx)", async () => {
    const entry = workerEntry();
    expect(entry?.url.href).toMatch(/\/packages\/cli\/src\/replay\/worker\.ts$/);
    const messages: ProcessorMessage[] = [];
    const config = { cwd: dir.root, now: NOW.getTime(), maxTextBytes: 1 << 20 };
    const filters = { since: null, until: null, secrets: [], secretParts: [], secretKeys: [], principals: [] };
    await new Promise<void>((resolve, reject) => {
      const lane = workerLane(
        entry!,
        { ...config, filters },
        {
          message: (message) => {
            messages.push(message);
            if (message.type === "done") void lane.close().then(resolve);
          },
          error: reject,
        },
      );
      lane.post({ index: 7, path: "exports/event.json" });
    });
    expect(messages.map((m) => m.type)).toEqual(["unit", "done"]);
    expect(messages[1]).toMatchObject({ type: "done", report: { index: 7, records: 22, payloads: 1, usable: true } });
  });

  test.each(["json", "text"])("--workers 3 prints exactly what --workers 1 prints (--format %s)", async (format) => {
    const args = ["replay", path.join(dir.root, "AWSLogs"), path.join(dir.root, "exports"), "--format", format];
    const one = await runCli([...args, "--workers", "1"], { now: NOW });
    const three = await runCli([...args, "--workers", "3"], { now: NOW });
    expect(one.code).toBe(0);
    expect(three.stdout).toBe(one.stdout);
    expect(three.stderr).toBe(one.stderr);
    expect(three.stderr).not.toContain("worker script not found");
    expect(one.stderr).toContain("replay: 47 files (44 with CloudTrail data, 1 empty)");
    if (format === "json") {
      const files = one.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line).file as string);
      const order = [...new Set(files)];
      expect(order).toEqual([...order].sort()); // input order: the directory walk is sorted by path
      expect(order[0]).toMatch(/07\/01\/f000\.json\.gz$/);
    }
  });
});

describe("the secretwatch bin", () => {
  test("built with build.mjs, runs replay from a fresh process with its bundled worker", async () => {
    // A build of its own beside dist/ (which other tests run meanwhile), removed afterwards.
    const root = mkdtempSync(path.resolve("packages/cli/.build-test-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    await run(process.execPath, ["packages/cli/build.mjs", "--outdir", path.join(root, "dist")]);
    mkdirSync(path.join(root, "bin"));
    copyFileSync("packages/cli/bin/secretwatch.js", path.join(root, "bin/secretwatch.js"));
    const bin = path.join(root, "bin/secretwatch.js");
    const file = dir.gzip("bin/trail.json.gz", s3File([...noise.slice(0, 3), read18]));
    // Large enough for the gunzip thread (--workers 1): the process must still exit on its own.
    const large = dir.gzip("bin/trail-large.json.gz", s3File(Array.from({ length: 12 }, () => noise).flat()));
    expect(statSync(large).size).toBeGreaterThanOrEqual(SYNC_GUNZIP_BELOW);
    for (const workers of ["1", "2"]) {
      const { stdout, stderr } = await run(
        process.execPath,
        [bin, "replay", file, large, "--format", "json", "--workers", workers],
        {
          cwd: dir.root,
        },
      );
      const hits = stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      expect(hits.map((h) => [h.eventID, h.secretId, h.outcome])).toEqual([
        [read18.eventID, "stratus-red-team-retrieve-secret-18", "success"],
      ]);
      expect(stderr).toContain(`replay: ${(4 + 12 * noise.length).toLocaleString("en-US")} CloudTrail records`);
      expect(stderr).not.toContain("worker script not found");
    }
  }, 60_000);
});
