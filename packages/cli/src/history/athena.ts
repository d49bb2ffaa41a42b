/**
 * Runs the history query in the stage's workgroup: start it (free text as ExecutionParameters),
 * poll with backoff while a progress line shows the state and the data scanned, then read every
 * page of the results (the first row of the first page is the header). A query that fails, is
 * cancelled or hits the workgroup's cutoff is one {@link HistoryQueryError} naming cause and fix.
 * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html
 * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryExecution.html
 * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/workgroups-setting-control-limits-cloudwatch.html
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { HistoryQuery } from "./sql.js";

/** The query did not give results; the message is one line with the cause and the fix. */
export class HistoryQueryError extends Error {
  override name = "HistoryQueryError";
  constructor(
    message: string,
    readonly queryId: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One result row: the log file and the event ID Athena found in it. */
export interface FoundEvent {
  path: string;
  eventId: string | null;
}

export interface QueryRun {
  queryId: string;
  rows: FoundEvent[];
  scannedBytes: number;
  /** Engine time, ms. */
  engineMs: number;
}

export interface AthenaTarget {
  workgroup: string;
  database: string;
  /** The workgroup's cutoff in bytes, when known (to name it in the message). */
  cutoffBytes: number | null;
}

export interface PollOptions {
  sleep: (ms: number) => Promise<void>;
  /** Called after each poll with the state and data scanned so far. */
  progress?: (state: string, scannedBytes: number) => void;
  /** First wait between polls, ms; grows by half up to {@link MAX_POLL_MS}. */
  firstPollMs?: number;
  /** Aborted (Ctrl-C): the query is stopped in Athena, not left running (and billing). */
  signal?: AbortSignal;
}

const FIRST_POLL_MS = 500;
export const MAX_POLL_MS = 5_000;
const PAGE_SIZE = 1000;

/** `1.23 GB`, decimal units as Athena bills them. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
  let [value, unit] = [bytes, 0];
  while (value >= 1000 && unit < units.length - 1) [value, unit] = [value / 1000, unit + 1];
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

const oneLine = (text: string | undefined) => (text ?? "").split("\n")[0]?.trim() ?? "";
const CUTOFF_REASON = /bytes scanned|data scanned|scan(?:ned)? limit|cutoff|data usage/i;

/** The one line for a query that ended without results. */
function failure(execution: QueryExecution, target: AthenaTarget, queryId: string): HistoryQueryError {
  const state = execution.Status?.State ?? "UNKNOWN";
  const reason = oneLine(execution.Status?.AthenaError?.ErrorMessage ?? execution.Status?.StateChangeReason);
  const scanned = execution.Statistics?.DataScannedInBytes ?? 0;
  const limit = target.cutoffBytes;
  const atCutoff = limit !== null && scanned >= limit;
  if (state === "CANCELLED" && (CUTOFF_REASON.test(reason) || atCutoff)) {
    const cutoff = limit === null ? "" : ` (${formatBytes(limit)} per query)`;
    return new HistoryQueryError(
      `the query stopped at the scan cutoff of workgroup ${target.workgroup}${cutoff} after ${formatBytes(scanned)} (billed): ` +
        "narrow it with a later --since, --until, --account or --region, or raise SECRETWATCH_HISTORY_MAX_SCAN_GB and redeploy",
      queryId,
    );
  }
  if (state === "CANCELLED") {
    return new HistoryQueryError(
      `the query ${queryId} was cancelled${reason ? ` (${reason})` : ""}, by someone or something else than this command: run it again`,
      queryId,
    );
  }
  let fix = "check the query with --print-sql";
  if (/not found|does not exist|TABLE_NOT_FOUND|SCHEMA_NOT_FOUND/i.test(reason)) {
    fix = "deploy the stage with history on (see SECRETWATCH_HISTORY in the README)";
  } else if (/access denied|not authorized|AccessDenied|kms/i.test(reason)) {
    fix =
      "the caller needs the IAM permissions the README lists for history (archive read, results prefix, KMS key if any)";
  }
  return new HistoryQueryError(`the Athena query ${queryId} failed: ${reason || state}; ${fix}`, queryId);
}

/** Starts the query and returns its ID. */
export async function startQuery(athena: AthenaClient, query: HistoryQuery, target: AthenaTarget): Promise<string> {
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: query.sql,
      WorkGroup: target.workgroup,
      QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: target.database },
      ...(query.parameters.length > 0 && { ExecutionParameters: query.parameters }),
    }),
  );
  if (!started.QueryExecutionId) throw new HistoryQueryError("Athena started no query (no QueryExecutionId)", null);
  return started.QueryExecutionId;
}

/** Polls until the query ends; resolves with its final execution when it succeeded. */
export async function waitForQuery(
  athena: AthenaClient,
  queryId: string,
  target: AthenaTarget,
  options: PollOptions,
): Promise<QueryExecution> {
  let wait = options.firstPollMs ?? FIRST_POLL_MS;
  for (;;) {
    const { QueryExecution: execution = {} } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
    );
    const state = execution.Status?.State ?? "UNKNOWN";
    options.progress?.(state, execution.Statistics?.DataScannedInBytes ?? 0);
    if (state === "SUCCEEDED") return execution;
    if (state === "FAILED" || state === "CANCELLED") throw failure(execution, target, queryId);
    if (!options.signal?.aborted) await options.sleep(wait);
    if (options.signal?.aborted) {
      await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
      const scanned = formatBytes(execution.Statistics?.DataScannedInBytes ?? 0);
      throw new HistoryQueryError(
        `interrupted: the query ${queryId} was stopped (${scanned} scanned so far, billed)`,
        queryId,
      );
    }
    wait = Math.min(MAX_POLL_MS, Math.ceil(wait * 1.5));
  }
}

/** Every result row, page after page, without the header row; checks the header is the query's. */
export async function readResults(athena: AthenaClient, queryId: string): Promise<FoundEvent[]> {
  const rows: FoundEvent[] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: queryId, MaxResults: PAGE_SIZE, NextToken: token }),
    );
    const pageRows = page.ResultSet?.Rows ?? [];
    for (const [i, row] of pageRows.entries()) {
      const [path, eventId] = [row.Data?.[0]?.VarCharValue ?? null, row.Data?.[1]?.VarCharValue ?? null];
      if (first && i === 0) {
        if (path !== "path" || eventId !== "eventid") {
          throw new HistoryQueryError(`unexpected result header "${path}, ${eventId}" of query ${queryId}`, queryId);
        }
        continue;
      }
      // A row without a file names nothing to read back.
      if (path !== null) rows.push({ path, eventId });
    }
    first = false;
    token = page.NextToken;
  } while (token);
  return rows;
}

/** Start, wait, read: the whole query. */
export async function runQuery(
  athena: AthenaClient,
  query: HistoryQuery,
  target: AthenaTarget,
  options: PollOptions,
): Promise<QueryRun> {
  const queryId = await startQuery(athena, query, target);
  const execution = await waitForQuery(athena, queryId, target, options);
  const rows = await readResults(athena, queryId);
  return {
    queryId,
    rows,
    scannedBytes: execution.Statistics?.DataScannedInBytes ?? 0,
    engineMs: execution.Statistics?.EngineExecutionTimeInMillis ?? 0,
  };
}
