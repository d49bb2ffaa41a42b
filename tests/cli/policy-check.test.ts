/**
 * `secretwatch policy check [FILE]` through `main`, and `loadPolicy` (the `--policy FILE` of
 * replay, lookup and redrive): exit codes, the one summary line, problems as
 * `file:line: path: message`, warnings, and the defaults when there is no policy file.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../packages/cli/src/errors.js";
import type { Io } from "../../packages/cli/src/io.js";
import { loadPolicy, MAX_POLICY_BYTES } from "../../packages/cli/src/policy-file.js";
import { compilePolicy, DEFAULT_POLICY, policyHash } from "../../packages/core/src/policy.js";
import { runCli } from "./run-cli.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/policies");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "secretwatch-policy-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fixture = (name: string) => path.join(FIXTURES, name);
const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("secretwatch policy check", () => {
  it("--format json: one object, valid or with every problem (exit 2)", async () => {
    const valid = await runCli(["policy", "check", "valid/full.yaml", "--format", "json"], { cwd: FIXTURES });
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ file: "valid/full.yaml", valid: true, problems: [] });
    const invalid = await runCli(["policy", "check", "invalid/bad-account.yaml", "--format", "json"], {
      cwd: FIXTURES,
    });
    expect(invalid.code).toBe(2);
    const report = JSON.parse(invalid.stdout);
    expect([report.valid, report.summary]).toEqual([false, null]);
    expect(report.problems).toEqual([
      expect.stringMatching(/^invalid\/bad-account\.yaml:4: expected\[0\]\.principal: /),
    ]);
  });

  it("a valid file: exit 0 and one summary line, nothing on stderr", async () => {
    const run = await runCli(["policy", "check", "valid/full.yaml"], { cwd: FIXTURES });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(
      /^valid\/full\.yaml: valid: 4 expected rules, 1 decoy pattern, 2 sensitive patterns, notify low, page critical \(sha256:[0-9a-f]{8}…\)\n$/,
    );
  });

  it("warnings go to stderr, each after warning:, and do not fail", async () => {
    const run = await runCli(["policy", "check", "warnings/sensitive-overlap.yaml"], { cwd: FIXTURES });
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toHaveLength(1);
    expect(run.stdout).toMatch(/^warnings\/sensitive-overlap\.yaml: valid: 4 expected rules, 0 decoy patterns/);
    const warned = lines(run.stderr);
    expect(warned).toHaveLength(3);
    expect(warned[0]).toMatch(
      /^warning: warnings\/sensitive-overlap\.yaml:6: expected\[0\]: rule by-prefix on a sensitive secret has no source/,
    );
    for (const line of warned)
      expect(line).toMatch(/^warning: warnings\/sensitive-overlap\.yaml:\d+: expected\[\d\]: /);
  });

  it("an invalid file: exit 2, every problem on stderr as file:line: path: message, nothing on stdout", async () => {
    const run = await runCli(["policy", "check", "invalid/many-problems.yaml"], { cwd: FIXTURES });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const f = "invalid/many-problems.yaml";
    expect(lines(run.stderr)).toEqual([
      `${f}:3: thresholds.rapidMinutes: must be a whole number from 1 to 1440, not 0`,
      `${f}:4: notify: must be one of info, low, medium, high, critical, not "urgent"`,
      `${f}:7: expected[0].principal: has a malformed account ID "12345" (12 digits, or *): it would never match`,
      `${f}:9: expected[1].id: "api" is already the id of expected[0]: expected[0] and expected[1] need different ids`,
      expect.stringMatching(/^invalid\/many-problems\.yaml:12: expected\[1\]\.source\[0\]: is not a CIDR/),
      `${f}:13: decoy: is not a known key: did you mean decoys?`,
    ]);
  });

  it("a YAML syntax error: exit 2 with its line", async () => {
    const run = await runCli(["policy", "check", fixture("invalid/syntax-error.yaml")], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^\/.*invalid\/syntax-error\.yaml:5: YAML syntax error: .+\n$/);
  });

  it("no file given and none present: one line saying the documented defaults apply", async () => {
    const run = await runCli(["policy", "check"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(lines(run.stdout)).toHaveLength(1);
    expect(run.stdout).toMatch(
      /^no policy file \(secretwatch\.policy\.yaml, or one named by SECRETWATCH_POLICY_FILE\)/,
    );
    expect(run.stdout).toContain("the documented defaults apply: 0 expected rules");
    expect(run.stdout).toContain(`notify medium, page high (${policyHash(DEFAULT_POLICY).slice(0, 15)}…)`);
  });

  it("no file given: checks the repository's secretwatch.policy.yaml", async () => {
    await copyFile(fixture("invalid/version-2.yaml"), path.join(dir, "secretwatch.policy.yaml"));
    const run = await runCli(["policy", "check"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "secretwatch.policy.yaml:1: version: version 2 is not supported: the supported version is 1\n",
    );
  });

  it("no file given: checks the file SECRETWATCH_POLICY_FILE names, relative to the root", async () => {
    await mkdir(path.join(dir, "config"));
    await copyFile(fixture("valid/full.yaml"), path.join(dir, "config/policy.yaml"));
    const run = await runCli(["policy", "check"], { cwd: dir, env: { SECRETWATCH_POLICY_FILE: "config/policy.yaml" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^config\/policy\.yaml: valid: 4 expected rules/);
  });

  it("SECRETWATCH_POLICY_FILE naming a missing file is an error, not the defaults", async () => {
    const run = await runCli(["policy", "check"], { cwd: dir, env: { SECRETWATCH_POLICY_FILE: "gone.yaml" } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("secretwatch: SECRETWATCH_POLICY_FILE names gone.yaml, which does not exist\n");
  });

  it("a named file that does not exist, or a directory: exit 2 with one line", async () => {
    const missing = await runCli(["policy", "check", "nope.yaml"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("secretwatch: cannot read the policy file nope.yaml: it does not exist\n");
    const directory = await runCli(["policy", "check", "."], { cwd: dir });
    expect(directory.code).toBe(2);
    expect(directory.stderr).toBe("secretwatch: the policy file . is a directory\n");
  });
});

function testIo(cwd: string, env: Record<string, string> = {}): Io {
  const sink = { write: () => true };
  return { stdout: sink, stderr: sink, env, cwd, now: () => new Date("2024-08-01T00:00:00Z") };
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe("loadPolicy", () => {
  it("--policy FILE: compiled, with its absolute path, relative to io.cwd", async () => {
    const loaded = await loadPolicy(testIo(FIXTURES), "valid/some-thresholds.yaml");
    expect(loaded.path).toBe(fixture("valid/some-thresholds.yaml"));
    expect(loaded.warnings).toEqual([]);
    expect(loaded.compiled).toEqual(
      compilePolicy(
        { ...DEFAULT_POLICY, thresholds: { ...DEFAULT_POLICY.thresholds, rapidMinutes: 10 } },
        "valid/some-thresholds.yaml",
      ),
    );
  });

  it("returns warnings as file:line: path: message", async () => {
    const loaded = await loadPolicy(testIo(FIXTURES), "warnings/root.yaml");
    expect(loaded.warnings).toEqual([
      "warnings/root.yaml:4: expected[0].principal: rule break-glass names the root user and has no effect: root reads are always critical",
    ]);
  });

  it("an invalid file: a UserError (exit 2) listing every problem, one per line", async () => {
    const error = await rejection(loadPolicy(testIo(FIXTURES), "invalid/threshold-range.yaml"));
    expect(error.exitCode).toBe(2);
    expect(error.message.split("\n")).toEqual([
      "the policy file invalid/threshold-range.yaml is not valid (4 problems):",
      "invalid/threshold-range.yaml:3: thresholds.firstSeenDays: must be a whole number from 1 to 365, not 366",
      "invalid/threshold-range.yaml:4: thresholds.rapidSecrets: must be a whole number from 2 to 1000, not 1",
      "invalid/threshold-range.yaml:5: thresholds.rapidMinutes: must be a whole number from 1 to 1440, not 0",
      "invalid/threshold-range.yaml:6: thresholds.repeatMinutes: must be a whole number from 0 to 10080, not 10081",
    ]);
  });

  it("an unreadable file: a UserError with the cause", async () => {
    const error = await rejection(loadPolicy(testIo(dir), "missing.yaml"));
    expect(error.message).toBe("cannot read the policy file missing.yaml: it does not exist");
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("a file far larger than any policy is refused before parsing", async () => {
    await writeFile(path.join(dir, "big.yaml"), `version: 1\n# ${"x".repeat(MAX_POLICY_BYTES)}\n`);
    const error = await rejection(loadPolicy(testIo(dir), "big.yaml"));
    expect(error.message).toMatch(/^the policy file big\.yaml is larger than 1024 KiB/);
  });

  it("no file and no repository policy: the defaults, path null", async () => {
    const loaded = await loadPolicy(testIo(dir));
    expect(loaded).toEqual({ compiled: compilePolicy(DEFAULT_POLICY, "defaults"), path: null, warnings: [] });
  });

  it("no file: the repository's policy when present", async () => {
    await copyFile(fixture("valid/full.yaml"), path.join(dir, "secretwatch.policy.yaml"));
    const loaded = await loadPolicy(testIo(dir));
    expect(loaded.path).toBe(path.join(dir, "secretwatch.policy.yaml"));
    expect(loaded.compiled.source).toBe("secretwatch.policy.yaml");
    expect(loaded.compiled.policy.notify).toBe("low");
  });

  it("no file: an invalid repository policy is an error, never the defaults", async () => {
    await copyFile(fixture("invalid/unknown-key.yaml"), path.join(dir, "secretwatch.policy.yaml"));
    const error = await rejection(loadPolicy(testIo(dir)));
    expect(error.message).toContain("secretwatch.policy.yaml:2: decoy: is not a known key: did you mean decoys?");
  });

  it("SECRETWATCH_POLICY_FILE configured but missing: a UserError", async () => {
    const error = await rejection(loadPolicy(testIo(dir, { SECRETWATCH_POLICY_FILE: "policies/prod.yaml" })));
    expect(error.message).toBe("SECRETWATCH_POLICY_FILE names policies/prod.yaml, which does not exist");
  });
});
