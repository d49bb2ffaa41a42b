/**
 * Scenarios without history, and refused history settings: SECRETWATCH_HISTORY=false, a
 * bring-your-own log group without a bucket setting (no history, unless asked for, which is
 * refused), and bad values of the history settings.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SETTING_NAMES } from "../../packages/core/src/settings";
import type { SettingsEnv } from "./harness/env";
import { recorded } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

// Stack modules declare resources (or throw) when first imported: fresh modules for each run.
beforeEach(() => {
  vi.resetModules();
});

const BYO = "aws-cloudtrail-logs-111122223333-abcd1234";
const isHistory = (type: string) => type.startsWith("aws:glue/") || type.startsWith("aws:athena/");

async function declared(env: SettingsEnv) {
  const before = recorded.length;
  const result = await runApp({ stage: "dev", env: { alertEmails: "security@example.com", ...env } });
  return {
    outputs: result.outputs,
    history: recorded.slice(before).filter((r) => isHistory(r.type) || /^History/.test(r.name)),
  };
}

async function refused(env: SettingsEnv) {
  return runApp({ stage: "dev", env: { alertEmails: "security@example.com", ...env } }).then(
    () => expect.fail("the deploy should have been refused"),
    (e: unknown) => e as Error & { setting?: string },
  );
}

/** sst.config.ts's output when the stage has no history. */
const NO_HISTORY = "none (no trail bucket, or SECRETWATCH_HISTORY=false)";

describe("no history", () => {
  it("with SECRETWATCH_HISTORY=false, even with a trail bucket", async () => {
    const { outputs, history } = await declared({ history: "false" });
    expect(history).toEqual([]);
    expect(outputs.historyWorkgroup).toBe(NO_HISTORY);
    // The trail is still there: history is the only thing turned off.
    expect(recorded.some((r) => r.name === "TrailBucketBucket")).toBe(true);
  });

  it("for a bring-your-own log group without a bucket setting", async () => {
    const { outputs, history } = await declared({ existingLogGroup: BYO });
    expect(history).toEqual([]);
    expect(outputs.historyWorkgroup).toBe(NO_HISTORY);
  });

  it("is what the default gives with a trail bucket: on", async () => {
    const { outputs, history } = await declared({});
    expect(outputs.historyWorkgroup).toBe("secretwatch-dev-history");
    expect(history.map((r) => r.name)).toEqual(expect.arrayContaining(["HistoryTable", "HistoryWorkgroup"]));
  });
});

describe("refused history settings", () => {
  it("SECRETWATCH_HISTORY=true with a bring-your-own log group and no bucket", async () => {
    const error = await refused({ existingLogGroup: BYO, history: "true" });
    expect(error.name).toBe("SettingsError");
    expect(error.setting).toBe(SETTING_NAMES.history);
    expect(error.message).toContain(SETTING_NAMES.historyBucket);
  });

  it.each([
    [{ historyPrefix: "AWSLogs/o-abc" }, SETTING_NAMES.historyPrefix, /needs SECRETWATCH_HISTORY_BUCKET/],
    [{ historyBucket: "s3://my-bucket" }, SETTING_NAMES.historyBucket, /S3 bucket name/],
    [{ historyBucket: "Upper" }, SETTING_NAMES.historyBucket, /S3 bucket name/],
    [{ historyBucket: "logs", historyPrefix: "AWSLogs/../x" }, SETTING_NAMES.historyPrefix, /key prefix/],
    [{ historyBucket: "logs", historyPrefix: `AWSLogs/${"$"}{account}` }, SETTING_NAMES.historyPrefix, /key prefix/],
    [{ historyMaxScanGb: "0" }, SETTING_NAMES.historyMaxScanGb, /between 1 and/],
    [{ historyMaxScanGb: "1.5" }, SETTING_NAMES.historyMaxScanGb, /whole number/],
    [{ history: "maybe" }, SETTING_NAMES.history, /true or false/],
  ] as [SettingsEnv, string, RegExp][])("%o", async (env, setting, message) => {
    const error = await refused(env);
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(message);
  });
});

describe("sst remove", () => {
  it("never stops on a bad history setting", async () => {
    await expect(
      runApp({
        stage: "dev",
        command: "remove",
        env: { alertEmails: "security@example.com", historyBucket: "Bad Name" },
      }),
    ).resolves.toBeDefined();
  });
});
