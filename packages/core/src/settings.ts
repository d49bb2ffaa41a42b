/**
 * Per-stage settings, parsed from an environment record (SST loads `.env` and
 * `.env.<stage>` into `process.env` before `run()`). Pure: the caller passes the record.
 */

// The order in which SST merges `.env`, `.env.<stage>` and the process environment.
export * from "./stage-env.js";

export interface Settings {
  /** Email addresses subscribed to the alert topic. */
  alertEmails: string[];
  /**
   * Email addresses paged: alerts at or above the policy's `page` severity, and every alarm of
   * the stage. Optional (empty: no pager).
   */
  pagerEmails: string[];
  /** Production stages retain the trail bucket and log group and are protected. */
  production: boolean;
  /** Name of an existing log group that already receives CloudTrail; no trail is created then. */
  existingLogGroup: string | null;
  /** Create the demo secret `TopSecretInfo` (never in production). */
  demoSecret: boolean;
  /** Retention of the log group and the trail bucket's objects. */
  retentionDays: number;
  /** Minutes of zero incoming log events before the blind-spot alarm fires. */
  blindSpotMinutes: number;
  /** How often the digest is emailed: `off` only when the policy's notify is `info` (stacks/digest.ts). */
  digest: DigestSetting;
  /** The UTC hour of the daily digest. */
  digestHour: number;
  /** Hours after the stage's first deploy during which a first-seen read alone is recorded, not emailed. */
  learningHours: number;
}

export type DigestSetting = "daily" | "hourly" | "off";
export const DIGEST_SETTINGS: readonly DigestSetting[] = ["daily", "hourly", "off"];

/** Environment variable names, in one place for the README and `.env.example`. */
export const SETTING_NAMES = {
  alertEmails: "SECRETWATCH_ALERT_EMAILS",
  pagerEmails: "SECRETWATCH_PAGER_EMAILS",
  production: "SECRETWATCH_PRODUCTION",
  existingLogGroup: "SECRETWATCH_EXISTING_LOG_GROUP",
  demoSecret: "SECRETWATCH_DEMO_SECRET",
  retentionDays: "SECRETWATCH_RETENTION_DAYS",
  blindSpotMinutes: "SECRETWATCH_BLIND_SPOT_MINUTES",
  digest: "SECRETWATCH_DIGEST",
  digestHour: "SECRETWATCH_DIGEST_HOUR",
  learningHours: "SECRETWATCH_LEARNING_HOURS",
  /** `false`: the secret-access alarm keeps its metric and state but emails nobody (see parseAlarmSettings). */
  alarmEmails: "SECRETWATCH_ALARM_EMAILS",
  /** Addresses that also receive every self-monitoring alarm, through a second topic (see parseAlarmSettings). */
  opsEmails: "SECRETWATCH_OPS_EMAILS",
  /** `secretwatch history` on Athena (see parseHistorySettings). */
  history: "SECRETWATCH_HISTORY",
  historyBucket: "SECRETWATCH_HISTORY_BUCKET",
  historyPrefix: "SECRETWATCH_HISTORY_PREFIX",
  historyMaxScanGb: "SECRETWATCH_HISTORY_MAX_SCAN_GB",
} as const;

/** Days CloudWatch Logs accepts as a retention period. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const DEFAULT_RETENTION_DAYS = 365;
export const DEFAULT_BLIND_SPOT_MINUTES = 60;
export const DEFAULT_DIGEST: DigestSetting = "daily";
export const DEFAULT_DIGEST_HOUR = 8;
export const DEFAULT_LEARNING_HOURS = 24;
/** 30 days: the longest learning period accepted. */
export const MAX_LEARNING_HOURS = 720;

/** A setting is missing or invalid; the message names it. */
export class SettingsError extends Error {
  override name = "SettingsError";
  constructor(
    message: string,
    readonly setting: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
// Log group names: 1-512 chars of [\.\-_/#A-Za-z0-9].
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;

function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === "") return fallback;
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new SettingsError(`${name} must be true or false, got "${value}"`, name);
}

function parseInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  if (!/^\d+$/.test(value.trim())) throw new SettingsError(`${name} must be a whole number, got "${value}"`, name);
  return Number(value.trim());
}

/** Stages named `production` or `prod` are production unless the setting says otherwise. */
export function isProductionStageName(stage: string): boolean {
  return stage === "production" || stage === "prod";
}

/** The addresses once each, compared case-insensitively (the last spelling kept): SNS keeps one subscription per topic and address. */
export function uniqueEmails(emails: readonly string[]): string[] {
  return [...new Map(emails.map((e) => [e.toLowerCase(), e])).values()];
}

/** A comma-, semicolon- or space-separated list of addresses; throws naming `name` on a bad one. */
function parseEmails(name: string, value: string | undefined): string[] {
  const emails = (value ?? "")
    .split(/[,;\s]+/)
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = emails.find((e) => !EMAIL.test(e));
  if (bad !== undefined) throw new SettingsError(`${name} has an invalid address: "${bad}"`, name);
  return emails;
}

/**
 * Parses and validates the settings of `stage`. Throws {@link SettingsError} naming the
 * first bad setting.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export function parseSettings(env: Readonly<Record<string, string | undefined>>, stage: string): Settings {
  const n = SETTING_NAMES;
  const emails = parseEmails(n.alertEmails, env[n.alertEmails]);
  if (emails.length === 0) {
    throw new SettingsError(
      `${n.alertEmails} is required: a comma-separated list of addresses that receive the alerts (set it in .env.${stage})`,
      n.alertEmails,
    );
  }
  const pagerEmails = parseEmails(n.pagerEmails, env[n.pagerEmails]);

  const production = parseBoolean(n.production, env[n.production], isProductionStageName(stage));

  const existing = env[n.existingLogGroup]?.trim() || null;
  if (existing !== null && !LOG_GROUP.test(existing)) {
    throw new SettingsError(
      `${n.existingLogGroup} must be a log group name (not an ARN) in this account and Region, got "${existing}"`,
      n.existingLogGroup,
    );
  }

  const demoSecret = parseBoolean(n.demoSecret, env[n.demoSecret], false);
  if (demoSecret && production) {
    throw new SettingsError(`${n.demoSecret} is refused on a production stage ("${stage}")`, n.demoSecret);
  }

  const retentionDays = parseInteger(n.retentionDays, env[n.retentionDays], DEFAULT_RETENTION_DAYS);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retentionDays)) {
    throw new SettingsError(
      `${n.retentionDays} must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention values), got ${retentionDays}`,
      n.retentionDays,
    );
  }

  const blindSpotMinutes = parseInteger(n.blindSpotMinutes, env[n.blindSpotMinutes], DEFAULT_BLIND_SPOT_MINUTES);
  if (blindSpotMinutes < 5 || blindSpotMinutes > 1440) {
    throw new SettingsError(
      `${n.blindSpotMinutes} must be between 5 and 1440, got ${blindSpotMinutes}`,
      n.blindSpotMinutes,
    );
  }

  const digestText = env[n.digest]?.trim().toLowerCase() || DEFAULT_DIGEST;
  const digest = DIGEST_SETTINGS.find((d) => d === digestText);
  if (digest === undefined) {
    throw new SettingsError(`${n.digest} must be daily, hourly or off, got "${env[n.digest]}"`, n.digest);
  }
  const digestHour = parseInteger(n.digestHour, env[n.digestHour], DEFAULT_DIGEST_HOUR);
  if (digestHour > 23) {
    throw new SettingsError(`${n.digestHour} must be an hour from 0 to 23 (UTC), got ${digestHour}`, n.digestHour);
  }
  const learningHours = parseInteger(n.learningHours, env[n.learningHours], DEFAULT_LEARNING_HOURS);
  if (learningHours > MAX_LEARNING_HOURS) {
    throw new SettingsError(
      `${n.learningHours} must be between 0 and ${MAX_LEARNING_HOURS}, got ${learningHours}`,
      n.learningHours,
    );
  }

  return {
    alertEmails: emails,
    pagerEmails,
    production,
    existingLogGroup: existing,
    demoSecret,
    retentionDays,
    blindSpotMinutes,
    digest,
    digestHour,
    learningHours,
  };
}

/** Who the stage's alarms email (kept apart from {@link Settings} until the lead folds them in). */
export interface AlarmSettings {
  /** The secret-access alarm emails its topic (default true); false for accounts where reads are routine. */
  alarmEmails: boolean;
  /** Addresses of the ops topic that also receives every self-monitoring alarm (empty: no ops topic). */
  opsEmails: string[];
}

/** Parses SECRETWATCH_ALARM_EMAILS and SECRETWATCH_OPS_EMAILS; throws {@link SettingsError} naming a bad one. */
export function parseAlarmSettings(env: Readonly<Record<string, string | undefined>>): AlarmSettings {
  const n = SETTING_NAMES;
  return {
    alarmEmails: parseBoolean(n.alarmEmails, env[n.alarmEmails], true),
    opsEmails: parseEmails(n.opsEmails, env[n.opsEmails]),
  };
}

/**
 * `secretwatch history` on Athena (stacks/history.ts). Parsed apart from {@link Settings}: the
 * stage's other settings never depend on it.
 */
export interface HistorySettings {
  /** SECRETWATCH_HISTORY: null when unset (on wherever there is a trail bucket to read). */
  enabled: boolean | null;
  /** SECRETWATCH_HISTORY_BUCKET: an existing CloudTrail bucket to read instead of the stage's own. */
  bucket: string | null;
  /** SECRETWATCH_HISTORY_PREFIX: the key prefix before `<account>/CloudTrail/` (`AWSLogs`, `AWSLogs/o-abc123`). */
  prefix: string;
  /** SECRETWATCH_HISTORY_MAX_SCAN_GB: a query stops after scanning this many GB (10^9 bytes). */
  maxScanGb: number;
}

export const DEFAULT_HISTORY_PREFIX = "AWSLogs";
export const DEFAULT_HISTORY_MAX_SCAN_GB = 100;
/** 1 PB: a larger cutoff is no cutoff. */
export const MAX_HISTORY_MAX_SCAN_GB = 1_000_000;

// S3 bucket names: 3-63 of [a-z0-9.-], starting and ending with a letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Key prefix: path segments of letters, digits, `.`, `_`, `-` (no `..`, no leading or trailing `/`).
const PREFIX = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/**
 * Parses the history settings. Throws {@link SettingsError} naming the bad one.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html
 */
export function parseHistorySettings(env: Readonly<Record<string, string | undefined>>): HistorySettings {
  const n = SETTING_NAMES;
  const raw = env[n.history];
  const enabled = raw === undefined || raw.trim() === "" ? null : parseBoolean(n.history, raw, true);
  const bucket = env[n.historyBucket]?.trim() || null;
  if (bucket !== null && (!BUCKET.test(bucket) || bucket.includes(".."))) {
    throw new SettingsError(
      `${n.historyBucket} must be an S3 bucket name (not an ARN or URL), got "${bucket}"`,
      n.historyBucket,
    );
  }
  const rawPrefix = env[n.historyPrefix]?.trim() || null;
  if (rawPrefix !== null && bucket === null) {
    throw new SettingsError(
      `${n.historyPrefix} needs ${n.historyBucket} (the bucket the prefix is in)`,
      n.historyPrefix,
    );
  }
  const prefix = rawPrefix?.replace(/^\/+|\/+$/g, "") ?? DEFAULT_HISTORY_PREFIX;
  if (!PREFIX.test(prefix)) {
    throw new SettingsError(
      `${n.historyPrefix} must be the key prefix before <account>/CloudTrail/, like AWSLogs or AWSLogs/o-abc123def4, got "${rawPrefix}"`,
      n.historyPrefix,
    );
  }
  const maxScanGb = parseInteger(n.historyMaxScanGb, env[n.historyMaxScanGb], DEFAULT_HISTORY_MAX_SCAN_GB);
  if (maxScanGb < 1 || maxScanGb > MAX_HISTORY_MAX_SCAN_GB) {
    throw new SettingsError(
      `${n.historyMaxScanGb} must be between 1 and ${MAX_HISTORY_MAX_SCAN_GB} (GB scanned per query), got ${maxScanGb}`,
      n.historyMaxScanGb,
    );
  }
  return { enabled, bucket, prefix, maxScanGb };
}
