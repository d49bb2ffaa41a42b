/**
 * The one query `secretwatch history` runs: which log files (`"$path"`) hold which secret-value
 * retrievals (`eventid`). Records are then read back from those files (./objects.ts), so no
 * field ever comes from Athena's rendering of a struct.
 *
 * Two kinds of value, kept apart:
 * - Partition values (account IDs, Regions, dates) are SQL literals, written only after strict
 *   validation (./partitions.ts), so that partition projection prunes on them whatever Athena
 *   does with parameters (an `injected` account must be a literal).
 * - Free text (`--secret`, `--principal`) never enters the SQL text: each is a `?` placeholder
 *   whose `ExecutionParameters` value is a single-quoted literal ({@link sqlString}). It is
 *   matched with `strpos`, a plain substring test: there is no wildcard language to escape.
 *
 * The query is a superset: replay's own filters (replay/filters.ts) then decide exactly, on
 * the records read back. Both sides are lower-cased (replay matches case-insensitively, or
 * exactly, which is narrower). A substring of the identity fields covers every field
 * `--principal` matches; a secret's name (or part of it) is a substring of the request's
 * `secretId` (name, partial or full ARN) or `secretIdList`, and a request without a `secretId`
 * key (a batch, or an odd record whose secret comes from `resources`) is always kept.
 *
 * Tamper and exposure events are found beside the reads: each event source of the catalog with
 * its event names (constants of packages/core/src/tamper/catalog.ts, checked to be plain names
 * before they become literals), OR-ed with the reads' source and names. The `--secret` clause
 * applies to them as to reads: a Secrets Manager call names its `secretId`, and a change to the
 * chain (trail, log group, topic...) has no `secretId` key, so it is always kept.
 * @see https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html
 * @see https://trino.io/docs/current/functions/string.html#strpos
 */
import { HISTORY_PARTITION_KEYS, HISTORY_TABLE_NAME } from "@secretwatch/core";
import type { HistoryScope } from "./partitions.js";

/** A query with `?` placeholders and, in order, the literal each stands for. */
export interface HistoryQuery {
  sql: string;
  /** ExecutionParameters: single-quoted SQL string literals. */
  parameters: string[];
}

/** A single-quoted SQL string literal: the text with each `'` doubled (SQL has no other escape). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The identity fields `--principal` matches (replay/filters.ts principalMatches), lower-cased and joined. */
const IDENTITY_TEXT =
  "lower(concat_ws(' ', useridentity.arn, useridentity.username, useridentity.principalid, " +
  "useridentity.accesskeyid, useridentity.sessioncontext.sessionissuer.arn, " +
  // replay's user name is `root` for type Root and `invokedBy` for an AWS service
  "useridentity.sessioncontext.sessionissuer.username, useridentity.invokedby, useridentity.type))";
const REQUEST = "lower(coalesce(requestparameters, ''))";

/** An event source or name of the catalog: letters, digits and dots only, so safe as a literal. */
const CATALOG_NAME = /^[A-Za-z0-9.]+$/;

function catalogLiteral(value: string): string {
  if (!CATALOG_NAME.test(value)) throw new Error(`not a catalog event name or source: ${JSON.stringify(value)}`);
  return sqlString(value);
}

const READ_SOURCE = "eventsource = 'secretsmanager.amazonaws.com'";
const READ_NAMES = "eventname IN ('GetSecretValue', 'BatchGetSecretValue')";

/** The reads' source and names, OR the tamper events' (one source with its names per term). */
function eventPredicate(scope: HistoryScope): string[] {
  const tamper = scope.tamper
    .filter((t) => t.names.length > 0)
    .map(
      (t) => `(eventsource = ${catalogLiteral(t.source)} AND eventname IN (${t.names.map(catalogLiteral).join(", ")}))`,
    );
  if (tamper.length === 0) return [READ_SOURCE, READ_NAMES];
  return [`((${READ_SOURCE} AND ${READ_NAMES})\n    OR ${tamper.join("\n    OR ")})`];
}

/** `yyyy/MM/dd` of an epoch-ms time, UTC: the form of the `logdate` projection. */
export function logDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "/");
}

const DAY_MS = 86_400_000;

/**
 * The query for `scope`. The date partitions run from the day of `since` to the day after
 * `until`: CloudTrail files an event under the day its log file is delivered, minutes later.
 * No predicate on `eventtime`: it is text in whatever form the record has (a string
 * comparison would drop odd forms replay reads); the days bound the scan, replay's filter
 * applies the exact times.
 */
export function buildHistoryQuery(scope: HistoryScope): HistoryQuery {
  const k = HISTORY_PARTITION_KEYS;
  const parameters: string[] = [];
  const param = (value: string) => {
    parameters.push(sqlString(value));
    return "?";
  };
  const list = (values: readonly string[]) => values.map(sqlString).join(", ");
  const where = [
    `${k.account} IN (${list(scope.accounts)})`,
    `${k.date} BETWEEN ${sqlString(logDate(scope.since))} AND ${sqlString(logDate(scope.until + DAY_MS))}`,
    ...(scope.regions.length > 0 ? [`${k.region} IN (${list(scope.regions)})`] : []),
    ...eventPredicate(scope),
  ];
  if (scope.secrets.length > 0) {
    const lowered = [...new Set(scope.secrets.map((s) => s.toLowerCase()))];
    const any = lowered.map((s) => `strpos(${REQUEST}, ${param(s)}) > 0`);
    where.push(`(${[...any, `strpos(${REQUEST}, '"secretid"') = 0`].join(" OR ")})`);
  }
  if (scope.principals.length > 0) {
    const lowered = [...new Set(scope.principals.map((p) => p.toLowerCase()))];
    where.push(`(${lowered.map((p) => `strpos(${IDENTITY_TEXT}, ${param(p)}) > 0`).join(" OR ")})`);
  }
  const sql = [
    'SELECT DISTINCT "$path" AS path, eventid',
    `FROM ${HISTORY_TABLE_NAME}`,
    `WHERE ${where.join("\n  AND ")}`,
    "ORDER BY path, eventid",
  ].join("\n");
  return { sql, parameters };
}

/** What `--print-sql` prints: the SQL, then `-- ?N = 'value'` for each parameter. */
export function printableQuery(query: HistoryQuery): string {
  const lines = query.parameters.map((value, i) => `-- ?${i + 1} = ${value}`);
  return `${query.sql};\n${lines.map((l) => `${l}\n`).join("")}`;
}
