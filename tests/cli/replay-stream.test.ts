/**
 * Replay reads a JSON document of any size record by record (lines.ts), standard input (`-`),
 * and `aws cloudtrail lookup-events` output.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { JsonValueSplitter } from "../../packages/cli/src/replay/lines.js";
import { type Rec, read18, s3File, stratus, tempDir } from "./replay-inputs.js";
import { runCli } from "./run-cli.js";

const dir = tempDir("replay-stream-");
afterAll(() => dir.remove());

/** Every value the splitter gives for `text` fed in chunks of `size` bytes. */
function split(text: string | Buffer, size: number, max = 1 << 20) {
  const values: Array<{ text: string | null; n: number; where: string }> = [];
  const splitter = new JsonValueSplitter(max, (t, n, where) => values.push({ text: t, n, where }));
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) splitter.push(bytes.subarray(i, i + size));
  splitter.end();
  return values;
}

const parsed = (values: ReturnType<typeof split>) =>
  values.filter((v) => v.text !== null && v.text.trim() !== "").map((v) => JSON.parse(v.text as string));

describe("the value splitter", () => {
  test("gives exactly the elements of Records, Events or a top-level array, whatever the chunk size", () => {
    const element = fc.jsonValue({ maxDepth: 3 }).map((v) => v);
    fc.assert(
      fc.property(
        fc.array(element, { maxLength: 8 }),
        fc.constantFrom("Records", "Events", null),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (elements, key, size, pretty) => {
          const doc = key === null ? elements : { [key]: elements, NextToken: 'x"y\\z' };
          const text = JSON.stringify(doc, null, pretty ? 2 : undefined);
          const values = split(text, size);
          // JSON.stringify writes -0 as 0: compare as re-serialised JSON.
          expect(JSON.stringify(parsed(values))).toEqual(JSON.stringify(elements));
          const kind = key === "Records" ? "record" : key === "Events" ? "event" : "item";
          expect(values.filter((v) => v.where !== "" && !v.where.startsWith("line")).map((v) => v.where)).toEqual(
            elements.map((_, i) => `${kind} ${i + 1}`),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test("any other top-level object is one value; after a value on one line, each line is one (NDJSON)", () => {
    const record = { eventVersion: "1.08", eventSource: "s", nested: { a: [1, { b: "},]" }] } };
    expect(parsed(split(JSON.stringify(record, null, 2), 5))).toEqual([record]);
    const ndjson = `${JSON.stringify(record)}\n{oops\n\n[1,2]\n${JSON.stringify({ Records: [record] })}\n`;
    const values = split(ndjson, 7);
    expect(values.filter((v) => v.text?.trim()).map((v) => [v.where, v.text])).toEqual([
      ["line 1", JSON.stringify(record)],
      ["line 2", "{oops"],
      ["line 4", "[1,2]"],
      ["line 5", JSON.stringify({ Records: [record] })],
    ]);
  });

  test("a value over the limit is null (not held); strings with quotes, backslashes and brackets split right", () => {
    const tricky = { s: 'a\\\\"],}{[\\\\', t: "\\\\" };
    const text = JSON.stringify({ Records: [{ big: "x".repeat(500) }, tricky, "\\\\"] });
    for (const size of [1, 2, 3, 64]) {
      const values = split(text, size, 100);
      expect(values.map((v) => v.text && JSON.parse(v.text))).toEqual([null, tricky, "\\\\"]);
    }
  });

  test("a document cut short ends with what was left, which does not parse", () => {
    const values = split('{"Records":[{"a":1},{"b":', 4);
    expect(values.map((v) => v.where)).toEqual(["record 1", "end of file"]);
    expect(() => JSON.parse(values[1]!.text!)).toThrow();
  });
});

const ids = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).eventID);
const readIds = stratus.filter((r) => r.eventName !== "ListSecrets").map((r) => r.eventID);

/** `aws cloudtrail lookup-events` output: each record as the JSON text of `CloudTrailEvent`. */
const lookupOutput = (records: Rec[]) => ({
  Events: records.map((r) => ({
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: "true",
    EventTime: r.eventTime,
    EventSource: r.eventSource,
    Username: "christophe",
    Resources: [],
    CloudTrailEvent: JSON.stringify(r),
  })),
  NextToken: "eyJ0b2tlbiI6IG51bGx9",
});

describe("replay inputs", () => {
  test("aws cloudtrail lookup-events output, pretty-printed as the AWS CLI writes it, plain and gzipped", async () => {
    const text = JSON.stringify(lookupOutput(stratus), null, 4);
    for (const file of [dir.write("lookup.json", text), dir.write("lookup.json.gz", gzipSync(text))]) {
      const run = await runCli(["replay", file, "--format", "json", "--workers", "1"]);
      expect(run.code).toBe(0);
      expect(ids(run.stdout)).toEqual(readIds);
      expect(run.stderr).not.toContain("Problems:");
    }
  });

  test("- reads standard input: an S3 log file, gzipped or not, named (stdin) in the output", async () => {
    for (const body of [JSON.stringify(s3File(stratus)), gzipSync(JSON.stringify(s3File(stratus)))]) {
      const run = await runCli(["replay", "-", "--format", "json", "--workers", "1"], { stdin: Readable.from([body]) });
      expect(run.code).toBe(0);
      expect(ids(run.stdout)).toEqual(readIds);
      expect(JSON.parse(run.stdout.split("\n")[0]!).file).toBe("(stdin)");
    }
    const text = await runCli(["replay", "-"], { stdin: Readable.from([JSON.stringify(s3File([read18]))]) });
    expect(text.stdout).toContain("# (stdin): 1 secret-value retrieval(s)");
    // the copy of standard input is gone
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith("secretwatch-stdin-"))).toEqual([]);
  });

  test("- twice, or with no standard input, is one line and exit code 2", async () => {
    const twice = await runCli(["replay", "-", "-"], { stdin: Readable.from(["{}"]) });
    expect([twice.code, twice.stderr]).toEqual([2, "secretwatch: - (standard input) can be given only once\n"]);
    const none = await runCli(["replay", "-"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^secretwatch: - names standard input, and there is none here\n$/);
  });

  test("a document over the in-memory limit is read record by record: same reads as read whole", async () => {
    const body = JSON.stringify(lookupOutput(stratus), null, 2);
    const s3 = JSON.stringify(s3File([...stratus, read18]));
    for (const [name, content] of [
      ["big-lookup.json", body],
      ["big-s3.json.gz", gzipSync(s3)],
    ] as const) {
      const file = dir.write(name, content);
      const { runReplay } = await import("../../packages/cli/src/replay/run.js");
      const { DEFAULT_COMPILED_POLICY } = await import("../../packages/cli/src/assessment.js");
      let [stdout, stderr] = ["", ""];
      await runReplay(
        {
          io: {
            stdout: { write: (t: string) => (stdout += t) },
            stderr: { write: (t: string) => (stderr += t) },
            ...{ env: {}, cwd: dir.root, now: () => new Date() },
          },
          setExitCode: () => {},
        },
        {
          paths: [file],
          format: "json",
          workers: 1,
          publish: null,
          filters: { since: null, until: null, secrets: [], secretParts: [], secretKeys: [], principals: [] },
          policy: DEFAULT_COMPILED_POLICY,
          app: "a",
          stage: "s",
          maxTextBytes: 4096,
        },
      );
      expect(ids(stdout)).toEqual(readIds);
      expect(stderr).not.toContain("Problems:");
      const records = name === "big-s3.json.gz" ? stratus.length + 1 : stratus.length;
      expect(stderr).toContain(`replay: 1 file (1 with CloudTrail data)\nreplay: ${records} CloudTrail records`);
    }
  });
});

describe("memory", () => {
  test("an 80 MB S3 log file replays in well under its size of memory: memory follows the largest record, not the file", async () => {
    const file = path.join(dir.root, "huge.json");
    const out = createWriteStream(file);
    out.write('{"Records":[');
    const filler = stratus.filter((r) => r.eventName === "ListSecrets");
    const padding = "p".repeat(2000);
    let bytes = 0;
    for (let i = 0; bytes < 80e6; i++) {
      const record = { ...filler[i % filler.length], eventID: `noise-${i}`, requestParameters: { padding } };
      const text = `${i === 0 ? "" : ","}${JSON.stringify(record)}`;
      bytes += text.length;
      if (!out.write(text)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
    out.end(`,${JSON.stringify(read18)}]}`);
    await finished(out);
    const bin = path.resolve("packages/cli/bin/secretwatch.js");
    // The peak resident set size of the whole process (kilobytes), printed as it exits.
    const peak = `data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))`;
    const run = spawnSync(
      process.execPath,
      ["--import", peak, bin, "replay", file, "--format", "json", "--workers", "1"],
      {
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(run.status).toBe(0);
    expect(ids(run.stdout)).toEqual([read18.eventID]);
    expect(run.stderr).toMatch(/replay: 1 file \(1 with CloudTrail data\)/);
    const maxRssMb = Number(/maxrss=(\d+)/.exec(run.stderr)?.[1]) / 1024;
    // Node and the CLI take about 60 MB; reading the 80 MB file whole would take three times its size.
    expect(maxRssMb).toBeGreaterThan(20);
    expect(maxRssMb).toBeLessThan(140);
  }, 180_000);
});
