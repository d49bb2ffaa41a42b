/**
 * `secretwatch doctor` against aws-sdk-client-mock (see doctor-fixtures.ts): each way the
 * secret-access alarm and the alert topic's subscriptions break.
 */
import { ListTopicsCommand } from "@aws-sdk/client-sns";
import { beforeEach, describe, expect, test } from "vitest";
import { ACCOUNT, healthyWorld, install, mocks, TOPIC_ARN, type World } from "./doctor-fixtures.js";
import { DEPLOY, doctor } from "./doctor-run.js";

let world: World;

beforeEach(() => {
  world = healthyWorld();
  install(world);
});

describe("alarm", () => {
  test("Average alarm is flagged", async () => {
    world.alarms[0]!.Statistic = "Average";
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ alarm secretwatch-dev-secret-access uses Average: for sparse events it never reaches the threshold → fix: set it back to Sum >= 1 per 60 s: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("threshold other than >= 1", async () => {
    world.alarms[0]!.Threshold = 5;
    world.alarms[0]!.ComparisonOperator = "GreaterThanThreshold";
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ alarm secretwatch-dev-secret-access fires on GreaterThanThreshold 5, not >= 1 → fix: set it back to Sum >= 1 per 60 s: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("alarm without the topic as an action", async () => {
    world.alarms[0]!.AlarmActions = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ alarm secretwatch-dev-secret-access does not notify topic secretwatch-dev-alerts (no alarm actions) → fix: ${DEPLOY}`,
    );
    // The topic is still checked, its ARN built from the alarm's.
    expect(run.lines).toContain(
      "✓ topic secretwatch-dev-alerts emails 2 confirmed addresses: alice@example.com, bob@example.com",
    );
    expect(run.code).toBe(1);
  });

  test("actions disabled", async () => {
    world.alarms[0]!.ActionsEnabled = false;
    const run = await doctor();
    expect(run.lines).toContain(
      "✗ alarm secretwatch-dev-secret-access has its actions disabled: it notifies nobody → fix: aws cloudwatch enable-alarm-actions --alarm-names secretwatch-dev-secret-access",
    );
  });

  test("in ALARM: reported as a warning", async () => {
    world.alarms[0]!.StateValue = "ALARM";
    world.alarms[0]!.StateUpdatedTimestamp = new Date("2024-07-31T23:50:00Z");
    const run = await doctor();
    expect(run.lines).toContain(
      "! alarm secretwatch-dev-secret-access is in ALARM since 2024-07-31T23:50:00.000Z: it emails again only after returning to OK → fix: nothing to do if reads are expected; the enricher still emails each read",
    );
    expect(run.code).toBe(0);
  });

  test("missing alarm: ✗, and the topic is found with ListTopics (paginated)", async () => {
    world.alarms = [];
    const run = await doctor();
    expect(run.lines).toContain(`✗ alarm secretwatch-dev-secret-access not found → fix: ${DEPLOY}`);
    expect(run.lines).toContain(
      "✓ topic secretwatch-dev-alerts emails 2 confirmed addresses: alice@example.com, bob@example.com",
    );
    expect(mocks.sns.commandCalls(ListTopicsCommand)).toHaveLength(2);
    expect(run.code).toBe(1);
  });
});

describe("topic", () => {
  test("a pending subscription is flagged with its address", async () => {
    world.subscriptions[1]!.SubscriptionArn = "PendingConfirmation";
    const run = await doctor();
    expect(run.lines).toContain("✓ topic secretwatch-dev-alerts emails 1 confirmed address: alice@example.com");
    expect(run.lines).toContain(
      '✗ email subscription bob@example.com is pending confirmation: it receives nothing → fix: click the link in the confirmation email sent to bob@example.com (subject "AWS Notification - Subscription Confirmation"; check spam)',
    );
    expect(run.code).toBe(1);
  });

  test("no subscriptions", async () => {
    world.subscriptions = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ topic secretwatch-dev-alerts has no subscriptions: alerts reach nobody → fix: list the addresses in SECRETWATCH_ALERT_EMAILS (.env.<stage>) and run ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("only non-email subscriptions", async () => {
    world.subscriptions = [
      {
        SubscriptionArn: `${TOPIC_ARN}:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`,
        Owner: ACCOUNT,
        Protocol: "sqs",
        Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:audit`,
        TopicArn: TOPIC_ARN,
      },
    ];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ topic secretwatch-dev-alerts has no email subscription: alerts reach no inbox → fix: list the addresses in SECRETWATCH_ALERT_EMAILS (.env.<stage>) and run ${DEPLOY}`,
    );
  });

  test("topic gone", async () => {
    world.topics = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ cannot list the subscriptions of topic secretwatch-dev-alerts (sns:ListSubscriptionsByTopic): NotFoundException: Topic does not exist → fix: deploy the stage: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });
});
