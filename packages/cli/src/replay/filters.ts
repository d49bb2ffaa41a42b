/**
 * `--since`, `--until`, `--secret` and `--principal`: parsed once on the main thread into a
 * plain {@link FilterSpec}, applied to each hit where it is found (in the workers).
 */
import { canonicalSecretKey, type SecretAccess, type TamperHit } from "@secretwatch/core";
import { UserError } from "../errors.js";

export interface FilterSpec {
  /** Epoch ms, inclusive; null for no bound. */
  since: number | null;
  /** Epoch ms, exclusive; null for no bound. */
  until: number | null;
  /**
   * Every `--secret` as text to look for: the parts as given and the canonical keys of the
   * ARNs (for queries over request text, such as history's SQL).
   */
  secrets: string[];
  /** Parts of secret names, as given (any matches, case-insensitively); see {@link secretMatches}. */
  secretParts: string[];
  /** Canonical secret keys of the ARNs given (any matches exactly). */
  secretKeys: string[];
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
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?$/i;

/** Whether the fields of a date (and time) exist: no 2024-02-30, no 25:00, no +14:60. */
function realDate(parts: RegExpExecArray): boolean {
  const [year, month, day, hour = 0, minute = 0, second = 0, , offsetHour = 0, offsetMinute = 0] = parts
    .slice(1)
    .map((p) => (p === undefined || !/^\d+$/.test(p) ? undefined : Number(p)));
  if (year === undefined || month === undefined || day === undefined) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 14 &&
    offsetMinute <= 59
  );
}

/**
 * An ISO 8601 date (`2024-07-31`, midnight UTC), date-time (`2024-07-31T12:00:00Z`; no offset
 * means UTC, as CloudTrail writes times) or an age before `now` (`30m`, `24h`, `7d`, `2w`).
 */
export function parseTime(option: string, text: string, now: Date): number {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  let ms = Number.NaN;
  const [date, dateTime] = [DATE.exec(value), DATE_TIME.exec(value)];
  if (relative) ms = now.getTime() - Number(relative[1]) * (UNITS[relative[2] ?? ""] ?? Number.NaN);
  else if (date && realDate(date)) ms = Date.parse(`${value}T00:00:00Z`);
  else if (dateTime && realDate(dateTime)) {
    const iso = value.replace(" ", "T");
    ms = Date.parse(dateTime[7] ? iso : `${iso}Z`);
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
  const secrets = clean(input.secret, "--secret");
  return {
    since,
    until,
    secrets: secrets.map((s) => (s.startsWith("arn:") ? canonicalSecretKey(s).key : s)),
    secretParts: secrets.filter((s) => !s.startsWith("arn:")),
    secretKeys: secrets.filter((s) => s.startsWith("arn:")).map((s) => canonicalSecretKey(s).key),
    principals: clean(input.principal, "--principal"),
  };
}

/**
 * A secret matches a full or partial ARN by canonical key (with or without the random suffix
 * they name the same secret), or else when the pattern is a case-insensitive part of its name
 * (`prod/` matches every secret under prod/). A BatchGetSecretValue call matches when its
 * `secretIdList` names a matching secret; a filter-based batch names no secret (its
 * per-secret GetSecretValue events do).
 */
function secretMatches(hit: SecretAccess, spec: FilterSpec): boolean {
  const names =
    hit.secretId !== null ? [hit.secretId] : (hit.batch?.secretIdList ?? []).map((id) => canonicalSecretKey(id).key);
  return names.some(
    (name) =>
      spec.secretKeys.includes(name) ||
      spec.secretParts.some((part) => name.toLowerCase().includes(part.toLowerCase())),
  );
}

/**
 * A pattern starting with `arn:` matches the caller's ARN or its session issuer's (role) ARN
 * exactly, or an ARN it is the prefix of up to a `/` (`arn:aws:sts::1:assumed-role/Admin`
 * matches every session of Admin). Any other pattern matches case-insensitively as a substring
 * of the principal ARN, user name, role session name, session issuer (role) name, principal
 * ID or access key ID.
 */
export function principalMatches(hit: Pick<SecretAccess, "principalArn" | "identity">, pattern: string): boolean {
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

function inTime(eventTime: string | null, spec: FilterSpec): boolean {
  if (spec.since === null && spec.until === null) return true;
  const time = eventTime === null ? Number.NaN : Date.parse(eventTime);
  if (!Number.isFinite(time)) return false;
  return (spec.since === null || time >= spec.since) && (spec.until === null || time < spec.until);
}

const bySecret = (spec: FilterSpec) => spec.secretParts.length + spec.secretKeys.length > 0;

/** True when `hit` passes every filter given (a hit with no usable time fails a time filter). */
export function matchesFilters(hit: SecretAccess, spec: FilterSpec): boolean {
  if (!inTime(hit.eventTime, spec)) return false;
  if (bySecret(spec) && !secretMatches(hit, spec)) return false;
  return spec.principals.length === 0 || spec.principals.some((p) => principalMatches(hit, p));
}

/**
 * The same filters for a tamper hit. `--secret` narrows the Secrets Manager events to that
 * secret; a change to the chain itself (trail, log group, alarms, topics, functions, table, keys)
 * blinds every secret's alerts, so it is kept.
 */
export function tamperMatchesFilters(hit: TamperHit, spec: FilterSpec): boolean {
  if (!inTime(hit.eventTime, spec)) return false;
  if (bySecret(spec) && hit.resourceKind === "secret") {
    const key = canonicalSecretKey(hit.resource).key;
    const lower = key.toLowerCase();
    if (!spec.secretKeys.includes(key) && !spec.secretParts.some((part) => lower.includes(part.toLowerCase())))
      return false;
  }
  return spec.principals.length === 0 || spec.principals.some((p) => principalMatches(hit, p));
}
