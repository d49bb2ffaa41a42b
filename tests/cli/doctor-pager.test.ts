/**
 * `secretwatch doctor` and the pager (SECRETWATCH_PAGER_EMAILS) against aws-sdk-client-mock (see
 * doctor-fixtures.ts): each pager address on the pager topic, and on the alert topic with the
 * filter policy the stage's policy implies, read with GetSubscriptionAttributes (documented
 * `Attributes` map; SNS omits `FilterPolicy` on an unfiltered subscription).
 * @see https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
 */
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSServiceException,
  type Subscription,
} from "@aws-sdk/client-sns";
import { beforeEach, describe, expect, test } from "vitest";
import {
  ACCOUNT,
  DOCTOR_COMMANDS,
  failEvery,
  healthyWorld,
  install,
  mocks,
  REGION,
  TOPIC_ARN,
  type World,
} from "./doctor-fixtures.js";
import { DEPLOY, doctor, repository, STAGE_ENV } from "./doctor-run.js";

const PAGER_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:secretwatch-dev-pager`;
const ONCALL = "oncall@example.com";
const ONCALL_ALERTS_ARN = `${TOPIC_ARN}:3e1d5c7a-9b0f-4a2c-8e6d-5f7a9c1b3d5e`;
const ONCALL_PAGER_ARN = `${PAGER_ARN}:8d2f4b6a-1c3e-4f5a-9b7d-2e4f6a8c0b1d`;
/** The stack's filter for page high, the default (tests/stacks/pager.test.ts pins the same text). */
const PAGE_HIGH = '{"severity":["high","critical"],"kind":["alert","summary"]}';
const RESUBSCRIBE = "secretwatch resubscribe --stage dev";
/** A filter changed outside the stack is not in SST's state: refresh adopts it, the deploy puts the stack's back. */
const REFRESH_DEPLOY = `npx sst refresh --stage dev, then ${DEPLOY}`;
const ALERTS = "secretwatch-dev-alerts";
const PAGER = "secretwatch-dev-pager";

const PAGER_ENV = `${STAGE_ENV}SECRETWATCH_PAGER_EMAILS=${ONCALL}\n`;

const email = (topicArn: string, endpoint: string, arn: string): Subscription => ({
  SubscriptionArn: arn,
  Owner: ACCOUNT,
  Protocol: "email",
  Endpoint: endpoint,
  TopicArn: topicArn,
});

/** GetSubscriptionAttributes' map for a confirmed email subscription; `filter` adds FilterPolicy (and its scope). */
function attributesOf(topicArn: string, arn: string, endpoint: string, filter?: Record<string, string>) {
  return {
    SubscriptionArn: arn,
    TopicArn: topicArn,
    Owner: ACCOUNT,
    SubscriptionPrincipal: `arn:aws:iam::${ACCOUNT}:user/deployer`,
    Protocol: "email",
    Endpoint: endpoint,
    ConfirmationWasAuthenticated: "false",
    PendingConfirmation: "false",
    RawMessageDelivery: "false",
    ...filter,
  };
}

let world: World;
/** GetSubscriptionAttributes' answers, by subscription ARN. */
let attributes: Record<string, Record<string, string>>;

beforeEach(() => {
  world = healthyWorld();
  world.topics.push(PAGER_ARN);
  world.subscriptions.push(email(TOPIC_ARN, ONCALL, ONCALL_ALERTS_ARN));
  world.otherSubscriptions = { [PAGER_ARN]: [email(PAGER_ARN, ONCALL, ONCALL_PAGER_ARN)] };
  install(world);
  attributes = {
    [ONCALL_ALERTS_ARN]: attributesOf(TOPIC_ARN, ONCALL_ALERTS_ARN, ONCALL, {
      FilterPolicy: PAGE_HIGH,
      FilterPolicyScope: "MessageAttributes",
    }),
  };
  mocks.sns.on(GetSubscriptionAttributesCommand).callsFake((input) => {
    const failure = world.failures.GetSubscriptionAttributesCommand;
    if (failure) throw failure;
    const found = attributes[input.SubscriptionArn];
    if (!found) throw Object.assign(new Error("Subscription does not exist"), { name: "NotFoundException" });
    return { Attributes: found };
  });
  rmSync(path.join(repository(PAGER_ENV), "secretwatch.policy.yaml"), { force: true });
});

const run = (stageFile = PAGER_ENV) => doctor([], { cwd: repository(stageFile) });
const pagerLines = (lines: string[]) => lines.filter((l) => l.includes(PAGER) || l.includes("pager subscription"));
const setFilter = (filter: Record<string, string>) => {
  attributes[ONCALL_ALERTS_ARN] = attributesOf(TOPIC_ARN, ONCALL_ALERTS_ARN, ONCALL, filter);
};

describe("doctor: pager subscriptions", () => {
  test("both subscriptions present, the filter as the default policy implies: passes", async () => {
    const result = await run();
    expect(pagerLines(result.lines)).toEqual([
      `✓ every address of SECRETWATCH_PAGER_EMAILS is subscribed to topic ${PAGER}`,
      `✓ pager subscription ${ONCALL} on topic ${ALERTS} filters as the stage's policy implies: high and above`,
    ]);
    expect(mocks.sns.commandCalls(GetSubscriptionAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { SubscriptionArn: ONCALL_ALERTS_ARN },
    ]);
    expect(result.code).toBe(0);
  });

  test("the same policy with other key order, spacing and value order passes (compared parsed)", async () => {
    setFilter({ FilterPolicy: '{\n  "kind": ["summary", "alert"],\n  "severity": ["critical", "high"]\n}' });
    const result = await run();
    expect(result.lines).toContain(
      `✓ pager subscription ${ONCALL} on topic ${ALERTS} filters as the stage's policy implies: high and above`,
    );
    expect(result.code).toBe(0);
  });

  test("no subscription on the pager topic: ✗ naming resubscribe", async () => {
    world.otherSubscriptions = { [PAGER_ARN]: [] };
    const result = await run();
    expect(result.lines).toContain(
      `✗ ${ONCALL} (SECRETWATCH_PAGER_EMAILS) has no subscription on topic ${PAGER}: SNS deleted it after 48 hours unconfirmed, or the recipient unsubscribed; a deploy does not re-create it → fix: ${RESUBSCRIBE}`,
    );
    expect(result.code).toBe(1);
  });

  test("no filtered subscription on the alert topic: ✗ naming resubscribe", async () => {
    world.subscriptions = world.subscriptions.filter((s) => s.Endpoint !== ONCALL);
    const result = await run();
    expect(result.lines).toContain(
      `✗ ${ONCALL} (SECRETWATCH_PAGER_EMAILS) has no subscription on topic ${ALERTS}: SNS deleted it after 48 hours unconfirmed, or the recipient unsubscribed; a deploy does not re-create it → fix: ${RESUBSCRIBE}`,
    );
    expect(mocks.sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(0);
    expect(result.code).toBe(1);
  });

  test("an unfiltered pager subscription on the alert topic: ✗, it pages on every read", async () => {
    setFilter({});
    const result = await run();
    expect(result.lines).toContain(
      `✗ pager subscription ${ONCALL} on topic ${ALERTS} has no filter policy: it pages on every read, not only high and above → fix: ${REFRESH_DEPLOY}`,
    );
    expect(result.code).toBe(1);
  });

  test("a filter of another severity than the stage policy's page: ✗ saying both", async () => {
    setFilter({
      FilterPolicy: '{"severity":["critical"],"kind":["alert","summary"]}',
      FilterPolicyScope: "MessageAttributes",
    });
    const result = await run();
    expect(result.lines).toContain(
      `✗ pager subscription ${ONCALL} on topic ${ALERTS} filters {"severity":["critical"],"kind":["alert","summary"]}, not ${PAGE_HIGH} (the stage policy's page high) → fix: ${REFRESH_DEPLOY}`,
    );
    expect(result.code).toBe(1);
  });

  test("the page severity is the stage policy file's: page critical makes the deployed high filter wrong", async () => {
    const dir = repository(PAGER_ENV);
    writeFileSync(path.join(dir, "secretwatch.policy.yaml"), "version: 1\nnotify: low\npage: critical\n");
    const wrong = await run();
    expect(wrong.lines).toContain(
      `✗ pager subscription ${ONCALL} on topic ${ALERTS} filters ${PAGE_HIGH}, not {"severity":["critical"],"kind":["alert","summary"]} (the stage policy's page critical) → fix: ${REFRESH_DEPLOY}`,
    );
    setFilter({ FilterPolicy: '{"severity":["critical"],"kind":["alert","summary"]}' });
    const right = await run();
    expect(right.lines).toContain(
      `✓ pager subscription ${ONCALL} on topic ${ALERTS} filters as the stage's policy implies: critical and above`,
    );
  });

  test("a filter on the message body: ✗, the plain-text alerts never match it", async () => {
    setFilter({ FilterPolicy: PAGE_HIGH, FilterPolicyScope: "MessageBody" });
    const result = await run();
    expect(result.lines).toContain(
      `✗ pager subscription ${ONCALL} on topic ${ALERTS} filters on MessageBody, not MessageAttributes: the alert emails are plain text, it pages on nothing → fix: ${REFRESH_DEPLOY}`,
    );
  });

  test("a filter policy that is not JSON: ✗", async () => {
    setFilter({ FilterPolicy: "severity=high" });
    const result = await run();
    expect(result.lines).toContain(
      `✗ pager subscription ${ONCALL} on topic ${ALERTS} has a filter policy that is not JSON: it pages on nothing → fix: ${REFRESH_DEPLOY}`,
    );
  });

  test("an invalid policy file: ✗ saying why, the rest is still checked", async () => {
    writeFileSync(path.join(repository(PAGER_ENV), "secretwatch.policy.yaml"), "version: 1\npage: HIGH\n");
    const result = await run();
    const line = result.lines.find((l) => l.startsWith(`✗ cannot check the pager's filter on topic ${ALERTS}:`));
    expect(line).toMatch(/secretwatch\.policy\.yaml is not valid .* → fix: correct the policy file/);
    expect(result.lines).toContain(`✓ every address of SECRETWATCH_PAGER_EMAILS is subscribed to topic ${PAGER}`);
    expect(mocks.sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(0);
  });

  test("pending subscriptions: the pager topic's is ✗, the alert topic's filter is not checked (no attributes)", async () => {
    world.otherSubscriptions = { [PAGER_ARN]: [email(PAGER_ARN, ONCALL, "PendingConfirmation")] };
    const alerts = world.subscriptions.find((s) => s.Endpoint === ONCALL);
    if (alerts) alerts.SubscriptionArn = "PendingConfirmation";
    const result = await run();
    expect(result.lines).toContain(
      `✗ email subscription ${ONCALL} on topic ${PAGER} is pending confirmation: it gets no alarm notification → fix: click the link in the confirmation email sent to ${ONCALL} (subject "AWS Notification - Subscription Confirmation"; check spam)`,
    );
    expect(result.lines).toContain(
      `! filter policy of pager subscription ${ONCALL} on topic ${ALERTS} not checked: it is pending confirmation (SNS reads no attributes until then)`,
    );
    // The alert topic's own check flags it pending, as for any address.
    expect(result.lines).toContain(
      `✗ email subscription ${ONCALL} is pending confirmation: it receives nothing → fix: click the link in the confirmation email sent to ${ONCALL} (subject "AWS Notification - Subscription Confirmation"; check spam)`,
    );
    expect(mocks.sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(0);
    expect(result.code).toBe(1);
  });

  test("an address in both lists needs no filtered subscription: its alert one is not read", async () => {
    const both = `SECRETWATCH_ALERT_EMAILS=alice@example.com, bob@example.com, ${ONCALL}\nSECRETWATCH_PAGER_EMAILS=${ONCALL.toUpperCase()}\n`;
    setFilter({}); // unfiltered, as the alert subscription of an alert address is
    const result = await run(both);
    expect(pagerLines(result.lines)).toEqual([
      `✓ every address of SECRETWATCH_PAGER_EMAILS is subscribed to topic ${PAGER}`,
    ]);
    expect(mocks.sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(0);
    expect(result.code).toBe(0);
  });

  test("no pager configured: no pager check, no pager topic listed", async () => {
    world.subscriptions = world.subscriptions.filter((s) => s.Endpoint !== ONCALL);
    const result = await run(STAGE_ENV);
    expect(pagerLines(result.lines)).toEqual([]);
    const listed = mocks.sns.commandCalls(ListSubscriptionsByTopicCommand).map((c) => c.args[0].input.TopicArn);
    expect(listed).not.toContain(PAGER_ARN);
    expect(mocks.sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(0);
    expect(result.code).toBe(0);
  });

  test("GetSubscriptionAttributes denied: ✗ naming the permission, the pager topic still checked", async () => {
    world.failures.GetSubscriptionAttributesCommand = new SNSServiceException({
      name: "AuthorizationErrorException",
      $fault: "client",
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: SNS:GetSubscriptionAttributes on resource: ${ONCALL_ALERTS_ARN}`,
    });
    const result = await run();
    const line = result.lines.find((l) => l.includes("(sns:GetSubscriptionAttributes)"));
    expect(line).toMatch(
      new RegExp(
        `^✗ cannot read the filter policy of pager subscription ${ONCALL} on topic ${ALERTS} \\(sns:GetSubscriptionAttributes\\): .* → fix: allow sns:GetSubscriptionAttributes to your AWS identity$`,
      ),
    );
    expect(result.lines).toContain(`✓ every address of SECRETWATCH_PAGER_EMAILS is subscribed to topic ${PAGER}`);
    expect(result.code).toBe(1);
  });

  test("no network: still one 'cannot reach AWS' line with the pager configured", async () => {
    const offline = Object.assign(new Error("getaddrinfo ENOTFOUND sns.us-east-1.amazonaws.com"), {
      code: "ENOTFOUND",
    });
    failEvery(world, offline, [...DOCTOR_COMMANDS, "GetSubscriptionAttributesCommand"]);
    const result = await run();
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^secretwatch: cannot reach AWS \(ENOTFOUND: getaddrinfo ENOTFOUND/);
    expect(result.code).toBe(3);
  });
});
