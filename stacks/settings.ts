/**
 * What every stack module shares: the stage's settings, the stage reference that names
 * resources, and the account, Region and partition that ARNs are built from.
 *
 * Settings are parsed when this module is first imported, i.e. at the start of `run()`
 * (sst.config.ts imports it before any other stack module). A bad setting throws a
 * {@link SettingsError} naming the variable, before any resource is declared.
 *
 * The values are `process.env` as SST made it (`.env`, the process environment and
 * `.env.<stage>`, merged in the order packages/core/src/stage-env.ts reproduces for the CLI).
 * `.env.<stage>` is read again only to learn whether SECRETWATCH_PRODUCTION came from it
 * (stacks/production.ts).
 */
import { type ResourceKind, resourceName, type StageRef, stageAlarmNames } from "../packages/core/src/naming";
import {
  DEFAULT_BLIND_SPOT_MINUTES,
  DEFAULT_DIGEST,
  DEFAULT_DIGEST_HOUR,
  DEFAULT_LEARNING_HOURS,
  DEFAULT_RETENTION_DAYS,
  parseSettings,
  SETTING_NAMES,
  type Settings,
  SettingsError,
} from "../packages/core/src/settings";
import {
  lenientProduction,
  protectionMismatch,
  readStageFile,
  stageFileProduction,
  strayProductionFalse,
} from "./production";

/**
 * Settings that never throw, for `sst remove`: removing a stage must work even when its
 * `.env.<stage>` is gone or was edited into an invalid state.
 * A stray false never unprotects a production-named stage here either.
 */
export function lenientSettings(
  env: Readonly<Record<string, string | undefined>>,
  stage: string,
  fromStageFile?: string,
): Settings {
  const production = lenientProduction(env[SETTING_NAMES.production], stage, fromStageFile);
  try {
    return { ...parseSettings(env, stage), production };
  } catch {
    return {
      alertEmails: [],
      pagerEmails: [],
      production,
      existingLogGroup: env[SETTING_NAMES.existingLogGroup]?.trim() || null,
      demoSecret: false,
      retentionDays: DEFAULT_RETENTION_DAYS,
      blindSpotMinutes: DEFAULT_BLIND_SPOT_MINUTES,
      digest: DEFAULT_DIGEST,
      digestHour: DEFAULT_DIGEST_HOUR,
      learningHours: DEFAULT_LEARNING_HOURS,
    };
  }
}

/**
 * Validated settings for deploy/diff/dev; lenient ones for remove. `fromStageFile` is
 * SECRETWATCH_PRODUCTION as `.env.<stage>` sets it: a production-named stage made
 * non-production by any other source is refused.
 */
export function loadSettings(
  env: Readonly<Record<string, string | undefined>>,
  stage: string,
  command: string,
  fromStageFile?: string,
): Settings {
  if (command === "remove") return lenientSettings(env, stage, fromStageFile);
  const settings = parseSettings(env, stage);
  const stray = strayProductionFalse(env[SETTING_NAMES.production], stage, fromStageFile);
  if (stray !== null) throw new SettingsError(stray, SETTING_NAMES.production);
  return settings;
}

export const stageRef: StageRef = { app: $app.name, stage: $app.stage };

const fromStageFile = stageFileProduction(readStageFile($cli.paths.root, $app.stage));

export const settings: Settings = loadSettings(process.env, $app.stage, $cli.command, fromStageFile);
const mismatch = protectionMismatch(settings.production, $app.protect, $cli.command);
if (mismatch !== null) throw new SettingsError(mismatch, SETTING_NAMES.production);

/** Production stages retain evidence (trail bucket, log group) and are protected. */
export const production = settings.production;

/** Physical name of a resource of this stage (see packages/core/src/naming.ts). */
export function nameOf(kind: ResourceKind, maxLength?: number): string {
  return resourceName(stageRef, kind, maxLength);
}

/** The names of this stage's alarms: the only ones the topic policies let CloudWatch publish for. */
export const alarmNames: string[] = stageAlarmNames(stageRef);

/** The deploying account, Region and partition (`aws`, `aws-cn`, `aws-us-gov`). */
export const accountId = aws.getCallerIdentityOutput().accountId;
export const region = aws.getRegionOutput().region;
export const partition = aws.getPartitionOutput().partition;
