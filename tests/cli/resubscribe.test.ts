/**
 * `secretwatch resubscribe` against a mocked SNS (documented response shapes): an address SNS
 * deleted (48 hours unconfirmed) or that unsubscribed is subscribed again, on its own topic;
 * confirmed, pending and unlisted subscriptions are left alone. Pager addresses:
 * resubscribe-pager.test.ts.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SNSClient,
  SubscribeCommand,
  type Subscription,
} from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runResubscribe } from "./resubscribe-run.js";

const ACCOUNT = "123456789012";
const ALERTS = `arn:aws:sns:us-east-1:${ACCOUNT}:secretwatch-dev-alerts`;
const OPS = `arn:aws:sns:us-east-1:${ACCOUNT}:secretwatch-dev-ops`;

const sns = mockClient(SNSClient);
let subscriptions: Record<string, Subscription[]>;

const email = (topic: string, endpoint: string, arn = `${topic}:${endpoint.length}0a1b2c3d-4e5f`): Subscription => ({
  SubscriptionArn: arn,
  Owner: ACCOUNT,
  Protocol: "email",
  Endpoint: endpoint,
  TopicArn: topic,
});

beforeEach(() => {
  sns.reset();
  subscriptions = {
    [ALERTS]: [email(ALERTS, "alice@example.com"), email(ALERTS, "old@example.com")],
    [OPS]: [email(OPS, "ops@example.com", "PendingConfirmation")],
  };
  sns.on(ListTopicsCommand).resolves({
    Topics: [{ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:billing` }, { TopicArn: ALERTS }, { TopicArn: OPS }],
  });
  sns
    .on(ListSubscriptionsByTopicCommand)
    .callsFake((input) => ({ Subscriptions: subscriptions[input.TopicArn] ?? [] }));
  sns.on(SubscribeCommand).resolves({ SubscriptionArn: "pending confirmation" });
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function repo(stageFile: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-resubscribe-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "sst.config.ts"), "");
  writeFileSync(path.join(dir, ".env.dev"), stageFile);
  return dir;
}

const resubscribe = runResubscribe;

const subscribed = () => sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input);

describe("resubscribe", () => {
  it("subscribes the configured address SNS no longer has, once, and leaves the others alone", async () => {
    const dir = repo("SECRETWATCH_ALERT_EMAILS=alice@example.com, Bob@Example.com, bob@example.com\n");
    const lines = await resubscribe([], dir);
    expect(subscribed()).toEqual([{ TopicArn: ALERTS, Protocol: "email", Endpoint: "bob@example.com" }]);
    expect(lines).toEqual([
      `settings read from ${dir}/.env.dev (log group /secretwatch/dev/cloudtrail)`,
      "topic secretwatch-dev-alerts: subscribed bob@example.com; a confirmation email is on its way: click its link within 48 hours (check spam)",
      "topic secretwatch-dev-alerts: also subscribed, but in no setting (left alone): old@example.com",
    ]);
  });

  it("keeps a pending subscription (no second confirmation email) and fills the ops topic", async () => {
    const dir = repo(
      "SECRETWATCH_ALERT_EMAILS=alice@example.com\nSECRETWATCH_OPS_EMAILS=ops@example.com, night@example.com\n",
    );
    const lines = await resubscribe([], dir);
    expect(subscribed()).toEqual([{ TopicArn: OPS, Protocol: "email", Endpoint: "night@example.com" }]);
    expect(lines).toContain(
      "topic secretwatch-dev-alerts: every configured address is subscribed (already subscribed: alice@example.com)",
    );
    expect(lines).toContain(
      "topic secretwatch-dev-ops: subscribed night@example.com; a confirmation email is on its way: click its link within 48 hours (check spam)",
    );
  });

  it("--dry-run subscribes nobody", async () => {
    const lines = await resubscribe(["--dry-run"], repo("SECRETWATCH_ALERT_EMAILS=carol@example.com\n"));
    expect(subscribed()).toEqual([]);
    expect(lines).toContain("topic secretwatch-dev-alerts: would subscribe carol@example.com (--dry-run)");
  });

  it("refuses with one line when the topic is not deployed", async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    await expect(resubscribe([], repo("SECRETWATCH_ALERT_EMAILS=carol@example.com\n"))).rejects.toThrow(
      "topic secretwatch-dev-alerts not found in us-east-1: deploy the stage first (npx sst deploy)",
    );
    expect(subscribed()).toEqual([]);
  });

  it("refuses when no address is configured (no settings file found)", async () => {
    await expect(resubscribe([], repo("SECRETWATCH_DIGEST=daily\n"))).rejects.toThrow(/no addresses configured/);
    expect(sns.commandCalls(ListTopicsCommand)).toHaveLength(0);
  });
});
