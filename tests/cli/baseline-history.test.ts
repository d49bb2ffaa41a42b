/**
 * `secretwatch baseline` from CloudTrail event history: LookupEvents pages (aws-sdk-client-mock,
 * documented shapes; paced on a virtual clock), STS for the baseline role (mocked), and a real
 * DynamoDB implementation (dynalite) holding the stage's table: DynamoDBClient is never mocked here.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
  ThrottlingException,
} from "@aws-sdk/client-cloudtrail";
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { canonicalSecretKey, DEFAULT_THRESHOLDS, pairKey } from "@secretwatch/core";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { baselineDeps } from "../../packages/cli/src/commands/baseline.js";
import { DynamoStateStore, stateTableDefinition } from "../../packages/functions/src/state.js";
import { type LocalDynamo, startDynamo } from "../helpers/dynalite.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { FakeClock } from "./fake-clock.js";
import { historyEvent } from "./history-event.js";
import { runCli } from "./run-cli.js";

type RecordJson = Record<string, any>;
const NOW = new Date("2024-08-01T00:00:00Z");
const ACCOUNT = "111122223333";
const stratusReads = cloudTrailFixture<RecordJson>("stratus-secretsmanager").filter(
  (r) => r.eventName === "GetSecretValue",
);
const failures = cloudTrailFixture<RecordJson>("failures");
const reporting = failures.find((r) => r.userIdentity.type === "AssumedRole")!;

/** A successful read by the reporting role, in the session `session` (a name the caller chooses). */
function roleRead(session: string, n: number): RecordJson {
  const { errorCode, errorMessage, ...record } = structuredClone(reporting);
  record.userIdentity.arn = `arn:aws:sts::${ACCOUNT}:assumed-role/reporting-role/${session}`;
  record.userIdentity.principalId = `AROAQXZ5EXAMPLE4TR6B:${session}`;
  return { ...record, eventTime: `2024-07-2${n}T03:00:00Z`, eventID: `0000000${n}-6f7a-4b8c-9d0e-1f2a3b4c5d6e` };
}
const roleReads = [roleRead("nightly-export", 1), roleRead("pwned-by-mallory", 2)];
/** The failed reads, inside the window. */
const failed = failures.map((r, i) => ({ ...r, eventTime: `2024-07-30T09:20:0${i}Z` }));

/** Three pages of GetSecretValue: the third repeats the first (the same events seen twice). */
const PAGES = [stratusReads, [...roleReads, ...failed], stratusReads.slice(0, 5)];

const ct = mockClient(CloudTrailClient);
const sts = mockClient(STSClient);
let dynamo: LocalDynamo;
let clock: FakeClock;
let calls: { region: string; input: LookupEventsCommandInput; at: number }[];
let throttleFirst: number;
let clientConfigs: Parameters<typeof baselineDeps.dynamo>[0][];
let stages = 0;
const real = { ...baselineDeps };

const CREDENTIALS = {
  AccessKeyId: "ASIABASELINEEXAMPLE1",
  SecretAccessKey: "assumed-secret",
  SessionToken: "assumed-token",
  Expiration: new Date(NOW.getTime() + 3_600_000),
};

function serveHistory(pages: RecordJson[][]) {
  ct.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput, getClient) => {
    calls.push({ region: await getClient().config.region(), input, at: clock.now() });
    if (calls.length <= throttleFirst) {
      throw new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
    }
    const index = input.NextToken ? Number(input.NextToken.slice(5)) : 0;
    return {
      Events: (pages[index] ?? []).map(historyEvent),
      ...(index + 1 < pages.length && { NextToken: `page-${index + 1}` }),
    };
  });
}

/** A stage of its own with its table, as the stack names it: `secretwatch-<stage>-state`. */
async function freshStage(): Promise<{ stage: string; table: string }> {
  const stage = `h${++stages}`;
  const table = `secretwatch-${stage}-state`;
  await dynamo.client.send(new CreateTableCommand({ TableName: table, ...stateTableDefinition }));
  return { stage, table };
}

const baseline = (...args: string[]) => runCli(["baseline", ...args], { now: NOW });
const store = (table: string) =>
  new DynamoStateStore({ client: dynamo.client, tableName: table, thresholds: DEFAULT_THRESHOLDS, clock: () => +NOW });
/** The secret as the enricher keys it: its name (an ARN is reduced to the name, without the random suffix). */
const secretOf = (r: RecordJson) => canonicalSecretKey(r.requestParameters.secretId).key;
const CHRISTOPHE = stratusReads[0]!.userIdentity.arn as string;
const REPORTING_ROLE = `arn:aws:iam::${ACCOUNT}:role/reporting-role`;
/** Every pair the run could write, the failed ones included. */
const allPairs = [
  ...stratusReads.map((r) => ({ actor: CHRISTOPHE, secret: secretOf(r) })),
  { actor: REPORTING_ROLE, secret: "prod/reporting/warehouse" },
  { actor: `arn:aws:iam::${ACCOUNT}:user/intern`, secret: "prod/db/postgres" },
  { actor: `arn:aws:iam::${ACCOUNT}:user/intern`, secret: "prod/db/postgress" },
];

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo.stop());

beforeEach(() => {
  ct.reset();
  sts.reset();
  calls = [];
  throttleFirst = 0;
  clientConfigs = [];
  clock = new FakeClock(NOW.getTime());
  baselineDeps.clock = clock;
  baselineDeps.dynamo = (config) => {
    clientConfigs.push(config);
    return new DynamoDBClient({ ...config, endpoint: dynamo.endpoint, region: "us-east-1" });
  };
  sts.on(GetCallerIdentityCommand).resolves({
    UserId: "AROAADMINEXAMPLE:alice",
    Account: ACCOUNT,
    Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
  });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: CREDENTIALS,
    AssumedRoleUser: { AssumedRoleId: "AROABASELINE:secretwatch-baseline", Arn: "arn:aws:sts::x" },
  });
  serveHistory(PAGES);
});
afterEach(() => Object.assign(baselineDeps, real));

describe("baseline from event history", () => {
  it("reads GetSecretValue pages paced, assumes the stage's baseline role, seeds the pairs of successful reads", async () => {
    const { stage, table } = await freshStage();
    throttleFirst = 1;
    const run = await baseline("--stage", stage, "--since", "30d");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    // One query (all its pages) of one attribute, GetSecretValue only, the 30 days asked for.
    expect(calls).toHaveLength(1 + PAGES.length);
    for (const { input, region } of calls) {
      expect(region).toBe("us-east-1");
      expect(input.LookupAttributes).toEqual([{ AttributeKey: "EventName", AttributeValue: "GetSecretValue" }]);
      expect(input.StartTime).toEqual(new Date(NOW.getTime() - 30 * 86_400_000));
      expect(input.EndTime).toEqual(NOW);
    }
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.at - calls[i - 1]!.at).toBeGreaterThanOrEqual(500);
    expect(run.stdout).toContain("1 throttled or failed request(s) retried");

    // Written as the stage's role, with the credentials STS gave.
    const assume = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(assume).toEqual({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/secretwatch-${stage}-state-baseline`,
      RoleSessionName: "secretwatch-baseline",
    });
    expect(clientConfigs).toHaveLength(1);
    const used = await clientConfigs[0]!.credentials!();
    expect(used).toMatchObject({ accessKeyId: CREDENTIALS.AccessKeyId, sessionToken: CREDENTIALS.SessionToken });

    // What the enricher will load: the successful reads' pairs, by role (not session), never the failed ones.
    const snapshot = await store(table).load({ pairs: allPairs, windows: [], alerts: [] });
    for (const r of stratusReads) {
      const t = Date.parse(r.eventTime);
      expect(snapshot.pairs.get(pairKey(CHRISTOPHE, secretOf(r)))).toEqual({ firstSeen: t, lastSeen: t, count: 1 });
    }
    expect(snapshot.pairs.get(pairKey(REPORTING_ROLE, "prod/reporting/warehouse"))).toEqual({
      firstSeen: Date.parse("2024-07-21T03:00:00Z"),
      lastSeen: Date.parse("2024-07-22T03:00:00Z"),
      count: 2,
    });
    expect(snapshot.pairs.size).toBe(stratusReads.length + 1);
    expect(snapshot.meta).toEqual({ deployedAt: null, baselineAt: NOW.getTime() });

    const lines = run.stdout.split("\n");
    expect(lines).toContain(
      "baseline: 21 actor × secret pairs seeded from 22 successful single-secret reads by 2 actors of 21 secrets, " +
        "2024-07-21T03:00:00.000Z .. 2024-07-31T12:36:52.000Z",
    );
    expect(lines).toContain(
      "baseline: 3 calls not counted (failed, denied, batch or without a time); 5 duplicates dropped",
    );
    expect(run.stdout).toContain(
      `baseline: wrote 21 pair item(s) to ${table} in 1 save(s) as arn:aws:iam::${ACCOUNT}:role/secretwatch-${stage}-state-baseline`,
    );
    expect(run.stdout).toMatch(/meta\/baseline marker at 2024-08-01T00:00:00.000Z: learning has ended/);
    expect(run.stdout).toContain("baseline: learning: no deploy marker in the table\n");
    expect(run.stdout).toMatch(
      new RegExp(`Top actors \\(2 of 2\\):\\n +ACTOR +SECRETS +READS +FIRST +LAST\\n +${CHRISTOPHE} +20 +20 `),
    );
    expect(run.stdout).toMatch(new RegExp(`\\n +${REPORTING_ROLE} +1 +2 +2024-07-21T03:00:00.000Z`));
  });

  it("a second run merges: counts added, first seen kept, the earlier baseline named", async () => {
    const { stage, table } = await freshStage();
    expect((await baseline("--stage", stage)).code).toBe(0);
    const again = await baseline("--stage", stage, "--history-region", "eu-west-1");
    expect(again.code).toBe(0);
    expect(calls.filter((c) => c.region === "eu-west-1")).toHaveLength(PAGES.length);
    expect(again.stdout).toContain("a baseline already ran 2024-08-01T00:00:00.000Z");
    const snapshot = await store(table).load({ pairs: allPairs, windows: [], alerts: [] });
    expect(snapshot.pairs.get(pairKey(REPORTING_ROLE, "prod/reporting/warehouse"))).toMatchObject({
      firstSeen: Date.parse("2024-07-21T03:00:00Z"),
      count: 4,
    });
    expect(snapshot.pairs.get(pairKey(CHRISTOPHE, secretOf(stratusReads[0]!)))?.count).toBe(2);
  });

  it("--dry-run reports the same and writes nothing (no STS, no DynamoDB call)", async () => {
    const { stage, table } = await freshStage();
    const run = await baseline("--stage", stage, "--dry-run");
    expect(run.code).toBe(0);
    expect(sts.calls()).toHaveLength(0);
    expect(clientConfigs).toHaveLength(0);
    const items = await dynamo.client.send(new ScanCommand({ TableName: table }));
    expect(items.Count).toBe(0);
    expect(run.stdout).toContain(
      "baseline: 21 actor × secret pairs would be seeded from 22 successful single-secret reads",
    );
    expect(run.stdout).toContain(
      `baseline: dry run: nothing written; ${table} would get 21 pair item(s) and the meta/baseline marker, which ends learning`,
    );
    expect(run.stdout).toContain("Top actors (2 of 2):");
  });

  it("stops before reading history when the role cannot be assumed, and when the table is missing", async () => {
    const { stage } = await freshStage();
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(new Error("User: alice is not authorized to perform: sts:AssumeRole"), {
        name: "AccessDenied",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const denied = await baseline("--stage", stage);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(
      new RegExp(
        `^secretwatch: cannot assume the baseline role arn:aws:iam::${ACCOUNT}:role/secretwatch-${stage}-state-baseline \\(access denied by AWS: User: alice is not authorized`,
      ),
    );
    expect(calls).toHaveLength(0);

    sts.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
    const missing = await baseline("--stage", "never-deployed");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^secretwatch: the state table secretwatch-never-deployed-state could not be read \(ResourceNotFoundException: .*\); no such table here/,
    );
    expect(calls).toHaveLength(0);
  });

  it("refuses a window beyond event history's 90 days before any AWS call", async () => {
    const run = await baseline("--stage", "x", "--since", "91d");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--since 91d is more than 90 days ago/);
    expect(sts.calls()).toHaveLength(0);
    expect(calls).toHaveLength(0);
  });
});

describe("baseline from a quiet history", () => {
  it("still ends learning, and warns that nothing was seeded", async () => {
    const { stage, table } = await freshStage();
    ct.reset();
    serveHistory([[]]);
    const run = await baseline("--stage", stage, "--since", "7d");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      "baseline: warning: no successful read to seed (wrong Region or window?); learning still ends, " +
        "so the next read of every reader is first-seen\n",
    );
    expect(run.stdout).toContain("baseline: 0 actor × secret pairs seeded from 0 successful single-secret reads");
    expect(run.stdout).not.toContain("Top actors");
    const meta = (await store(table).load({ pairs: [], windows: [], alerts: [] })).meta;
    expect(meta?.baselineAt).toBe(NOW.getTime());
  });
});
