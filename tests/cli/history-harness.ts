/**
 * For the history-*.test.ts files: `secretwatch history` run in-process with Athena, S3 and
 * STS mocked by aws-sdk-client-mock in the shapes the APIs document, the log files of
 * tests/fixtures/athena as S3 objects (gzipped, GetObject bodies as streams), and no waiting.
 * @see https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecutionState,
  type Row,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { Command } from "commander";
import { historyCommand } from "../../packages/cli/src/commands/history.js";
import { describeError, exitCodeOf } from "../../packages/cli/src/errors.js";
import type { Io } from "../../packages/cli/src/io.js";
import type { CommandContext } from "../../packages/cli/src/main.js";

export const ACCOUNT = "111122223333";
export const BUCKET = "secretwatch-prod-trail-111122223333";
export const NOW = new Date("2024-08-01T00:00:00Z");

const FIXTURES = path.resolve("tests/fixtures/athena");

/** The fixture log files, under the keys CloudTrail gives them. */
export const LOG_FILES = {
  us: {
    key: `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2024/07/10/${ACCOUNT}_CloudTrail_us-east-1_20240710T1205Z_Ab12Cd34Ef56Gh78.json.gz`,
    fixture: "us-east-1.json",
  },
  eu: {
    key: `AWSLogs/${ACCOUNT}/CloudTrail/eu-west-1/2024/07/11/${ACCOUNT}_CloudTrail_eu-west-1_20240711T0005Z_Ij90Kl12Mn34Op56.json.gz`,
    fixture: "eu-west-1.json",
  },
} as const;

export type LogFile = keyof typeof LOG_FILES;
export const s3Uri = (file: LogFile) => `s3://${BUCKET}/${LOG_FILES[file].key}`;

/** A fixture's records, parsed. */
export function records(file: LogFile): Array<Record<string, any>> {
  return JSON.parse(readFileSync(path.join(FIXTURES, LOG_FILES[file].fixture), "utf8")).Records;
}

/** A fixture as CloudTrail stores it: gzipped JSON. */
export const gzipped = (file: LogFile) => gzipSync(readFileSync(path.join(FIXTURES, LOG_FILES[file].fixture)));

/** A GetObject Body as the SDK gives it in Node: a stream with the SDK's `transformTo...` helpers. */
export function objectBody(bytes: Buffer) {
  const stream = Readable.from([bytes]);
  const all = async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  };
  return Object.assign(stream, {
    transformToByteArray: async () => new Uint8Array(await all()),
    transformToString: async (encoding?: BufferEncoding) => (await all()).toString(encoding ?? "utf8"),
    transformToWebStream: () => {
      throw new Error("not used");
    },
  });
}

/** A GetQueryResults row of VarChar values (null: a NULL, which Athena sends as a Datum without a value). */
export const row = (...values: Array<string | null>): Row => ({
  Data: values.map((v) => (v === null ? {} : { VarCharValue: v })),
});
export const HEADER = row("path", "eventid");

/** Every read (GetSecretValue / BatchGetSecretValue) of a fixture file, as Athena's rows. */
export function readRows(file: LogFile): Row[] {
  return records(file)
    .filter((r) => ["GetSecretValue", "BatchGetSecretValue"].includes(r.eventName))
    .map((r) => row(s3Uri(file), r.eventID));
}

export interface Mocks {
  athena: AwsClientStub<AthenaClient>;
  s3: AwsClientStub<S3Client>;
  clients: { athena: AthenaClient; s3: S3Client };
  sleeps: number[];
  /** Set to abort the run's interrupt signal (a Ctrl-C) after this many waits. */
  interruptAfter?: number;
}

const credentials = { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" };

/** Fresh clients and mocks: the query runs through `states` then succeeds with `pages` of rows. */
export function mockAws(options: { pages?: Row[][]; states?: QueryExecutionState[]; scanned?: number } = {}): Mocks {
  const clients = {
    athena: new AthenaClient({ region: "us-east-1", credentials }),
    s3: new S3Client({ region: "us-east-1", credentials }),
  };
  const athena = mockClient(clients.athena);
  const s3 = mockClient(clients.s3);
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-1" });
  const states = options.states ?? ["QUEUED", "RUNNING", "SUCCEEDED"];
  let poll = 0;
  athena.on(GetQueryExecutionCommand).callsFake(() => {
    const state = states[Math.min(poll++, states.length - 1)];
    return {
      QueryExecution: {
        QueryExecutionId: "q-1",
        Status: { State: state },
        Statistics: { DataScannedInBytes: options.scanned ?? 52_428_800, EngineExecutionTimeInMillis: 2100 },
      },
    };
  });
  const pages = options.pages ?? [[HEADER, ...readRows("us"), ...readRows("eu")]];
  athena.on(GetQueryResultsCommand).callsFake((input: { NextToken?: string }) => {
    const i = input.NextToken === undefined ? 0 : Number(input.NextToken.replace("page-", ""));
    const rows = pages[i];
    if (rows === undefined) throw new Error(`no page ${input.NextToken}`);
    return { ResultSet: { Rows: rows }, ...(i + 1 < pages.length && { NextToken: `page-${i + 1}` }) };
  });
  for (const file of Object.keys(LOG_FILES) as LogFile[]) {
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: LOG_FILES[file].key }).callsFake(() => ({
      Body: objectBody(gzipped(file)),
      ContentEncoding: undefined,
      ContentType: "application/json",
    }));
  }
  return { athena, s3, clients, sleeps: [] };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `secretwatch history <args>` as main() would (one-line errors, exit codes), with `mocks`. */
export async function runHistory(args: string[], mocks: Mocks | null, io: Partial<Io> = {}): Promise<Run> {
  let [stdout, stderr] = ["", ""];
  const ioObject: Io = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIAFAKE", AWS_SECRET_ACCESS_KEY: "fake" },
    cwd: process.cwd(),
    now: () => NOW,
    ...io,
  };
  let code = 0;
  const ctx: CommandContext = { io: ioObject, setExitCode: (c) => (code = Math.max(code, c)) };
  const deps = () => {
    if (mocks === null) throw new Error("this run must not call AWS");
    const interrupt = new AbortController();
    return {
      ...mocks.clients,
      sleep: async (ms: number) => {
        mocks.sleeps.push(ms);
        if (mocks.sleeps.length === mocks.interruptAfter) interrupt.abort();
      },
      interrupts: () => ({ signal: interrupt.signal, release: () => {} }),
    };
  };
  const program = new Command("secretwatch").exitOverride().addCommand(historyCommand(ctx, deps));
  program.configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  for (const sub of program.commands) sub.exitOverride();
  try {
    await program.parseAsync(["history", ...args], { from: "user" });
  } catch (error) {
    if (error instanceof Error && error.name === "CommanderError") return { code: 2, stdout, stderr };
    stderr += `secretwatch: ${describeError(error)}\n`;
    return { code: exitCodeOf(error), stdout, stderr };
  }
  return { code, stdout, stderr };
}
