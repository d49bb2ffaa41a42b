/**
 * Scenario: bad settings stop `sst deploy` before any resource is declared, with an error
 * naming the variable to fix; `app()` itself never throws (a throw there breaks every SST
 * command, `sst install` included).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SETTING_NAMES, type SettingsError } from "../../packages/core/src/settings";
import { applySettingsEnv, type SettingsEnv } from "./harness/env";
import { recorded } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

// stacks/settings.ts throws while it loads; give each run fresh modules.
beforeEach(() => {
  vi.resetModules();
});

async function deployError(stage: string, env: SettingsEnv): Promise<SettingsError> {
  const error = await runApp({ stage, env }).then(
    () => expect.fail("the deploy should have been refused"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe("SettingsError");
  return error as SettingsError;
}

describe("run() refuses bad settings, naming the variable", () => {
  it.each<[string, string, SettingsEnv, string]>([
    ["no alert address", "dev", {}, SETTING_NAMES.alertEmails],
    ["an invalid address", "dev", { alertEmails: "security@example.com, not-an-address" }, SETTING_NAMES.alertEmails],
    [
      "the demo secret in production",
      "prod",
      { alertEmails: "a@example.com", demoSecret: "true" },
      SETTING_NAMES.demoSecret,
    ],
    [
      "the demo secret on a stage flagged production",
      "staging",
      { alertEmails: "a@example.com", demoSecret: "true", production: "true" },
      SETTING_NAMES.demoSecret,
    ],
    [
      "a retention CloudWatch Logs does not offer",
      "dev",
      { alertEmails: "a@example.com", retentionDays: "10" },
      SETTING_NAMES.retentionDays,
    ],
    [
      "a retention that is not a number",
      "dev",
      { alertEmails: "a@example.com", retentionDays: "a year" },
      SETTING_NAMES.retentionDays,
    ],
    [
      "a blind-spot window under 5 minutes",
      "dev",
      { alertEmails: "a@example.com", blindSpotMinutes: "2" },
      SETTING_NAMES.blindSpotMinutes,
    ],
    [
      "a log group ARN instead of a name",
      "dev",
      { alertEmails: "a@example.com", existingLogGroup: "arn:aws:logs:us-east-1:111122223333:log-group:x" },
      SETTING_NAMES.existingLogGroup,
    ],
    [
      "an unreadable production flag",
      "dev",
      { alertEmails: "a@example.com", production: "maybe" },
      SETTING_NAMES.production,
    ],
  ])("%s", async (_, stage, env, setting) => {
    const before = recorded.filter((r) => r.custom).length;
    const error = await deployError(stage, env);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
    // Refused before any AWS resource was declared.
    expect(recorded.filter((r) => r.custom).length).toBe(before);
  });

  it("says where to set the missing addresses", async () => {
    const error = await deployError("dev", {});
    expect(error.message).toContain("SECRETWATCH_ALERT_EMAILS is required");
    expect(error.message).toContain(".env.dev");
  });
});

describe("app() decides removal and protection without ever throwing", () => {
  type App = { app(input: { stage: string }): { removal: string; protect: boolean; name: string; home: string } };
  const appFor = async (stage: string, env: SettingsEnv) => {
    applySettingsEnv(env);
    const config = (await import("../../sst.config")).default as unknown as App;
    return config.app({ stage });
  };

  it.each<[string, SettingsEnv, boolean]>([
    ["prod", {}, true],
    ["production", {}, true],
    ["dev", {}, false],
    ["dev", { production: "true" }, true],
    ["dev", { production: "yes" }, true],
    // From the process environment, not from .env.prod: still production (production-env.test.ts).
    ["prod", { production: "false" }, true],
    // Unreadable: treated as production (retain, protect) until run() reports it.
    ["dev", { production: "maybe" }, true],
  ])("stage %s with %j: production %s", async (stage, env, production) => {
    const app = await appFor(stage, env);
    expect(app).toEqual({
      name: "secretwatch",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    });
  });

  it("does not validate the other settings", async () => {
    await expect(appFor("dev", { retentionDays: "nope", alertEmails: "" })).resolves.toMatchObject({ protect: false });
  });
});
