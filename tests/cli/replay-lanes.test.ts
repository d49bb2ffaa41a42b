// How many lanes replay and baseline open for their inputs: a worker thread takes tens of
// milliseconds to start, so a few files given by name are never read on more threads than files.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { lanesFor } from "../../packages/cli/src/replay/files.js";
import { s3File, stratus, tempDir } from "./replay-inputs.js";
import { runCli } from "./run-cli.js";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe("lanesFor", () => {
  test.each([
    { given: "one file, 4 workers", files: ["a.json"], dirs: [], workers: 4, lanes: 1 },
    { given: "three files, 4 workers", files: ["a.json", "b.json", "c.json"], dirs: [], workers: 4, lanes: 3 },
    { given: "as many files as workers", files: ["a.json", "b.json"], dirs: [], workers: 2, lanes: 2 },
    { given: "more files than workers", files: ["a.json", "b.json", "c.json"], dirs: [], workers: 2, lanes: 2 },
    { given: "one file, 1 worker", files: ["a.json"], dirs: [], workers: 1, lanes: 1 },
    // A directory's files are only known once it is walked.
    { given: "a directory among the paths", files: ["a.json"], dirs: ["logs"], workers: 4, lanes: 4 },
    { given: "a directory alone", files: [], dirs: ["logs"], workers: 3, lanes: 3 },
  ])("$given: $lanes", ({ files, dirs, workers, lanes }) => {
    for (const name of files) dir.json(name, s3File([]));
    for (const name of dirs) dir.json(`${name}/x.json`, s3File([]));
    expect(lanesFor(workers, [...files, ...dirs], dir.root)).toBe(lanes);
  });

  test("a path that cannot be read needs no lane of its own, and there is always one", () => {
    expect(lanesFor(4, ["missing.json"], dir.root)).toBe(1);
    expect(lanesFor(4, [], dir.root)).toBe(1);
  });
});

test("one file replayed with --workers 4 prints what --workers 1 prints", async () => {
  const file = dir.json("a.json", s3File(stratus));
  const run = (workers: string) => runCli(["replay", "--format", "json", "--workers", workers, file]);
  const [one, four] = [await run("1"), await run("4")];
  expect(four.code).toBe(0);
  expect(four.stdout).toBe(one.stdout);
  expect(four.stdout.split("\n").filter(Boolean).length).toBeGreaterThan(0);
});
