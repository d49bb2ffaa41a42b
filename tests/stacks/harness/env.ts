/**
 * The settings a scenario deploys with. SST loads `.env.<stage>` into `process.env` before
 * `run()`; here a scenario states its settings explicitly and every other SECRETWATCH_*
 * variable is cleared, so the developer's own environment cannot leak into a test.
 */
import { POLICY_FILE_SETTING } from "../../../packages/core/src/policy-schema";
import { SETTING_NAMES } from "../../../packages/core/src/settings";

export type SettingsEnv = Partial<Record<keyof typeof SETTING_NAMES, string>>;

/** A working minimal setup: two recipients, everything else default. */
export const DEFAULT_ENV: SettingsEnv = { alertEmails: "security@example.com, oncall@example.org" };

/**
 * Replaces every SECRETWATCH_* setting in `process.env` with `env` (by setting key), and
 * SECRETWATCH_POLICY_FILE with `policyFile` (unset when not given).
 */
export function applySettingsEnv(env: SettingsEnv, policyFile?: string): void {
  for (const name of Object.values(SETTING_NAMES)) delete process.env[name];
  delete process.env[POLICY_FILE_SETTING];
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) process.env[SETTING_NAMES[key as keyof typeof SETTING_NAMES]] = value;
  }
  if (policyFile !== undefined) process.env[POLICY_FILE_SETTING] = policyFile;
}
