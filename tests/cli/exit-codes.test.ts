/**
 * One exit-code table for every command (exit-codes.ts), each error on one line: commander's
 * own errors, configuration errors, AWS unreachable, credentials missing; and the README
 * holds the table word for word.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { lookupDeps } from "../../packages/cli/src/commands/lookup.js";
import { describeError, exitCodeOf, UserError } from "../../packages/cli/src/errors.js";
import { EXIT, exitCodeTable } from "../../packages/cli/src/exit-codes.js";
import { runCli } from "./run-cli.js";

const ONE_LINE = /^secretwatch: [^\n]+\n$/;

describe("usage errors: exit 2, one line naming the help to read", () => {
  test.each([
    [
      ["replay", "x", "--frmat", "json"],
      "unknown option '--frmat' (Did you mean --format?); see secretwatch replay --help",
    ],
    [["nope"], "unknown command 'nope'; see secretwatch --help"],
    [["replay"], "missing required argument 'paths'; see secretwatch replay --help"],
    [
      ["replay", "x", "--format", "xml"],
      "option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json; see secretwatch replay --help",
    ],
    [["redrive"], "required option '--stage <name>' not specified; see secretwatch redrive --help"],
    [["policy", "chek"], "unknown command 'chek' (Did you mean check?); see secretwatch policy --help"],
    [["replay", "x", "--since", "2024-02-30"], expect.stringContaining('--since "2024-02-30" is not a time')],
  ])("%j", async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(ONE_LINE);
    expect(run.stderr.slice("secretwatch: ".length, -1)).toEqual(message);
    expect(run.stdout).toBe("");
  });

  test("--help and --version exit 0; no command at all shows the help and exits 2", async () => {
    expect((await runCli(["--help"])).code).toBe(EXIT.ok);
    expect(await runCli(["--version"])).toEqual({ code: 0, stdout: "0.1.0\n", stderr: "" });
    const help = await runCli(["help", "replay"]);
    expect([help.code, help.stdout.split("\n")[0]]).toEqual([0, "Usage: secretwatch replay [options] <paths...>"]);
    const bare = await runCli([]);
    expect(bare.code).toBe(EXIT.usage);
    expect(bare.stderr).toContain("Usage: secretwatch [options] [command]");
  });
});

describe("AWS could not be used: exit 3, one line", () => {
  const realClient = lookupDeps.client;
  afterEach(() => {
    lookupDeps.client = realClient;
  });
  const failWith = (error: Error) => {
    lookupDeps.client = () => ({ send: () => Promise.reject(error) }) as never;
  };

  test("no network (the SDK's socket error, wrapped or not)", async () => {
    const socket = Object.assign(new Error("getaddrinfo ENOTFOUND cloudtrail.us-east-1.amazonaws.com"), {
      code: "ENOTFOUND",
    });
    for (const error of [socket, new Error("request failed", { cause: socket })]) {
      failWith(error);
      const run = await runCli(["lookup", "--since", "1h"]);
      expect(run.code).toBe(EXIT.aws);
      expect(run.stderr).toMatch(ONE_LINE);
      expect(run.stderr).toMatch(
        /^secretwatch: cannot reach AWS \(ENOTFOUND: .+\): check the network, proxy and --region\n$/,
      );
    }
  });

  test("no credentials, and an AWS_PROFILE that does not exist", async () => {
    failWith(
      Object.assign(new Error("Could not load credentials from any providers\nmore"), {
        name: "CredentialsProviderError",
      }),
    );
    const run = await runCli(["lookup", "--since", "1h"]);
    expect([run.code, run.stderr]).toEqual([
      EXIT.aws,
      "secretwatch: no usable AWS credentials (Could not load credentials from any providers); set AWS_PROFILE or run `aws sso login`\n",
    ]);
    const profile = await runCli(["lookup", "--since", "1h"], { env: { AWS_PROFILE: "nope" } });
    expect(profile.code).toBe(EXIT.aws);
    expect(profile.stderr).toMatch(/^secretwatch: AWS_PROFILE "nope" is not a profile in \S+ or \S+: check the name/);
    expect(profile.stderr).toMatch(ONE_LINE);
  });

  test("the code of each kind of error", () => {
    expect(exitCodeOf(new UserError("bad"))).toBe(EXIT.usage);
    expect(exitCodeOf(new UserError("nothing read", EXIT.findings))).toBe(EXIT.findings);
    expect(exitCodeOf(Object.assign(new Error("x"), { name: "TimeoutError" }))).toBe(EXIT.aws);
    expect(exitCodeOf(Object.assign(new Error("x"), { name: "AccessDeniedException" }))).toBe(EXIT.aws);
    expect(exitCodeOf(Object.assign(new Error("x"), { name: "ResourceNotFoundException" }))).toBe(EXIT.findings);
    expect(describeError(Object.assign(new Error("a\nb"), { name: "ValidationException" }))).toBe(
      "ValidationException: a",
    );
  });
});

test("the README prints the exit-code table of exit-codes.ts", () => {
  expect(readFileSync("README.md", "utf8")).toContain(exitCodeTable());
});
