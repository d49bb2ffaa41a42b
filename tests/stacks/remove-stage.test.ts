/**
 * Scenario: `sst remove` of a stage whose settings are gone (no `.env.<stage>` any more).
 * Removal must not be blocked by validation: run() falls back to lenient defaults.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BLIND_SPOT_MINUTES, DEFAULT_RETENTION_DAYS, SETTING_NAMES } from "../../packages/core/src/settings";
import { named, ofType, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";

let result: RunResult;
beforeAll(async () => {
  result = await runApp({ stage: "dev", command: "remove", env: {} });
});

describe("sst remove", () => {
  it("runs the program without settings", () => {
    expect(result.outputs).toMatchObject({ stage: "dev", production: false, alertEmails: "" });
    expect(ofType(T.trail)).toHaveLength(1);
    expect(ofType(T.subscription)).toEqual([]);
  });

  it("uses the default retention and blind-spot window", () => {
    expect(named("TrailLogGroup").inputs.retentionInDays).toBe(DEFAULT_RETENTION_DAYS);
    expect(named("BlindSpotAlarm").inputs.period).toBe(DEFAULT_BLIND_SPOT_MINUTES * 60);
  });
});

describe("loadSettings", () => {
  const load = async () => (await import("../../stacks/settings")).loadSettings;
  const bad = { [SETTING_NAMES.alertEmails]: "", [SETTING_NAMES.retentionDays]: "10" };

  it("validates for every command but remove", async () => {
    const loadSettings = await load();
    for (const command of ["deploy", "diff", "dev", "refresh"]) {
      expect(() => loadSettings(bad, "dev", command), command).toThrow(/SECRETWATCH_ALERT_EMAILS/);
    }
    expect(() => loadSettings(bad, "dev", "remove")).not.toThrow();
  });

  it("keeps what it can read on remove: valid settings as they are, the log group, production", async () => {
    const loadSettings = await load();
    const valid = { [SETTING_NAMES.alertEmails]: "a@example.com", [SETTING_NAMES.retentionDays]: "30" };
    expect(loadSettings(valid, "dev", "remove")).toMatchObject({ alertEmails: ["a@example.com"], retentionDays: 30 });
    const byo = { ...bad, [SETTING_NAMES.existingLogGroup]: "my-trail-group" };
    expect(loadSettings(byo, "dev", "remove")).toMatchObject({ existingLogGroup: "my-trail-group", demoSecret: false });
    expect(loadSettings(bad, "prod", "remove").production).toBe(true);
    expect(loadSettings({ ...bad, [SETTING_NAMES.production]: "maybe" }, "dev", "remove").production).toBe(true);
    expect(loadSettings(bad, "dev", "remove").production).toBe(false);
  });
});
