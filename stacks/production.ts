/**
 * Whether a stage is production, and who may say it is not. `app()` needs the answer and must
 * never throw; `run()` refuses what `app()` could only play safe with. No SST globals, so
 * sst.config.ts can import it inside `app()`.
 *
 * A stage named `prod` or `production` is production unless SECRETWATCH_PRODUCTION says
 * otherwise, and only its own `.env.<stage>` may say so. `.env` is shared by every stage and
 * the process environment outlives the command it was meant for (an `export` in a shell, a CI
 * variable): a `SECRETWATCH_PRODUCTION=false` from either one would quietly drop the stage's
 * retention and protection. So such a value is refused at deploy (`run()`), and until then
 * `app()` keeps the stage retained and protected. Refusing, not warning: a warning scrolls by
 * while `sst remove` goes on to delete the evidence.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { isProductionStageName, SETTING_NAMES } from "../packages/core/src/settings";
import { mergeStageEnv, stageEnvFile } from "../packages/core/src/stage-env";

const FALSE = ["0", "false", "no", "off"];

const normal = (value: string | undefined) => value?.trim().toLowerCase() ?? "";
const isFalse = (value: string | undefined) => FALSE.includes(normal(value));

/** The text of `.env.<stage>` in `dir`, or undefined when it is absent or unreadable. Never throws. */
export function readStageFile(dir: string, stage: string): string | undefined {
  try {
    return readFileSync(path.join(dir, stageEnvFile(stage)), "utf8");
  } catch {
    return undefined;
  }
}

/** SECRETWATCH_PRODUCTION as `.env.<stage>` itself sets it (undefined when it does not). */
export function stageFileProduction(stageFileText: string | undefined): string | undefined {
  const { env, source } = mergeStageEnv({ stageFile: stageFileText }, {});
  return source[SETTING_NAMES.production] === "stage-file" ? env[SETTING_NAMES.production] : undefined;
}

/**
 * Why `value` may not turn `stage` into a non-production stage, or null when it may: a stage
 * named `prod` or `production` is made non-production only by its own `.env.<stage>`.
 */
export function strayProductionFalse(
  value: string | undefined,
  stage: string,
  fromStageFile: string | undefined,
): string | null {
  if (!isProductionStageName(stage) || !isFalse(value) || isFalse(fromStageFile)) return null;
  const name = SETTING_NAMES.production;
  const file = stageEnvFile(stage);
  return (
    `${name}=${value?.trim()} would drop the retention and protection of the production stage "${stage}", ` +
    `but it does not come from ${file}: it comes from .env or the process environment, which every stage shares. ` +
    `Nothing was deployed. Remove the stray value, or set ${name}=false in ${file} if "${stage}" is meant not to be production.`
  );
}

/**
 * Production or not, without validation and without throwing. An explicit SECRETWATCH_PRODUCTION
 * decides, except a stray false for a production-named stage (see {@link strayProductionFalse});
 * an unreadable value counts as production (retain and protect: the safe side; `run()` then
 * reports it); otherwise the stage name (`production`, `prod`) decides.
 */
export function lenientProduction(value: string | undefined, stage: string, fromStageFile?: string): boolean {
  const v = normal(value);
  if (v === "") return isProductionStageName(stage);
  if (!FALSE.includes(v)) return true;
  return strayProductionFalse(value, stage, fromStageFile) !== null;
}

/**
 * Why `run()` must stop when `app()` decided protection otherwise, or null. `app()` reads the
 * `.env.<stage>` of the current directory, `run()` the one beside sst.config.ts (where SST reads
 * it): they differ when sst runs from another directory. Never on `sst remove`.
 */
export function protectionMismatch(production: boolean, protect: boolean, command: string): string | null {
  if (command === "remove" || production === protect) return null;
  return (
    `${SETTING_NAMES.production}: app() found this stage ${protect ? "" : "not "}protected, run() found it ` +
    `${production ? "" : "not "}production (.env.<stage> read from two directories); run sst from the directory of sst.config.ts`
  );
}
