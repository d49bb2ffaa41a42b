/**
 * What every stack module shares: the stage's settings, the stage reference that names
 * resources, and the account, Region and partition that ARNs are built from.
 *
 * Settings are parsed when this module is first imported, i.e. at the start of `run()`
 * (sst.config.ts imports it before any other stack module). A bad setting throws a
 * {@link SettingsError} naming the variable, before any resource is declared.
 */
import { type ResourceKind, resourceName, type StageRef, stagePrefix } from "../packages/core/src/naming";
import {
  DEFAULT_BLIND_SPOT_MINUTES,
  DEFAULT_RETENTION_DAYS,
  parseSettings,
  SETTING_NAMES,
  type Settings,
} from "../packages/core/src/settings";
import { lenientProduction } from "./production";

/**
 * Settings that never throw, for `sst remove`: removing a stage must work even when its
 * `.env.<stage>` is gone or was edited into an invalid state.
 */
export function lenientSettings(env: Readonly<Record<string, string | undefined>>, stage: string): Settings {
  try {
    return parseSettings(env, stage);
  } catch {
    return {
      alertEmails: [],
      pagerEmails: [],
      production: lenientProduction(env[SETTING_NAMES.production], stage),
      existingLogGroup: env[SETTING_NAMES.existingLogGroup]?.trim() || null,
      demoSecret: false,
      retentionDays: DEFAULT_RETENTION_DAYS,
      blindSpotMinutes: DEFAULT_BLIND_SPOT_MINUTES,
    };
  }
}

/** Validated settings for deploy/diff/dev; lenient ones for remove. */
export function loadSettings(
  env: Readonly<Record<string, string | undefined>>,
  stage: string,
  command: string,
): Settings {
  return command === "remove" ? lenientSettings(env, stage) : parseSettings(env, stage);
}

export const stageRef: StageRef = { app: $app.name, stage: $app.stage };

export const settings: Settings = loadSettings(process.env, $app.stage, $cli.command);

/** Production stages retain evidence (trail bucket, log group) and are protected. */
export const production = settings.production;

/** Physical name of a resource of this stage (see packages/core/src/naming.ts). */
export function nameOf(kind: ResourceKind, maxLength?: number): string {
  return resourceName(stageRef, kind, maxLength);
}

/** `<app>-<stage>-`: the topic policy lets CloudWatch publish for alarms whose name starts with it. */
export const namePrefix: string = stagePrefix(stageRef);

/** The deploying account, Region and partition (`aws`, `aws-cn`, `aws-us-gov`). */
export const accountId = aws.getCallerIdentityOutput().accountId;
export const region = aws.getRegionOutput().region;
export const partition = aws.getPartitionOutput().partition;
