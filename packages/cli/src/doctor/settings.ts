/**
 * The stage's settings as doctor checks them: `.env` and `.env.<stage>` of the repository the
 * stage is deployed from (the nearest sst.config.ts above the current directory, else the
 * checkout this CLI belongs to), or the file `--env-file` names, merged in SST's order
 * (packages/core/src/stage-env.ts). Doctor says which files it read, and warns when it found
 * no stage file: then it checks the stage's own log group, by default, and says so.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  DOTENV_FILE,
  logGroupName,
  mergeStageEnv,
  SETTING_NAMES,
  type StageRef,
  stageEnvFile,
} from "@secretwatch/core";
import { UserError } from "../errors.js";
import type { Io } from "../io.js";
import { type CheckResult, pass, warn } from "./report.js";

export interface DoctorSettings {
  /** The files read, in merge order (absolute paths). */
  files: string[];
  /** No stage file was found (nor given): the defaults were checked. */
  defaulted: boolean;
  /** The stage file read (`.env.<stage>` or `--env-file`), or null. */
  stageFile: string | null;
  /** The variables `sst.config.ts` sees: the files merged over the process environment. */
  env: Record<string, string>;
  logGroupName: string;
  existingLogGroup: boolean;
  alertEmails: string[];
  pagerEmails: string[];
  opsEmails: string[];
  /** SECRETWATCH_ALARM_EMAILS (default true). */
  alarmEmails: boolean;
}

/** The directory at or above `start` holding an sst.config.ts, if any. */
export function findRepository(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "sst.config.ts"))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The checkout this CLI's source lives in (packages/cli/src/doctor -> the root). */
function ownRepository(): string | undefined {
  try {
    return findRepository(path.dirname(fileURLToPath(import.meta.url)));
  } catch {
    return undefined;
  }
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : undefined);

function emails(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[,;\s]+/)
    .map((e) => e.trim())
    .filter(Boolean);
}

function bool(value: string | undefined, fallback: boolean): boolean {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === "") return fallback;
  return !["0", "false", "no", "off"].includes(v);
}

/** Reads the settings of `ref.stage`; throws a UserError when `--env-file` names no file. */
export function readDoctorSettings(io: Io, ref: StageRef, envFile?: string): DoctorSettings {
  // As SST: `.env` from the current directory, `.env.<stage>` beside sst.config.ts. Outside any
  // repository, both from the checkout this CLI belongs to.
  const here = findRepository(io.cwd);
  const root = here ?? ownRepository() ?? io.cwd;
  const dotenvPath = path.join(here ? io.cwd : root, DOTENV_FILE);
  const stagePath = envFile ? path.resolve(io.cwd, envFile) : path.join(root, stageEnvFile(ref.stage));
  const stageText = read(stagePath);
  if (envFile && stageText === undefined) throw new UserError(`--env-file ${envFile}: no such file (${stagePath})`);
  const dotenvText = read(dotenvPath);
  const { env } = mergeStageEnv({ dotenv: dotenvText, stageFile: stageText }, io.env);
  const existing = env[SETTING_NAMES.existingLogGroup]?.trim() || null;
  return {
    files: [...(dotenvText !== undefined ? [dotenvPath] : []), ...(stageText !== undefined ? [stagePath] : [])],
    defaulted: stageText === undefined,
    stageFile: stageText === undefined ? null : stagePath,
    env,
    logGroupName: existing ?? logGroupName(ref),
    existingLogGroup: existing !== null,
    alertEmails: emails(env[SETTING_NAMES.alertEmails]),
    pagerEmails: emails(env[SETTING_NAMES.pagerEmails]),
    opsEmails: emails(env[SETTING_NAMES.opsEmails]),
    alarmEmails: bool(env[SETTING_NAMES.alarmEmails], true),
  };
}

/** The report's first line: which files were read, or that none was and what that means. */
export function checkSettingsSource(settings: DoctorSettings, stage: string): CheckResult {
  const group = `${settings.existingLogGroup ? "existing " : ""}log group ${settings.logGroupName}`;
  if (!settings.defaulted) return pass("settings", `settings read from ${settings.files.join(" and ")} (${group})`);
  const read = settings.files.length > 0 ? `read only ${settings.files.join(", ")}` : "read no settings file";
  return warn(
    "settings",
    `no ${stageEnvFile(stage)} found: ${read}, so doctor checks the default ${group} and cannot compare the subscriptions with the configured addresses`,
    `run doctor inside the repository the stage is deployed from, or pass --env-file <path to ${stageEnvFile(stage)}>`,
  );
}
