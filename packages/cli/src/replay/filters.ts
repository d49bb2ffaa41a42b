/**
 * `--since`, `--until`, `--secret` and `--principal`: parsed once on the main thread into a
 * plain {@link FilterSpec}, applied to each hit where it is found (in the workers).
 */
import { canonicalSecretKey, type SecretAccess } from "@secretwatch/core";
import { UserError } from "../errors.js";

export interface FilterSpec {
  /** Epoch ms, inclusive; null for no bound. */
  since: number | null;
  /** Epoch ms, exclusive; null for no bound. */
  until: number | null;
  /** Canonical secret keys (any matches). */
  secrets: string[];
  /** Principal patterns (any matches); see {@link principalMatches}. */
  principals: string[];
}

export interface FilterInput {
  since?: string;
  until?: string;
  secret?: string[];
  principal?: string[];
}

const UNITS: Readonly<Record<string, number>> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
const RELATIVE = /^(\d+)([smhdw])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 date (`2024-07-31`, midnight UTC), date-time (`2024-07-31T12:00:00Z`; no offset
 * means UTC, as CloudTrail writes times) or an age before `now` (`30m`, `24h`, `7d`, `2w`).
 */
export function parseTime(option: string, text: string, now: Date): number {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  let ms = Number.NaN;
  if (relative) ms = now.getTime() - Number(relative[1]) * (UNITS[relative[2] ?? ""] ?? Number.NaN);
  else if (DATE.test(value)) ms = Date.parse(`${value}T00:00:00Z`);
  else if (DATE_TIME.test(value)) {
    const iso = value.replace(" ", "T");
    ms = Date.parse(DATE_TIME.exec(value)?.[1] ? iso : `${iso}Z`);
  }
  if (!Number.isFinite(ms)) {
    throw new UserError(
      `${option} "${text}" is not a time: use 2024-07-31, 2024-07-31T12:00:00Z, or an age like 24h or 7d`,
    );
  }
  return ms;
}

/** Validates the filter options into a {@link FilterSpec}. Throws {@link UserError}. */
export function parseFilters(input: FilterInput, now: Date): FilterSpec {
  const since = input.since === undefined ? null : parseTime("--since", input.since, now);
  const until = input.until === undefined ? null : parseTime("--until", input.until, now);
  if (since !== null && until !== null && since >= until) throw new UserError("--since must be before --until");
  const clean = (values: string[] | undefined, option: string) =>
    (values ?? []).map((v) => {
      if (v.trim() === "") throw new UserError(`${option} needs a non-empty value`);
      return v.trim();
    });
  return {
    since,
    until,
    secrets: clean(input.secret, "--secret").map((s) => canonicalSecretKey(s).key),
    principals: clean(input.principal, "--principal"),
  };
}

/**
 * A secret matches by canonical key (a name, a partial ARN or a full ARN with its random suffix
 * all name the same secret). A BatchGetSecretValue call matches when its `secretIdList` names
 * the secret; a filter-based batch names no secret (its per-secret GetSecretValue events do).
 */
function secretMatches(hit: SecretAccess, keys: readonly string[]): boolean {
  if (hit.secretId !== null) return keys.includes(hit.secretId);
  return (hit.batch?.secretIdList ?? []).some((id) => keys.includes(canonicalSecretKey(id).key));
}

/**
 * A pattern starting with `arn:` matches the caller's ARN or its session issuer's (role) ARN
 * exactly, or an ARN it is the prefix of up to a `/` (`arn:aws:sts::1:assumed-role/Admin`
 * matches every session of Admin). Any other pattern matches case-insensitively as a substring
 * of the principal ARN, user name, role session name, session issuer (role) name, principal
 * ID or access key ID.
 */
export function principalMatches(hit: SecretAccess, pattern: string): boolean {
  const id = hit.identity;
  if (pattern.startsWith("arn:")) {
    return [hit.principalArn, id.sessionIssuerArn].some((arn) => arn === pattern || arn?.startsWith(`${pattern}/`));
  }
  const needle = pattern.toLowerCase();
  const fields = [
    hit.principalArn,
    id.userName,
    id.roleSessionName,
    id.sessionIssuerName,
    id.principalId,
    id.accessKeyId,
  ];
  return fields.some((field) => field?.toLowerCase().includes(needle));
}

/** True when `hit` passes every filter given (a hit with no usable time fails a time filter). */
export function matchesFilters(hit: SecretAccess, spec: FilterSpec): boolean {
  if (spec.since !== null || spec.until !== null) {
    const time = hit.eventTime === null ? Number.NaN : Date.parse(hit.eventTime);
    if (!Number.isFinite(time)) return false;
    if (spec.since !== null && time < spec.since) return false;
    if (spec.until !== null && time >= spec.until) return false;
  }
  if (spec.secrets.length > 0 && !secretMatches(hit, spec.secrets)) return false;
  return spec.principals.length === 0 || spec.principals.some((p) => principalMatches(hit, p));
}
