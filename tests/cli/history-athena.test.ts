/**
 * The Athena side of `secretwatch history` against aws-sdk-client-mock, in the documented
 * shapes: the start request (workgroup, database, parameters), polling with backoff and a
 * progress line, every page of results (header row on the first page only, NULLs), and each
 * terminal state as one line naming cause and fix, with the data scanned and its cost.
 */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { MAX_POLL_MS, readResults } from "../../packages/cli/src/history/athena.js";
import { queryCost } from "../../packages/cli/src/history/run.js";
import { ACCOUNT, HEADER, mockAws, readRows, row, runHistory, s3Uri } from "./history-harness.js";

const ARGS = ["--stage", "prod", "--since", "2024-07-01", "--account", ACCOUNT, "--format", "json"];

describe("starting the query", () => {
  it("runs in the stage's workgroup and database, free text only as ExecutionParameters", async () => {
    const mocks = mockAws();
    const run = await runHistory([...ARGS, "--secret", "it's", "--principal", "O'Brien"], mocks);
    expect(run.code).toBe(0);
    const [start, ...more] = mocks.athena.commandCalls(StartQueryExecutionCommand);
    expect(more).toEqual([]);
    const input = start!.args[0].input;
    expect(input).toMatchObject({
      WorkGroup: "secretwatch-prod-history",
      QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: "secretwatch_prod_history" },
      ExecutionParameters: ["'it''s'", "'o''brien'"],
    });
    expect(input.QueryString).not.toMatch(/it'?'?s|brien/i);
    expect(input.QueryString).toContain(`account IN ('${ACCOUNT}')`);
  });

  it("sends no ExecutionParameters when there is no free text (Athena wants at least one if any)", async () => {
    const mocks = mockAws();
    await runHistory(ARGS, mocks);
    expect(mocks.athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.ExecutionParameters).toBeUndefined();
  });
});

describe("polling", () => {
  it("waits longer between polls, up to a ceiling, until the query ends", async () => {
    const states: QueryExecutionState[] = [...Array(12).fill("RUNNING"), "SUCCEEDED"];
    const mocks = mockAws({ states: ["QUEUED", ...states] });
    const run = await runHistory(ARGS, mocks);
    expect(run.code).toBe(0);
    expect(mocks.athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(14);
    expect(mocks.sleeps).toHaveLength(13);
    expect(mocks.sleeps[0]).toBe(500);
    for (let i = 1; i < mocks.sleeps.length; i++) {
      expect(mocks.sleeps[i]!).toBeGreaterThanOrEqual(mocks.sleeps[i - 1]!);
    }
    expect(Math.max(...mocks.sleeps)).toBe(MAX_POLL_MS);
  });

  it("shows the state and data scanned on a terminal stderr, then clears the line", async () => {
    const mocks = mockAws({ scanned: 1_500_000_000 });
    let stderrText = "";
    const write = (t: string) => {
      stderrText += t;
    };
    const run = await runHistory(ARGS, mocks, { stderr: { write, isTTY: true } });
    expect(run.code).toBe(0);
    expect(stderrText).toContain("history: query queued, 1.50 GB scanned");
    expect(stderrText).toContain("history: query running, 1.50 GB scanned");
    // Cleared before the summary, which is on lines of its own.
    const summaryAt = stderrText.indexOf("history: query q-1 found");
    expect(stderrText.lastIndexOf("\r\x1b[2K", summaryAt)).toBeGreaterThan(
      stderrText.lastIndexOf("scanned (", summaryAt),
    );
  });

  it("on Ctrl-C, stops the query in Athena and says so in one line", async () => {
    const mocks = mockAws({ states: ["RUNNING"], scanned: 3_000_000_000 });
    mocks.athena.on(StopQueryExecutionCommand).resolves({});
    mocks.interruptAfter = 2;
    const run = await runHistory(ARGS, mocks);
    expect(run.code).toBe(1);
    expect(mocks.athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: "q-1" },
    ]);
    expect(run.stderr.trim().split("\n")).toEqual([
      "secretwatch: interrupted: the query q-1 was stopped (3.00 GB scanned so far, billed)",
    ]);
    expect(mocks.athena.commandCalls(GetQueryResultsCommand)).toEqual([]);
  });

  it("draws no progress line when stderr is not a terminal", async () => {
    const run = await runHistory(ARGS, mockAws());
    expect(run.stderr).not.toContain("\r");
    expect(run.stderr).not.toContain("query running");
  });
});

describe("results", () => {
  it("reads every page; the header only on the first; rows without a path are skipped, NULL event IDs kept", async () => {
    const [a, b, c] = readRows("us");
    const mocks = mockAws({
      pages: [
        [HEADER, a!],
        [b!, row(null, "x")],
        [c!, row(s3Uri("eu"), null)],
      ],
    });
    const rows = await readResults(mocks.clients.athena, "q-1");
    expect(rows).toEqual([
      { path: s3Uri("us"), eventId: a!.Data![1]!.VarCharValue },
      { path: s3Uri("us"), eventId: b!.Data![1]!.VarCharValue },
      { path: s3Uri("us"), eventId: c!.Data![1]!.VarCharValue },
      { path: s3Uri("eu"), eventId: null },
    ]);
    const tokens = mocks.athena.commandCalls(GetQueryResultsCommand).map((call) => call.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, "page-1", "page-2"]);
    expect(mocks.athena.commandCalls(GetQueryResultsCommand)[0]!.args[0].input.MaxResults).toBe(1000);
  });

  it("refuses results whose header is not the query's", async () => {
    const mocks = mockAws({ pages: [[row("eventid", "path"), ...readRows("us")]] });
    await expect(readResults(mocks.clients.athena, "q-1")).rejects.toThrow(/unexpected result header/);
  });

  it("with no rows, reads no object and says so", async () => {
    const mocks = mockAws({ pages: [[HEADER]] });
    const run = await runHistory(ARGS, mocks);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(mocks.s3.commandCalls(GetObjectCommand)).toEqual([]);
    expect(run.stderr).toContain("found 0 event(s) in 0 log file(s)");
  });

  it("ends with the data scanned and its cost at $5/TB, 10 MB minimum", async () => {
    const run = await runHistory(ARGS, mockAws({ scanned: 2_000_000_000_000 }));
    expect(run.stderr).toContain("history: data scanned 2.00 TB, cost $10.0000 at $5/TB (10 MB minimum)");
    expect(queryCost(0)).toBeCloseTo(0.00005, 10);
    expect(queryCost(10_000_001)).toBeCloseTo((11 * 1e6 * 5) / 1e12, 12);
  });
});

describe("a query that ends without results: one line naming cause and fix", () => {
  const ended = (state: QueryExecutionState, status: Record<string, unknown>, scanned = 10_000_000) => {
    const mocks = mockAws({ states: ["RUNNING", state], scanned });
    mocks.athena.on(GetQueryExecutionCommand).callsFake(() => ({
      QueryExecution: {
        QueryExecutionId: "q-1",
        Status: {
          State: mocks.athena.commandCalls(GetQueryExecutionCommand).length > 1 ? state : "RUNNING",
          ...status,
        },
        Statistics: { DataScannedInBytes: scanned },
      },
    }));
    return mocks;
  };
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it("FAILED: the reason, and the fix for a missing table", async () => {
    const mocks = ended("FAILED", {
      StateChangeReason:
        "TABLE_NOT_FOUND: line 2:6: Table 'awsdatacatalog.secretwatch_prod_history.cloudtrail' does not exist",
      AthenaError: {
        ErrorCategory: 2,
        ErrorType: 1301,
        Retryable: false,
        ErrorMessage:
          "TABLE_NOT_FOUND: line 2:6: Table 'awsdatacatalog.secretwatch_prod_history.cloudtrail' does not exist",
      },
    });
    const run = await runHistory(ARGS, mocks);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      /^secretwatch: the Athena query q-1 failed: TABLE_NOT_FOUND: .* does not exist; deploy the stage with history on/,
    );
    expect(mocks.athena.commandCalls(GetQueryResultsCommand)).toEqual([]);
  });

  it("FAILED on permissions: points at the README's policy", async () => {
    const run = await runHistory(
      ARGS,
      ended("FAILED", { StateChangeReason: "Access denied when writing output to url: s3://x/results/q-1.csv" }),
    );
    expect(oneLine(run.stderr)).toMatch(
      /failed: Access denied .*; the caller needs the IAM permissions the README lists/,
    );
  });

  it("CANCELLED by the cutoff: the limit, what was scanned, how to narrow or raise it", async () => {
    const mocks = ended(
      "CANCELLED",
      { StateChangeReason: "Query cancelled. Bytes scanned limit was exceeded" },
      100_000_000_000,
    );
    const run = await runHistory(ARGS, mocks);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      /^secretwatch: the query stopped at the scan cutoff of workgroup secretwatch-prod-history \(100\.0 GB per query\) after 100\.0 GB \(billed\): narrow it with .*--since.*or raise SECRETWATCH_HISTORY_MAX_SCAN_GB and redeploy$/,
    );
  });

  it("CANCELLED at the stage's configured cutoff, even without a telling reason", async () => {
    const run = await runHistory(ARGS, ended("CANCELLED", {}, 100_000_000_000));
    expect(oneLine(run.stderr)).toMatch(/scan cutoff of workgroup secretwatch-prod-history \(100\.0 GB per query\)/);
  });

  it("CANCELLED otherwise: someone else stopped it; run again", async () => {
    const run = await runHistory(ARGS, ended("CANCELLED", { StateChangeReason: "Query was cancelled by user" }));
    expect(oneLine(run.stderr)).toMatch(
      /^secretwatch: the query q-1 was cancelled \(Query was cancelled by user\), by someone or something else than this command: run it again$/,
    );
  });
});

describe("the default account", () => {
  it("is the caller's, from STS GetCallerIdentity", async () => {
    const sts = mockClient(STSClient);
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: "999988887777", Arn: "arn:aws:iam::999988887777:user/x", UserId: "AIDA" });
    try {
      const mocks = mockAws();
      const run = await runHistory(["--stage", "prod", "--since", "7d"], mocks);
      expect(run.code).toBe(0);
      const sql = mocks.athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.QueryString;
      expect(sql).toContain("account IN ('999988887777')");
      expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    } finally {
      sts.restore();
    }
  });
});
