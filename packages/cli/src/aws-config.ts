/**
 * Settings every AWS SDK client of the CLI shares, and the checks made before the first call:
 * the Region (`--region`, else `AWS_REGION`, else the profile's `region`) and that a named
 * `AWS_PROFILE` exists, each failing with one line that says what to do. Read from the shared
 * config and credentials files the way the SDKs find them, without loading the SDK.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SNS_MAX_ATTEMPTS } from "@secretwatch/functions/publish";
import { UserError } from "./errors.js";
import { EXIT } from "./exit-codes.js";

type Env = Readonly<Record<string, string | undefined>>;

export const NO_REGION = "no AWS Region: pass --region or set AWS_REGION (or a region in your AWS profile)";
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

export function awsClientConfig(region?: string): { maxAttempts: number; region?: string } {
  return { maxAttempts: SNS_MAX_ATTEMPTS, ...(region && { region }) };
}

function home(env: Env): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

/** `~/.aws/config` and `~/.aws/credentials`, or the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name. */
export function sharedFiles(env: Env): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE || path.join(home(env), ".aws", "config"),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home(env), ".aws", "credentials"),
  };
}

/**
 * The profiles of one shared file, each with its settings: `[profile name]` (and `[default]`)
 * in the config file, `[name]` in the credentials file. Other sections (`[sso-session x]`,
 * `[services x]`) are not profiles.
 */
export function parseProfiles(text: string, kind: "config" | "credentials"): Map<string, Map<string, string>> {
  const profiles = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[\s*([^\]]*?)\s*\]/.exec(line);
    if (section) {
      const name = section[1] ?? "";
      const profile = kind === "credentials" ? name : name === "default" ? name : /^profile\s+(.+)$/.exec(name)?.[1];
      current = profile === undefined ? null : (profiles.get(profile.trim()) ?? new Map());
      if (current && profile !== undefined) profiles.set(profile.trim(), current);
      continue;
    }
    const setting = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (current && setting && !/^\s/.test(raw)) current.set((setting[1] ?? "").toLowerCase(), setting[2] ?? "");
  }
  return profiles;
}

function readProfiles(file: string, kind: "config" | "credentials"): Map<string, Map<string, string>> {
  if (!existsSync(file)) return new Map();
  try {
    return parseProfiles(readFileSync(file, "utf8"), kind);
  } catch {
    return new Map();
  }
}

/** The profile the SDK uses: AWS_PROFILE, else `default`. */
export function profileName(env: Env): string {
  return env.AWS_PROFILE?.trim() || "default";
}

/**
 * Throws when `AWS_PROFILE` names a profile that neither shared file has (the SDK would fail
 * later with a message that does not say so).
 */
export function checkProfile(env: Env): void {
  const name = env.AWS_PROFILE?.trim();
  if (!name) return;
  const files = sharedFiles(env);
  if (readProfiles(files.config, "config").has(name) || readProfiles(files.credentials, "credentials").has(name))
    return;
  throw new UserError(
    `AWS_PROFILE ${JSON.stringify(name)} is not a profile in ${files.config} or ${files.credentials}: ` +
      "check the name (aws configure list-profiles) or unset AWS_PROFILE",
    EXIT.aws,
  );
}

/** The Region: `given` (`--region`), else AWS_REGION, else the profile's `region`; throws {@link NO_REGION}. */
export function resolveRegion(env: Env, given?: string): string {
  const sources: Array<[string, string | undefined]> = [
    ["--region", given],
    ["AWS_REGION", env.AWS_REGION],
    [
      `the region of profile ${profileName(env)}`,
      readProfiles(sharedFiles(env).config, "config").get(profileName(env))?.get("region"),
    ],
  ];
  for (const [source, value] of sources) {
    const region = value?.trim();
    if (!region) continue;
    if (!REGION.test(region))
      throw new UserError(`${source} ${JSON.stringify(region)} is not a Region name (like eu-west-1)`);
    return region;
  }
  throw new UserError(NO_REGION);
}

/**
 * What a command checks before its first AWS call: the profile exists and there is a Region.
 * Returns the Region, to give every client explicitly.
 */
export function awsSetup(env: Env, region?: string): { region: string } {
  checkProfile(env);
  return { region: resolveRegion(env, region) };
}
