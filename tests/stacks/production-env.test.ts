/**
 * Scenario: where SECRETWATCH_PRODUCTION comes from. A stage named `prod` or `production` loses
 * its retention and protection only through its own `.env.<stage>`; a false from `.env` (shared
 * by every stage) or from the process environment stops the deploy, and until then `app()`
 * keeps the stage retained and protected. Each run gets an app directory with its own env files.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SETTING_NAMES, type SettingsError } from "../../packages/core/src/settings";
import { lenientProduction, protectionMismatch, strayProductionFalse } from "../../stacks/production";
import type { SettingsEnv } from "./harness/env";
import { named, recorded } from "./harness/recorder";
import { type RunOptions, runApp } from "./harness/sst-globals";

const EMAILS = "SECRETWATCH_ALERT_EMAILS=soc@example.com\n";
const P = SETTING_NAMES.production;

// A refused run throws while stacks/settings.ts loads: give each run fresh modules, and read
// only what this run declared.
beforeEach(() => {
  vi.resetModules();
  recorded.length = 0;
});

async function refused(options: RunOptions): Promise<{ error: SettingsError; app: Record<string, unknown> }> {
  let app: Record<string, unknown> = {};
  const before = recorded.filter((r) => r.custom).length;
  const error = await runApp(options).then(
    () => expect.fail("the deploy should have been refused"),
    (e: unknown) => e,
  );
  expect((error as Error).name).toBe("SettingsError");
  expect(recorded.filter((r) => r.custom).length, "resources declared before the refusal").toBe(before);
  // What app() decided for the same stage and files (the harness ran it before run()).
  const config = (await import("../../sst.config")).default as unknown as { app(i: { stage: string }): unknown };
  app = (await config.app({ stage: options.stage ?? "dev" })) as Record<string, unknown>;
  return { error: error as SettingsError, app };
}

describe("a stray SECRETWATCH_PRODUCTION=false on a production-named stage", () => {
  it.each<[string, string, RunOptions["envFiles"], SettingsEnv]>([
    ["in .env", "prod", { dotenv: `${P}=false\n`, stageFile: EMAILS }, {}],
    ["in .env, as `no`", "production", { dotenv: `${P}=no\n`, stageFile: EMAILS }, {}],
    ["in the process environment", "prod", { stageFile: EMAILS }, { production: "false" }],
  ])("%s (stage %s): refused at deploy, protected by app()", async (_, stage, envFiles, env) => {
    const { error, app } = await refused({ stage, envFiles, env });
    expect(error.setting).toBe(P);
    expect(error.message).toContain(`set ${P}=false in .env.${stage}`);
    expect(error.message).toContain("Nothing was deployed");
    expect(app).toMatchObject({ removal: "retain", protect: true });
  });

  it("keeps the stage protected and its evidence retained on `sst remove`", async () => {
    const result = await runApp({ stage: "prod", command: "remove", envFiles: { dotenv: `${P}=false\n` }, env: {} });
    expect(result.app).toMatchObject({ removal: "retain", protect: true });
    expect(result.outputs.production).toBe(true);
    expect(named("TrailLogGroup").retainOnDelete).toBe(true);
  });
});

describe("what may make a stage non-production", () => {
  it("`.env.prod` itself: the deploy goes ahead, unprotected", async () => {
    const result = await runApp({ stage: "prod", envFiles: { stageFile: `${EMAILS}${P}=false\n` }, env: {} });
    expect(result.app).toMatchObject({ removal: "remove", protect: false });
    expect(result.outputs.production).toBe(false);
    expect(named("TrailLogGroup").retainOnDelete).toBe(false);
  });

  it("`.env.prod` wins over `.env` and the environment, as in SST", async () => {
    const result = await runApp({
      stage: "prod",
      envFiles: { dotenv: `${P}=true\n`, stageFile: `${EMAILS}${P}=false\n` },
      env: { production: "true" },
    });
    expect(result.outputs.production).toBe(false);
  });

  it("an empty value in `.env.prod` also overrides: the stage is production by its name", async () => {
    const result = await runApp({
      stage: "prod",
      envFiles: { stageFile: `${EMAILS}${P}=\n` },
      env: { production: "0" },
    });
    expect(result.app).toMatchObject({ removal: "retain", protect: true });
    expect(result.outputs.production).toBe(true);
  });

  it("a stage not named production takes the value from anywhere (nothing to lose)", async () => {
    const result = await runApp({ stage: "dev", envFiles: { dotenv: `${P}=false\n`, stageFile: EMAILS }, env: {} });
    expect(result.app).toMatchObject({ protect: false });
    expect(result.outputs.production).toBe(false);
  });

  it("`.env` may make any stage production (the safe side)", async () => {
    const result = await runApp({ stage: "dev", envFiles: { dotenv: `${P}=true\n`, stageFile: EMAILS }, env: {} });
    expect(result.app).toMatchObject({ removal: "retain", protect: true });
    expect(result.outputs.production).toBe(true);
  });
});

describe("the rule, value by value", () => {
  it.each<[string | undefined, string, string | undefined, boolean, boolean]>([
    // value, stage, value in .env.<stage>, production (app, remove), refused at deploy
    [undefined, "prod", undefined, true, false],
    ["false", "prod", undefined, true, true],
    ["false", "prod", "false", false, false],
    ["off", "prod", "no", false, false],
    ["false", "prod", "true", true, true],
    ["false", "production", undefined, true, true],
    ["false", "Prod", undefined, false, false],
    ["false", "dev", undefined, false, false],
    ["true", "dev", undefined, true, false],
    ["maybe", "prod", undefined, true, false],
  ])("%s on %s, %s in the stage file: production %s, refused %s", (value, stage, fromFile, production, stray) => {
    expect(lenientProduction(value, stage, fromFile)).toBe(production);
    expect(strayProductionFalse(value, stage, fromFile) !== null).toBe(stray);
  });

  it("stops a deploy when app() and run() read different stage files", () => {
    expect(protectionMismatch(true, true, "deploy")).toBeNull();
    expect(protectionMismatch(false, true, "deploy")).toMatch(/run sst from the directory of sst.config.ts/);
    expect(protectionMismatch(true, false, "diff")).not.toBeNull();
    expect(protectionMismatch(false, true, "remove")).toBeNull();
  });
});
