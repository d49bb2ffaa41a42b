/**
 * A stage's settings the way SST 4.17.1 hands them to sst.config.ts: the one merge rule, for
 * the CLI (which reads the files itself) and for the stacks (which learn from it where a value
 * came from). Pure: the caller reads the files and passes their text.
 *
 * What SST 4.17.1 does, observed with its own binary (tests/stacks/sst-env-order.test.ts runs
 * `sst` on an sst.config.ts whose `app()` reports what it sees):
 *
 * 1. `.env` in the current directory is loaded first and does NOT override: a variable already
 *    in the process environment (even set to "") keeps its value;
 * 2. `.env.<stage>`, beside sst.config.ts, is loaded next and DOES override, both `.env` and the
 *    process environment.
 *
 * So the stage file wins, then the process environment, then `.env`. SST's CLI is Go; its
 * binary's build info lists github.com/joho/godotenv v1.5.1, whose `Load` keeps variables that
 * are set and whose `Overload` replaces them. SST's source of October 2024 (sst/sst
 * cmd/sst/cli/cli.go, `Cli.New` and `Cli.Stage`) still called `Load` for both files, so `.env`
 * won there; 4.17.1 does not behave so. run() sees what app() saw: SST starts the program with
 * its own environment (pkg/project/stack.go copies `os.Environ()`).
 *
 * One difference remains: godotenv expands `$VAR` and `${VAR}` in values, `node:util`'s
 * `parseEnv` does not. No secretwatch setting needs a `$`.
 *
 * @see https://github.com/joho/godotenv#usage
 * @see https://nodejs.org/api/util.html#utilparseenvcontent
 */
import { parseEnv } from "node:util";

/** Where a variable's value came from. */
export type EnvSource = "stage-file" | "process" | "dotenv";

/** The text of the env files (absent: no such file). */
export interface EnvFiles {
  /** `.env` */
  dotenv?: string | undefined;
  /** `.env.<stage>` */
  stageFile?: string | undefined;
}

export interface StageEnv {
  /** Every variable, as sst.config.ts sees it. */
  env: Record<string, string>;
  /** Where each variable of `env` came from. */
  source: Record<string, EnvSource>;
}

/** The shared file, loaded for every stage. */
export const DOTENV_FILE = ".env";

/** The stage's own file. */
export function stageEnvFile(stage: string): string {
  return `.env.${stage}`;
}

/** Merges the files and the process environment in SST 4.17.1's order (see the module comment). */
export function mergeStageEnv(files: EnvFiles, processEnv: Readonly<Record<string, string | undefined>>): StageEnv {
  const env: Record<string, string> = {};
  const source: Record<string, EnvSource> = {};
  const layer = (values: Readonly<Record<string, string | undefined>>, from: EnvSource) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      env[name] = value;
      source[name] = from;
    }
  };
  // Lowest first: each layer overrides the ones before it.
  if (files.dotenv !== undefined) layer(parseEnv(files.dotenv), "dotenv");
  layer(processEnv, "process");
  if (files.stageFile !== undefined) layer(parseEnv(files.stageFile), "stage-file");
  return { env, source };
}
