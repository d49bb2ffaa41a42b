/**
 * `secretwatch baseline FILES...` on the two-day backtest archive (tests/fixtures/backtest,
 * expected.json tells who reads what), written to a real DynamoDB implementation (dynalite):
 * the pairs the enricher then loads, the marker that ends learning, merged counts on a second
 * run, `--dry-run`, and inputs that cannot be read. STS is mocked; DynamoDBClient never is.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  assessHits,
  type CloudTrailRecord,
  DEFAULT_POLICY,
  enrichRecord,
  PolicyMatcher,
  pairKey,
  stateRequest,
} from "@secretwatch/core";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { baselineDeps } from "../../packages/cli/src/commands/baseline.js";
import { DynamoStateStore, stateTableDefinition } from "../../packages/functions/src/state.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { runCli } from "./run-cli.js";

const FIXTURE = new URL("../fixtures/backtest/", import.meta.url).pathname;
/** The archive and a copy of its first file (counted once). */
const INPUTS = [`${FIXTURE}AWSLogs`, `${FIXTURE}copy`];
const NOW = new Date("2024-06-05T00:00:00Z");
const ACCOUNT = "111122223333";
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

function gzFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? gzFiles(path.join(dir, e.name)) : e.name.endsWith(".json.gz") ? [path.join(dir, e.name)] : [],
  );
}
const archive = gzFiles(`${FIXTURE}AWSLogs`);
const records: CloudTrailRecord[] = archive.flatMap(
  (f) => JSON.parse(gunzipSync(readFileSync(f)).toString("utf8")).Records,
);
const times = (pick: (r: CloudTrailRecord) => boolean) =>
  records.filter(pick).map((r) => Date.parse(String(r.eventTime)));
const byIssuer = (name: string) => (r: CloudTrailRecord) =>
  (r.userIdentity as any)?.sessionContext?.sessionIssuer?.arn === role(name);

/** Every actor × secret of the archive (expected.json's description), and one never read. */
const PAIRS = [
  { actor: role("app-api"), secret: "prod/app/db" },
  { actor: role("batch-job"), secret: "dev/batch/token" },
  { actor: user("bob"), secret: "dev/x" },
  { actor: user("eve"), secret: "canary/root-keys" },
  ...Array.from({ length: 20 }, (_, i) => ({
    actor: role("scraper"),
    secret: `team/s${String(i + 1).padStart(2, "0")}`,
  })),
];
const NEVER = { actor: user("eve"), secret: "prod/app/db" };

const sts = mockClient(STSClient);
let dynamo: LocalDynamo;
let stages = 0;
const real = { ...baselineDeps };

async function freshStage(): Promise<{ stage: string; table: string }> {
  const stage = `f${++stages}`;
  const table = `secretwatch-${stage}-state`;
  await dynamo.client.send(new CreateTableCommand({ TableName: table, ...stateTableDefinition }));
  return { stage, table };
}
const baseline = (...args: string[]) => runCli(["baseline", ...args], { now: NOW });
const store = (table: string) =>
  new DynamoStateStore({
    client: dynamo.client,
    tableName: table,
    thresholds: DEFAULT_POLICY.thresholds,
    clock: () => NOW.getTime(),
  });
const scan = async (table: string) => (await dynamo.client.send(new ScanCommand({ TableName: table }))).Items ?? [];

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo.stop());
beforeEach(() => {
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ops` });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIABASELINEEXAMPLE2",
      SecretAccessKey: "s",
      SessionToken: "t",
      Expiration: new Date(NOW.getTime() + 3_600_000),
    },
  });
  baselineDeps.dynamo = (config) => new DynamoDBClient({ ...config, endpoint: dynamo.endpoint, region: "us-east-1" });
});
afterEach(() => Object.assign(baselineDeps, real));

describe("baseline from files", () => {
  it("seeds every pair of the archive; the enricher's next assessment sees them seen, and learning ended", async () => {
    const { stage, table } = await freshStage();
    const run = await baseline("--stage", stage, ...INPUTS, "--workers", "1");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const all = times(() => true);
    expect(run.stdout).toContain(
      "baseline: 24 actor × secret pairs seeded from 77 successful single-secret reads by 5 actors of 24 secrets, " +
        `${new Date(Math.min(...all)).toISOString()} .. ${new Date(Math.max(...all)).toISOString()}`,
    );
    expect(run.stdout).toContain("baseline: 1 duplicate dropped");
    const files = archive.length + 1;
    expect(run.stdout).toContain(
      `baseline: read ${files} file(s) (${files} with CloudTrail data), ${records.length + 1} CloudTrail record(s)`,
    );
    expect(run.stdout).toMatch(new RegExp(`Top actors \\(5 of 5\\):\\n.*\\n +${role("app-api")} +1 +48 `));

    const snapshot = await store(table).load({ pairs: [...PAIRS, NEVER], windows: [], alerts: [] });
    expect(snapshot.pairs.size).toBe(PAIRS.length);
    const app = times(byIssuer("app-api"));
    expect(snapshot.pairs.get(pairKey(role("app-api"), "prod/app/db"))).toEqual({
      firstSeen: Math.min(...app),
      lastSeen: Math.max(...app),
      count: 48,
    });
    expect(snapshot.pairs.get(pairKey(user("bob"), "dev/x"))?.count).toBe(4);
    expect(snapshot.meta).toEqual({ deployedAt: null, baselineAt: NOW.getTime() });

    // The enricher's own assessment of three new reads, with what it loads from the table.
    const template = records.find(byIssuer("app-api"))!;
    const eveRead = records.find((r) => (r.userIdentity as any)?.arn === user("eve"))!;
    const fresh = [
      { ...template, eventID: "new-1", eventTime: "2024-06-05T00:10:00Z" },
      { ...eveRead, eventID: "new-2", eventTime: "2024-06-05T00:11:00Z" },
      {
        ...eveRead,
        eventID: "new-3",
        eventTime: "2024-06-05T00:12:00Z",
        requestParameters: { secretId: "prod/app/db" },
      },
    ].map((r) => enrichRecord(r, { now: NOW }));
    const matcher = new PolicyMatcher(DEFAULT_POLICY);
    const loaded = await store(table).load(stateRequest(fresh, matcher));
    const verdicts = assessHits(fresh, { matcher, snapshot: loaded }).assessed.map((a) => a.verdict);
    expect(verdicts.map((v) => v.firstSeen)).toEqual([false, false, true]);
    expect(verdicts[2]!.reasons).toContain("first-seen");
  });

  it("a second run merges with the table: counts added, first and last seen kept", async () => {
    const { stage, table } = await freshStage();
    expect((await baseline("--stage", stage, ...INPUTS, "--workers", "1")).code).toBe(0);
    const again = await baseline("--stage", stage, `${FIXTURE}AWSLogs`, "--workers", "1", "--since", "2024-06-04");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("a baseline already ran 2024-06-05T00:00:00.000Z");
    const snapshot = await store(table).load({ pairs: PAIRS, windows: [], alerts: [] });
    const app = times(byIssuer("app-api"));
    const secondDay = app.filter((t) => t >= Date.parse("2024-06-04T00:00:00Z"));
    expect(snapshot.pairs.get(pairKey(role("app-api"), "prod/app/db"))).toEqual({
      firstSeen: Math.min(...app),
      lastSeen: Math.max(...app),
      count: 48 + secondDay.length,
    });
    // Read on the first day only: untouched by the second run.
    expect(snapshot.pairs.get(pairKey(user("bob"), "dev/x"))?.count).toBe(4);
  });

  it("--dry-run reads with worker threads, reports, writes nothing and calls no AWS API", async () => {
    const { stage, table } = await freshStage();
    const run = await baseline("--stage", stage, ...INPUTS, "--workers", "2", "--dry-run");
    expect(run.code).toBe(0);
    expect(sts.calls()).toHaveLength(0);
    expect(await scan(table)).toEqual([]);
    expect(run.stdout).toContain(
      "baseline: 24 actor × secret pairs would be seeded from 77 successful single-secret reads",
    );
    expect(run.stdout).toContain("baseline: dry run: nothing written");
  });

  it("writes nothing, and does not end learning, when no input could be read", async () => {
    const { stage, table } = await freshStage();
    const run = await baseline("--stage", stage, `${FIXTURE}no-such-dir`, "--workers", "1");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("secretwatch: nothing could be read from the given paths; nothing was written\n");
    expect(await scan(table)).toEqual([]);
  });

  it("keeps each save within the store's bound: 150 pairs take two saves", async () => {
    const { stage, table } = await freshStage();
    const dir = mkdtempSync(path.join(tmpdir(), "baseline-bulk-"));
    try {
      const base = records.find((r) => (r.userIdentity as any)?.arn === user("bob"))!;
      const many = Array.from({ length: 150 }, (_, i) => ({
        ...base,
        eventID: `bulk-${i}`,
        requestParameters: { secretId: `bulk/${i}` },
      }));
      writeFileSync(path.join(dir, "bulk.json"), JSON.stringify({ Records: many }));
      const run = await baseline("--stage", stage, dir, "--workers", "1");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`wrote 150 pair item(s) to ${table} in 2 save(s)`);
      const pairs = (await scan(table)).filter((item) => item.pk?.S?.startsWith("pair#"));
      expect(pairs).toHaveLength(150);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
