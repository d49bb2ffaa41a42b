import { describe, expect, it } from "vitest";
import { parseSettings, SETTING_NAMES, SettingsError } from "../../packages/core/src/settings.js";

const emails = { [SETTING_NAMES.alertEmails]: "sec@example.com, ops@example.org" };

function settingError(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("expected a SettingsError");
}

describe("parseSettings", () => {
  it("applies the defaults a security engineer expects", () => {
    expect(parseSettings(emails, "dev")).toEqual({
      alertEmails: ["sec@example.com", "ops@example.org"],
      pagerEmails: [],
      production: false,
      existingLogGroup: null,
      demoSecret: false,
      retentionDays: 365,
      blindSpotMinutes: 60,
      digest: "daily",
      digestHour: 8,
      learningHours: 24,
    });
  });

  it.each([
    ["prod", true],
    ["production", true],
    ["Prod", false],
    ["staging", false],
  ])("stage %s is production by default: %s", (stage, production) => {
    expect(parseSettings(emails, stage).production).toBe(production);
  });

  it("lets the setting override the stage name", () => {
    expect(parseSettings({ ...emails, [SETTING_NAMES.production]: "true" }, "live").production).toBe(true);
    expect(parseSettings({ ...emails, [SETTING_NAMES.production]: "false" }, "prod").production).toBe(false);
  });

  it.each([
    [{}, SETTING_NAMES.alertEmails, /is required/],
    [{ [SETTING_NAMES.alertEmails]: "not-an-address" }, SETTING_NAMES.alertEmails, /invalid address/],
    [{ ...emails, [SETTING_NAMES.retentionDays]: "100" }, SETTING_NAMES.retentionDays, /must be one of/],
    [{ ...emails, [SETTING_NAMES.retentionDays]: "abc" }, SETTING_NAMES.retentionDays, /whole number/],
    [{ ...emails, [SETTING_NAMES.production]: "maybe" }, SETTING_NAMES.production, /true or false/],
    [
      { ...emails, [SETTING_NAMES.existingLogGroup]: "arn:aws:logs:us-east-1:1:log-group:x" },
      SETTING_NAMES.existingLogGroup,
      /not an ARN/,
    ],
    [{ ...emails, [SETTING_NAMES.blindSpotMinutes]: "1" }, SETTING_NAMES.blindSpotMinutes, /between/],
    [{ ...emails, [SETTING_NAMES.pagerEmails]: "oncall@example.com, pager" }, SETTING_NAMES.pagerEmails, /"pager"/],
    [{ ...emails, [SETTING_NAMES.digest]: "weekly" }, SETTING_NAMES.digest, /daily, hourly or off, got "weekly"/],
    [{ ...emails, [SETTING_NAMES.digestHour]: "24" }, SETTING_NAMES.digestHour, /from 0 to 23/],
    [{ ...emails, [SETTING_NAMES.digestHour]: "8am" }, SETTING_NAMES.digestHour, /whole number/],
    [{ ...emails, [SETTING_NAMES.learningHours]: "721" }, SETTING_NAMES.learningHours, /between 0 and 720/],
    [{ ...emails, [SETTING_NAMES.learningHours]: "-1" }, SETTING_NAMES.learningHours, /whole number/],
  ])("rejects %o naming %s", (env, setting, message) => {
    const error = settingError(() => parseSettings(env, "dev"));
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
    expect(error.message).toMatch(message);
  });

  it("refuses the demo secret in production", () => {
    const error = settingError(() => parseSettings({ ...emails, [SETTING_NAMES.demoSecret]: "true" }, "prod"));
    expect(error.setting).toBe(SETTING_NAMES.demoSecret);
    expect(parseSettings({ ...emails, [SETTING_NAMES.demoSecret]: "true" }, "dev").demoSecret).toBe(true);
  });

  it("reads optional pager addresses like the alert addresses", () => {
    const pager = (value: string) =>
      parseSettings({ ...emails, [SETTING_NAMES.pagerEmails]: value }, "dev").pagerEmails;
    expect(pager("oncall@example.com; night@example.org\tlead@example.net")).toEqual([
      "oncall@example.com",
      "night@example.org",
      "lead@example.net",
    ]);
    expect(pager("  ")).toEqual([]);
    // Pager addresses never stand in for the required alert addresses.
    const error = settingError(() => parseSettings({ [SETTING_NAMES.pagerEmails]: "oncall@example.com" }, "dev"));
    expect(error.setting).toBe(SETTING_NAMES.alertEmails);
  });

  it("accepts a bring-your-own log group name", () => {
    const s = parseSettings({ ...emails, [SETTING_NAMES.existingLogGroup]: "aws-cloudtrail-logs-123/org" }, "dev");
    expect(s.existingLogGroup).toBe("aws-cloudtrail-logs-123/org");
  });

  it("reads the digest's schedule and the learning period", () => {
    const with_ = (env: Record<string, string>) => parseSettings({ ...emails, ...env }, "dev");
    expect(with_({ [SETTING_NAMES.digest]: " Hourly " }).digest).toBe("hourly");
    expect(with_({ [SETTING_NAMES.digest]: "OFF" }).digest).toBe("off");
    expect(with_({ [SETTING_NAMES.digest]: "" }).digest).toBe("daily");
    expect(with_({ [SETTING_NAMES.digestHour]: "0" }).digestHour).toBe(0);
    expect(with_({ [SETTING_NAMES.digestHour]: "23" }).digestHour).toBe(23);
    expect(with_({ [SETTING_NAMES.learningHours]: "0" }).learningHours).toBe(0);
    expect(with_({ [SETTING_NAMES.learningHours]: "720" }).learningHours).toBe(720);
  });
});
