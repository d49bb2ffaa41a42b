/**
 * What a history query covers, validated: partition values strictly (they become SQL literals,
 * see ./sql.ts), free text loosely but without control characters (it is only ever a
 * parameter, but `--print-sql` prints it on a comment line that a newline would end).
 * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html (ExecutionParameters: 1-1024 characters each)
 */
import { UserError } from "../errors.js";
import type { FilterSpec } from "../replay/filters.js";
import type { TamperQueryEvents } from "../replay/tamper.js";

export interface HistoryScope {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  /** Account IDs (12 digits), at least one: the `account` partition is injected. */
  accounts: string[];
  /** Region names; empty: every Region of the table's enum. */
  regions: string[];
  /** Parts of secret names and canonical keys of secret ARNs (replay's `--secret` after parsing). */
  secrets: string[];
  principals: string[];
  /** Tamper event names by event source (constants of the catalog, replay/tamper.ts); empty: reads only. */
  tamper: TamperQueryEvents[];
}

const ACCOUNT = /^\d{12}$/;
/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-northwest-1`, `ap-southeast-7`. */
export const REGION_NAME = /^[a-z]{2}(?:-[a-z]+){1,2}-\d{1,2}$/;
/** The longest free-text value: a parameter is at most 1,024 characters with its quotes doubled. */
const MAX_TEXT = 500;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Account IDs: 12 digits each, no duplicates. */
export function parseAccounts(values: readonly string[]): string[] {
  const accounts = values.map((v) => v.trim());
  const bad = accounts.find((a) => !ACCOUNT.test(a));
  if (bad !== undefined) throw new UserError(`--account "${bad}" is not an AWS account ID (12 digits)`);
  return [...new Set(accounts)];
}

/** Region names, each like `eu-west-1`, no duplicates. */
export function parseRegions(values: readonly string[]): string[] {
  const regions = values.map((v) => v.trim());
  const bad = regions.find((r) => !REGION_NAME.test(r));
  if (bad !== undefined) throw new UserError(`--region "${bad}" is not a Region name (like eu-west-1)`);
  return [...new Set(regions)];
}

function freeText(option: string, value: string): string {
  if (CONTROL.test(value)) throw new UserError(`${option} must not contain control characters or line breaks`);
  if (value.length > MAX_TEXT) throw new UserError(`${option} is longer than ${MAX_TEXT} characters`);
  return value;
}

/** The scope of a query from replay's filters (`since` is required; `until` defaults to now). */
export function historyScope(
  filters: FilterSpec,
  now: Date,
  accounts: readonly string[],
  regions: readonly string[],
  tamper: readonly TamperQueryEvents[] = [],
): HistoryScope {
  if (filters.since === null) throw new UserError("--since is required (a date, or an age like 90d)");
  if (accounts.length === 0) throw new UserError("no account to query: pass --account");
  return {
    since: filters.since,
    until: filters.until ?? now.getTime(),
    accounts: [...accounts],
    regions: [...regions],
    secrets: [...new Set([...filters.secrets, ...filters.secretKeys])].map((s) => freeText("--secret", s)),
    principals: filters.principals.map((p) => freeText("--principal", p)),
    tamper: tamper.map((t) => ({ source: t.source, names: [...t.names] })),
  };
}
