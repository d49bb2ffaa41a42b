/**
 * A deployed stage, as the CLI finds it: the same names `stacks/` gives its resources
 * (packages/core/src/naming.ts), and the stage's settings from `.env` / `.env.<stage>` the
 * way SST loads them (for the bring-your-own log group).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  DOTENV_FILE,
  logGroupName,
  mergeStageEnv,
  SETTING_NAMES,
  type StageRef,
  secretAccessMetricName,
  stageEnvFile,
  stageResources,
} from "@secretwatch/core";
import { type Command, Option } from "commander";
import type { Io } from "./io.js";

export const DEFAULT_APP = "secretwatch";

export interface StageOptions {
  stage: string;
  app: string;
  region?: string;
}

/** Adds `--stage` (required), `--app` and `--region` to a command. */
export function withStageOptions(command: Command): Command {
  return command
    .requiredOption("--stage <name>", "(required) the SST stage the chain was deployed with")
    .addOption(new Option("--app <name>", "the SST app name").default(DEFAULT_APP))
    .option("--region <region>", "AWS Region of the stage (default: from AWS_REGION / your AWS profile)");
}

/** The directory of the nearest sst.config.ts at or above `cwd` (where SST looks), else `cwd`. */
export function appRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "sst.config.ts"))) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

/**
 * The settings `sst deploy --stage <stage>` sees from here: `.env` in `cwd`, the process
 * environment, and `.env.<stage>` beside sst.config.ts, merged as SST 4.17.1 does (the stage
 * file wins, then the environment, then `.env`: packages/core/src/stage-env.ts).
 */
export function stageEnv(io: Io, stage: string): Record<string, string | undefined> {
  const files = {
    dotenv: readIfExists(path.join(io.cwd, DOTENV_FILE)),
    stageFile: readIfExists(path.join(appRoot(io.cwd), stageEnvFile(stage))),
  };
  return mergeStageEnv(files, io.env).env;
}

export interface StageInfo {
  ref: StageRef;
  names: ReturnType<typeof stageResources>;
  /** The log group CloudTrail writes to: the stage's own, or the one brought with SECRETWATCH_EXISTING_LOG_GROUP. */
  logGroupName: string;
  existingLogGroup: boolean;
  metricName: string;
}

/** The names of a stage's resources, for commands that talk to a deployed chain. */
export function stageInfo(io: Io, options: StageOptions): StageInfo {
  const ref = { app: options.app, stage: options.stage };
  const existing = stageEnv(io, options.stage)[SETTING_NAMES.existingLogGroup]?.trim() || null;
  return {
    ref,
    names: stageResources(ref),
    logGroupName: existing ?? logGroupName(ref),
    existingLogGroup: existing !== null,
    metricName: secretAccessMetricName(ref),
  };
}
