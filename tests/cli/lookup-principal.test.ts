/**
 * `secretwatch lookup --principal` against a mocked CloudTrail that answers like LookupEvents:
 * one lookup attribute per request, newest events first, pages and `NextToken`, only events in
 * [StartTime, EndTime], `Username` = the IAM user's name or the role session's name. Covers
 * the attribute sent per input form, pagination, the ARN filter, the text and JSON lines,
 * hostile strings, the role-ARN refusal, and the reads' verdicts matching the normal mode.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://repost.aws/knowledge-center/view-iam-history
 */
import {
  CloudTrailClient,
  type Event,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lookupDeps } from "../../packages/cli/src/commands/lookup.js";
import { parsePrincipal } from "../../packages/cli/src/lookup/principal.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import { FakeClock } from "./fake-clock.js";
import { runCli } from "./run-cli.js";

type RecordJson = Record<string, any>;
const fixture = (name: string) => cloudTrailFixture<RecordJson>(name);
/** After the stratus fixtures (2024-07-30 .. 2024-08-28); the May fixtures need {@link MAY}. */
const NOW = new Date("2024-09-01T00:00:00Z");
const MAY = new Date("2024-06-01T00:00:00Z");
let now: Date;
const copy = <T>(value: T): T => structuredClone(value);

/** christophe in many accounts: 903144391865 (reads, ListSecrets), 165109126369 (batches), 457448411975 (AssumeRole)… */
const stratus = fixture("stratus-secretsmanager");
const other = fixture("stratus-other-techniques");
const USER_ARN = "arn:aws:iam::903144391865:user/christophe";
const christophe = [...stratus, ...other].filter((r) => r.userIdentity?.userName === "christophe");
const ofUser = christophe.filter((r) => r.userIdentity.arn === USER_ARN);

/** The role session of the EC2 technique, and a session of the same name on another role. */
const SESSION = "aws-go-sdk-1722375070115152000";
const SESSION_ARN = `arn:aws:sts::457448411975:assumed-role/stratus-red-team-ec2-get-password-data-role/${SESSION}`;
const ofSession = other.filter((r) => r.userIdentity?.arn === SESSION_ARN);
const otherRole = (() => {
  const r = copy(ofSession[0]!);
  r.eventID = "00000000-0000-4000-8000-00000000beef";
  r.userIdentity.arn = `arn:aws:sts::457448411975:assumed-role/some-other-role/${SESSION}`;
  r.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::457448411975:role/some-other-role";
  r.userIdentity.sessionContext.sessionIssuer.userName = "some-other-role";
  return r;
})();
/** The same session without `userIdentity.arn`: kept by its issuer and session name. */
const noArn = (() => {
  const r = copy(ofSession[0]!);
  r.eventID = "00000000-0000-4000-8000-00000000a12e";
  delete r.userIdentity.arn;
  r.userIdentity.principalId = `AROAEXAMPLEROLEID:${SESSION}`;
  return r;
})();

/** The user name LookupEvents shows: the IAM user's name, a session's name, `root` for root. */
function usernameOf(record: RecordJson): string | undefined {
  const ui = record.userIdentity;
  if (ui?.type === "Root") return "root";
  if (ui?.type === "AssumedRole")
    return String(ui.principalId ?? ui.arn ?? "")
      .split(/[:/]/)
      .pop();
  return ui?.userName;
}

/** When CloudTrail says the event happened: its eventTime, or a day before now when that is not a time. */
const eventDate = (record: RecordJson) => new Date(Date.parse(record.eventTime) || now.getTime() - 86_400_000);

/** An event as LookupEvents returns it: summary fields plus the full record as JSON text. */
function historyEvent(record: RecordJson): Event {
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    AccessKeyId: record.userIdentity?.accessKeyId,
    EventTime: eventDate(record),
    EventSource: record.eventSource,
    Username: usernameOf(record),
    CloudTrailEvent: JSON.stringify(record),
  };
}

/** Region → `Key=value` → the records that attribute finds there. */
type History = Record<string, Record<string, RecordJson[]>>;

const ct = mockClient(CloudTrailClient);
let clock: FakeClock;
let calls: { region: string; input: LookupEventsCommandInput }[];
const realClock = lookupDeps.clock;

/** Answers like LookupEvents: the window's events, newest first, `pageSize` a page. */
function serve(history: History, pageSize = 50) {
  ct.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput, getClient) => {
    const region = await getClient().config.region();
    calls.push({ region, input });
    const [attribute] = input.LookupAttributes ?? [];
    const key = `${attribute?.AttributeKey}=${attribute?.AttributeValue}`;
    const inWindow = (history[region]?.[key] ?? [])
      .filter((r) => eventDate(r) >= input.StartTime! && eventDate(r) <= input.EndTime!)
      .sort((a, b) => eventDate(b).getTime() - eventDate(a).getTime());
    const page = input.NextToken ? Number(input.NextToken.split("#")[1]) : 0;
    const more = (page + 1) * pageSize < inWindow.length;
    return {
      Events: inWindow.slice(page * pageSize, (page + 1) * pageSize).map(historyEvent),
      ...(more && { NextToken: `${region}/${key}#${page + 1}` }),
    };
  });
}

const lookup = (...args: string[]) => runCli(["lookup", ...args], { now });
const jsonLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const INVISIBLE = /[\u0000-\u0009\u000b-\u001f\u007f\u200b\u202e\u2028]/;
const attributesSent = () => calls.map((c) => c.input.LookupAttributes);

beforeEach(() => {
  ct.reset();
  calls = [];
  now = NOW;
  clock = new FakeClock(NOW.getTime());
  lookupDeps.clock = clock;
});

afterEach(() => {
  lookupDeps.clock = realClock;
});

describe("lookup --principal: which lookup attribute each form sends", () => {
  it.each([
    ["AKIA1JMTHE9ZMZMWG0MG", "AccessKeyId", "AKIA1JMTHE9ZMZMWG0MG", "access-key", false],
    ["ASIAQXZ5EXAMPLE7KQ2M", "AccessKeyId", "ASIAQXZ5EXAMPLE7KQ2M", "access-key", false],
    [USER_ARN, "Username", "christophe", "iam-user", true],
    ["arn:aws:iam::903144391865:user/eng/ops/christophe", "Username", "christophe", "iam-user", true],
    [SESSION_ARN, "Username", SESSION, "assumed-role", true],
    [
      "arn:aws-us-gov:sts::111122223333:assumed-role/Admin/alice@example.com",
      "Username",
      "alice@example.com",
      "assumed-role",
      true,
    ],
    ["arn:aws:iam::111122223333:root", "Username", "root", "root", true],
    ["christophe", "Username", "christophe", "name", false],
  ] as const)("%s → %s=%s", (input, key, value, kind, filtered) => {
    const principal = parsePrincipal(input);
    expect(principal.attribute).toEqual({ key, value });
    expect(principal.kind).toBe(kind);
    expect(principal.filter !== null).toBe(filtered);
  });

  it.each([
    [
      "arn:aws:iam::111122223333:role/Admin",
      /is an IAM role: event history has no lookup for "any session of this role"/,
    ],
    ["arn:aws:iam::111122223333:role/service-role/Admin", /assumed-role\/Admin\/<session>/],
    ["arn:aws:s3:::my-bucket", /not an ARN event history can look up/],
    ["arn:aws:sts::111122223333:federated-user/bob", /not an ARN event history can look up/],
    ["AKIA1JMTHE9ZMZMWG0M", /looks like an access key id but has 19 characters \(20 expected\)/],
    ["alice smith", /expected an ARN, an access key id, or a user or session name/],
    ["a\nb", /expected an ARN/],
  ])("refuses %j with a one-line reason", (input, message) => {
    expect(() => parsePrincipal(input)).toThrow(message);
  });

  it("sends Username=<user name> for an IAM user ARN, in every Region, following NextToken", async () => {
    serve(
      {
        "us-east-1": { "Username=christophe": christophe },
        "eu-west-1": { "Username=christophe": christophe.slice(0, 3) },
      },
      8,
    );
    const run = await lookup(
      "--principal",
      USER_ARN,
      "--region",
      "us-east-1,eu-west-1",
      "--since",
      "90d",
      "--format",
      "json",
    );
    expect(run.stderr).not.toMatch(/Error|at .*\.ts/);
    expect(run.code).toBe(0);
    const pages = Math.ceil(christophe.length / 8);
    expect(calls).toHaveLength(pages + 1);
    for (const { input } of calls) {
      expect(input.LookupAttributes).toEqual([{ AttributeKey: "Username", AttributeValue: "christophe" }]);
      expect(input.MaxResults).toBe(50);
      expect(input.EndTime).toEqual(NOW);
    }
    const east = calls.filter((c) => c.region === "us-east-1").map((c) => c.input.NextToken);
    expect(east).toEqual([
      undefined,
      ...Array.from({ length: pages - 1 }, (_, i) => `us-east-1/Username=christophe#${i + 1}`),
    ]);
    expect(run.stderr).toContain(`: ${pages + 1} page(s)`);
  });

  it("sends AccessKeyId for an access key id and keeps every event it finds", async () => {
    const key = "ASIANQQHHS551LWULIWD";
    serve({ "us-east-1": { [`AccessKeyId=${key}`]: ofSession } });
    const run = await lookup("--principal", key, "--since", "90d", "--format", "json");
    expect(run.code).toBe(0);
    expect(attributesSent()).toEqual([[{ AttributeKey: "AccessKeyId", AttributeValue: key }]]);
    expect(jsonLines(run.stdout)).toHaveLength(ofSession.length);
    expect(run.stderr).not.toContain("dropped");
  });

  it("refuses an IAM role ARN before calling AWS, saying what to pass instead", async () => {
    serve({});
    const run = await lookup("--principal", "arn:aws:iam::111122223333:role/Admin");
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^secretwatch: --principal arn:aws:iam::111122223333:role\/Admin is an IAM role: .*pass the session ARN from the alert \(arn:aws:sts::111122223333:assumed-role\/Admin\/<session>\) or the session's access key id/,
    );
    expect(calls).toHaveLength(0);
    expect(run.stdout).toBe("");
  });

  it("documents the forms and the role-ARN rule in --help", async () => {
    const run = await lookup("--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--principal <arn\|name\|access-key-id>/);
    expect(run.stdout).toMatch(/^ {2}AKIA\.\.\.\/ASIA\.\.\. \(20 characters\) +AccessKeyId, every event kept$/m);
    expect(run.stdout).toMatch(/^ +Username <session>, kept where userIdentity\.arn is the$/m);
    expect(run.stdout).toMatch(/^An IAM role ARN .* is refused/m);
    for (const line of run.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });
});

describe("lookup --principal: only the principal's events", () => {
  it("drops events of the same user name in other accounts (and of a role session of that name)", async () => {
    const session = copy(fixture("assumed-role-console")[0]!);
    session.eventID = "00000000-0000-4000-8000-0000005e5510";
    session.eventTime = "2024-08-31T12:00:00Z";
    session.userIdentity.arn = "arn:aws:sts::903144391865:assumed-role/Admin/christophe";
    serve({ "us-east-1": { "Username=christophe": [...christophe, session] } });
    const run = await lookup("--principal", USER_ARN, "--since", "90d", "--format", "json");
    expect(run.code).toBe(0);
    const events = jsonLines(run.stdout);
    expect(events.map((e) => e.eventID).sort()).toEqual(ofUser.map((r) => r.eventID).sort());
    expect(new Set(events.map((e) => e.principalArn))).toEqual(new Set([USER_ARN]));
    const dropped = christophe.length + 1 - ofUser.length;
    expect(dropped).toBeGreaterThan(5);
    expect(run.stderr).toContain(`${dropped} event(s) of another principal dropped`);
    expect(run.stderr).toContain(`LookupEvents Username=christophe, kept where userIdentity.arn is ${USER_ARN}`);
  });

  it("keeps a role session's events, by ARN or (without one) by issuer and session name, not another role's", async () => {
    serve({ "us-east-1": { [`Username=${SESSION}`]: [...ofSession, otherRole, noArn] } });
    const run = await lookup("--principal", SESSION_ARN, "--since", "90d", "--format", "json");
    expect(run.code).toBe(0);
    const ids = jsonLines(run.stdout).map((e) => e.eventID);
    expect(ids).toContain(noArn.eventID);
    expect(ids).not.toContain(otherRole.eventID);
    expect(ids).toHaveLength(ofSession.length + 1);
    expect(run.stderr).toContain("1 event(s) of another principal dropped");
  });

  it("keeps every principal of a bare name, and says so", async () => {
    serve({ "us-east-1": { "Username=christophe": christophe } });
    const run = await lookup("--principal", "christophe", "--since", "90d", "--format", "json");
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)).toHaveLength(christophe.length);
    const accounts = new Set(christophe.map((r) => r.recipientAccountId));
    expect(accounts.size).toBeGreaterThan(2);
    expect(new Set(jsonLines(run.stdout).map((e) => e.recipientAccountId))).toEqual(accounts);
    expect(run.stderr).toMatch(/note: "christophe" is every IAM user and every role session of that name/);
  });

  it("looks the root user up as Username root, keeps its account only, and says it is unconfirmed", async () => {
    now = MAY;
    const root = fixture("root")[0]!;
    const elsewhere: RecordJson = { ...copy(root), eventID: "00000000-0000-4000-8000-0000000000aa" };
    elsewhere.userIdentity.arn = "arn:aws:iam::999999999999:root";
    serve({ "eu-west-1": { "Username=root": [root, elsewhere] } });
    const run = await lookup(
      "--principal",
      "arn:aws:iam::111122223333:root",
      "--region",
      "eu-west-1",
      "--since",
      "90d",
      "--format",
      "json",
    );
    expect(run.code).toBe(0);
    expect(attributesSent()).toEqual([[{ AttributeKey: "Username", AttributeValue: "root" }]]);
    expect(jsonLines(run.stdout).map((e) => e.eventID)).toEqual([root.eventID]);
    expect(run.stderr).toMatch(/note: the root user is looked up as Username "root".*not confirmed/);
  });
});

describe("lookup --principal: output", () => {
  it("prints every event (not only secret reads) oldest first, one JSON object of AWS-set fields each", async () => {
    serve({ "us-east-1": { "Username=christophe": christophe } }, 8);
    const run = await lookup("--principal", USER_ARN, "--since", "90d", "--format", "json");
    expect(run.code).toBe(0);
    const events = jsonLines(run.stdout);
    expect(run.stdout.trim().split("\n")).toHaveLength(ofUser.length);
    const times = events.map((e) => Date.parse(e.eventTime));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeLessThan(times.at(-1)!);

    const list = events.find((e) => e.eventName === "ListSecrets");
    const source = ofUser.find((r) => r.eventName === "ListSecrets")!;
    expect(list).toEqual({
      eventID: source.eventID,
      eventTime: source.eventTime,
      region: source.awsRegion,
      eventSource: "secretsmanager.amazonaws.com",
      eventName: "ListSecrets",
      eventType: "AwsApiCall",
      readOnly: true,
      outcome: "success",
      errorCode: null,
      errorMessage: null,
      sourceIPAddress: source.sourceIPAddress,
      userAgent: source.userAgent,
      principalArn: USER_ARN,
      identityType: "IAMUser",
      accessKeyId: "AKIA1JMTHE9ZMZMWG0MG",
      recipientAccountId: "903144391865",
      secretValueRead: false,
      secretId: null,
      tamper: false,
      severity: null,
      reasons: null,
    });
    const reads = events.filter((e) => e.secretValueRead);
    expect(reads).toHaveLength(ofUser.length - 1);
    for (const read of reads) {
      expect(read.secretId).toMatch(/^stratus-red-team-retrieve-secret-\d+$/);
      expect(read.severity).toMatch(/^(info|low|medium|high|critical)$/);
      expect(read.reasons.length).toBeGreaterThan(0);
    }
  });

  it("gives each secret read the verdict the normal mode gives it", async () => {
    const reads = ofUser.filter((r) => r.eventName === "GetSecretValue");
    serve({ "us-east-1": { "Username=christophe": ofUser, "EventName=GetSecretValue": reads } });
    const principal = jsonLines((await lookup("--principal", USER_ARN, "--since", "90d", "--format", "json")).stdout);
    const normal = jsonLines((await lookup("--since", "90d", "--format", "json")).stdout);
    const verdict = (e: any) => [e.eventID, e.severity, e.reasons];
    expect(normal).toHaveLength(reads.length);
    expect(
      principal
        .filter((e) => e.secretValueRead)
        .map(verdict)
        .sort(),
    ).toEqual(normal.map(verdict).sort());
    for (const e of normal) expect(e.severity).toMatch(/^(info|low|medium|high|critical)$/);
  });

  it("prints one aligned text line per event: time, Region, source, name, outcome, IP, secret, severity", async () => {
    const account = "457448411975";
    const ofThat = christophe.filter((r) => r.recipientAccountId === account);
    serve({ "us-east-1": { "Username=christophe": ofThat } });
    const run = await lookup("--principal", `arn:aws:iam::${account}:user/christophe`, "--since", "90d");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(ofThat.length + 1);
    expect(lines[0]).toMatch(/^TIME +REGION +SOURCE +EVENT +OUTCOME +SOURCE IP +SECRET +SEVERITY$/);
    const denied = ofThat
      .filter((r) => r.errorCode === "AccessDenied")
      .sort((a, b) => (a.eventTime < b.eventTime ? -1 : 1))[0]!;
    expect(lines[1]).toMatch(
      new RegExp(
        `^${denied.eventTime} +${denied.awsRegion} +sts\\.amazonaws\\.com +AssumeRole +denied AccessDenied +${denied.sourceIPAddress.replace(/\./g, "\\.")} +- +-$`,
      ),
    );
    // Columns line up: every line has SOURCE at the header's offset.
    const at = lines[0]!.indexOf("SOURCE ");
    for (const line of lines.slice(1)) expect(line.slice(at, at + 18)).toBe("sts.amazonaws.com ");
  });

  it("summarises on stderr: counts, the top 10 source × name pairs, and the reads as the normal mode does", async () => {
    const base = ofUser.find((r) => r.eventName === "ListSecrets")!;
    const many = Array.from({ length: 12 }, (_, i) =>
      Array.from({ length: 12 - i }, (_, j) => ({
        ...copy(base),
        eventID: `00000000-0000-4000-8000-${String(i * 100 + j).padStart(12, "0")}`,
        eventSource: `svc${String(i).padStart(2, "0")}.amazonaws.com`,
        eventName: `Describe${i}`,
      })),
    ).flat();
    serve({ "us-east-1": { "Username=christophe": [...ofUser, ...many] } });
    const run = await lookup("--principal", USER_ARN, "--since", "90d");
    expect(run.code).toBe(0);
    const reads = ofUser.length - 1;
    const gets = ofUser.filter((r) => r.eventName === "GetSecretValue").length;
    expect(run.stderr).toMatch(
      new RegExp(
        `^lookup: ${ofUser.length + many.length} event\\(s\\) of the principal, ${reads} secret-value retrieval\\(s\\) \\(\\d+ \\w+`,
        "m",
      ),
    );
    const table = run.stderr.slice(run.stderr.indexOf("Events by source and name (top 10 of 14):"));
    const rows = table.split("\n").slice(2, 12);
    expect(rows[0]).toMatch(new RegExp(`^ +${gets} {2}secretsmanager\\.amazonaws\\.com +GetSecretValue$`));
    expect(rows[1]).toMatch(/^ +12 {2}svc00\.amazonaws\.com +Describe0$/);
    expect(rows[9]).toMatch(/^ +4 {2}svc08\.amazonaws\.com +Describe8$/);
    expect(table.split("\n")[12]).toBe("  (4 more)");
    expect(run.stderr).toContain("Secret-value retrievals by secret and principal:");
    expect(run.stderr).toMatch(
      /^ {2}stratus-red-\S+ +\S*christophe +1 +0 +0 /m, // cut to fit 100 columns
    );
  });

  it("sanitises hostile record strings in text lines and keeps JSON lines printable ASCII", async () => {
    now = MAY;
    const key = "AKIAQXZ5EXAMPLEH3VNA";
    const evil = copy(fixture("failures")[0]!);
    Object.assign(evil, {
      eventID: "00000000-0000-4000-8000-00000000e71l",
      eventTime: "2024-05-31T00:00:00Z",
      errorCode: "AccessDenied\nSubject: you are fired",
      sourceIPAddress: "10.0.0.1\u202Egnp.exe",
      requestParameters: { secretId: "prod/db\r\n\u001b[2J\u200Bx" },
      userAgent: "curl\u0007\u2028next",
    });
    serve({ "eu-west-1": { [`AccessKeyId=${key}`]: [...fixture("hostile"), evil] } });
    const args = ["--principal", key, "--region", "eu-west-1", "--since", "90d"];
    const text = await lookup(...args);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1 + 4);
    const line = lines.find((l) => l.startsWith("2024-05-31T00:00:00Z"))!;
    expect(line).toContain("denied AccessDenied\\nSubject: you are fired");
    expect(line).toContain("10.0.0.1\\u202Egnp.exe");
    expect(line).toContain("prod/db\\r\\n\\x1B[2J\\u200Bx");
    expect(text.stdout).not.toMatch(INVISIBLE);
    // The hostile fixture's odd types (number IP, object secretId, string userIdentity) do not break a line.
    expect(text.stdout).not.toContain("[object Object]");

    const json = await lookup(...args, "--format", "json");
    expect(json.code).toBe(0);
    expect(json.stdout).toMatch(/^[\x20-\x7e\n]*$/);
    const parsed = jsonLines(json.stdout);
    expect(parsed).toHaveLength(4);
    const back = parsed.find((e) => e.eventID === evil.eventID);
    expect(back).toMatchObject({
      errorCode: evil.errorCode,
      sourceIPAddress: evil.sourceIPAddress,
      userAgent: evil.userAgent,
    });
    expect(back.secretId).toBe(evil.requestParameters.secretId);
    expect(json.stderr).not.toMatch(INVISIBLE);
  });
});
