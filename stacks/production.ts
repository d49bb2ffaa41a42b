/**
 * Whether a stage is production, without validation: `app()` needs it and must never throw.
 * Pure (no SST globals), so sst.config.ts can import it at the top level.
 */
import { isProductionStageName } from "../packages/core/src/settings";

const FALSE = ["0", "false", "no", "off"];

/**
 * An explicit SECRETWATCH_PRODUCTION wins; an unreadable value counts as production (retain
 * and protect: the safe side; `run()` then reports the bad value); otherwise the stage name
 * (`production`, `prod`) decides.
 */
export function lenientProduction(value: string | undefined, stage: string): boolean {
  const v = value?.trim().toLowerCase() ?? "";
  if (v === "") return isProductionStageName(stage);
  return !FALSE.includes(v);
}
