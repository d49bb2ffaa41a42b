/**
 * The checks before the first AWS call (aws-config.ts): the Region (the same line for every
 * command without one), the profile's region, and an AWS_PROFILE that does not exist.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { NO_REGION, parseProfiles, resolveRegion } from "../../packages/cli/src/aws-config.js";
import { lookupDeps } from "../../packages/cli/src/commands/lookup.js";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(path.join(tmpdir(), "secretwatch-aws-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = path.join(dir, "config");
const credentials = path.join(dir, "credentials");
writeFileSync(
  config,
  [
    "[default]",
    "output = json",
    "[profile work]",
    "region = eu-west-1",
    "sso_session = corp",
    "[sso-session corp]",
    "region = us-west-2",
    "[profile bad-region]",
    "region = narnia",
  ].join("\n"),
);
writeFileSync(credentials, "[keys-only]\naws_access_key_id = AKIAEXAMPLE\n");
const files = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };

describe("profiles and Regions", () => {
  test("profiles are [profile x] and [default] in config, [x] in credentials; sso-session is not one", () => {
    const text = "[default]\nregion=us-east-1\n[profile a b]\nregion = eu-west-3\n  nested = 1\n[sso-session s]\n";
    const profiles = parseProfiles(text, "config");
    expect([...profiles.keys()]).toEqual(["default", "a b"]);
    expect(profiles.get("a b")?.get("region")).toBe("eu-west-3");
    expect([...parseProfiles("[x]\nk=v\n", "credentials").keys()]).toEqual(["x"]);
  });

  test("--region, else AWS_REGION, else the profile's region; a bad name says where it came from", () => {
    expect(resolveRegion({ ...files, AWS_REGION: "us-east-2" }, "ap-south-1")).toBe("ap-south-1");
    expect(resolveRegion({ ...files, AWS_REGION: "us-east-2", AWS_PROFILE: "work" })).toBe("us-east-2");
    expect(resolveRegion({ ...files, AWS_PROFILE: "work" })).toBe("eu-west-1");
    expect(() => resolveRegion({ ...files })).toThrow(NO_REGION);
    expect(() => resolveRegion({ ...files, AWS_PROFILE: "bad-region" })).toThrow(
      'the region of profile bad-region "narnia" is not a Region name',
    );
  });
});

describe("every AWS command says the same", () => {
  const noRegion = { ...files, AWS_REGION: undefined };
  test.each([
    [["redrive", "--stage", "dev"]],
    [["lookup", "--since", "1h"]],
    [["baseline", "--stage", "dev", "--dry-run"]],
  ])("%j without a Region: one line, exit 2", async (argv) => {
    const run = await runCli(argv, { env: noRegion });
    expect([run.code, run.stderr]).toEqual([2, `secretwatch: ${NO_REGION}\n`]);
  });

  test.each([[["redrive", "--stage", "dev"]], [["lookup", "--since", "1h"]]])(
    "%j with an AWS_PROFILE that does not exist: named, exit 3",
    async (argv) => {
      const run = await runCli(argv, { env: { ...files, AWS_PROFILE: "wrok" } });
      expect(run.code).toBe(3);
      expect(run.stderr).toBe(
        `secretwatch: AWS_PROFILE "wrok" is not a profile in ${config} or ${credentials}: check the name (aws configure list-profiles) or unset AWS_PROFILE\n`,
      );
    },
  );

  test("a profile only in the credentials file exists: lookup goes on to call CloudTrail", async () => {
    const real = lookupDeps.client;
    let calls = 0;
    lookupDeps.client = () =>
      ({
        send: async () => {
          calls++;
          return { Events: [] };
        },
      }) as never;
    try {
      const run = await runCli(["lookup", "--since", "1h"], { env: { ...files, AWS_PROFILE: "keys-only" } });
      expect(run.code).toBe(0);
      expect(calls).toBeGreaterThan(0);
    } finally {
      lookupDeps.client = real;
    }
  });
});
