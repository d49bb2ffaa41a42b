/**
 * `secretwatch resubscribe` and the pager addresses, against a mocked SNS (documented response
 * shapes): a pager address missing from the alert topic is subscribed with the pager's filter
 * policy (the stage policy's `page` severity) and nothing else; confirmed and pending ones are
 * left alone, as for alert addresses; a policy that cannot be read subscribes nobody.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { resubscribe as resubscribeTopics } from "../../packages/cli/src/resubscribe/run.js";
import { runResubscribe } from "./resubscribe-run.js";

const ACCOUNT = "123456789012";
const ALERTS = `arn:aws:sns:us-east-1:${ACCOUNT}:secretwatch-dev-alerts`;
const PAGER = `arn:aws:sns:us-east-1:${ACCOUNT}:secretwatch-dev-pager`;
const NEW_ARN = `${ALERTS}:7a1c3e5f-0b2d-4f6a-8c9e-1d3f5b7a9c0e`;
/** The stack's filter for page high (tests/stacks/pager.test.ts checks the same text). */
const PAGE_HIGH = '{"severity":["high","critical"],"kind":["alert","summary"]}';
const SCOPE = "MessageAttributes";

const sns = mockClient(SNSClient);
let subscriptions: Record<string, Subscription[]>;

const email = (topic: string, endpoint: string, arn = `${topic}:0a1b2c3d-4e5f-${endpoint.length}`): Subscription => ({
  SubscriptionArn: arn,
  Owner: ACCOUNT,
  Protocol: "email",
  Endpoint: endpoint,
  TopicArn: topic,
});

beforeEach(() => {
  sns.reset();
  subscriptions = {
    [ALERTS]: [email(ALERTS, "alice@example.com")],
    [PAGER]: [email(PAGER, "oncall@example.com")],
  };
  sns.on(ListTopicsCommand).resolves({ Topics: [{ TopicArn: ALERTS }, { TopicArn: PAGER }] });
  sns
    .on(ListSubscriptionsByTopicCommand)
    .callsFake((input) => ({ Subscriptions: subscriptions[input.TopicArn] ?? [] }));
  // With ReturnSubscriptionArn the answer is the new subscription's ARN, even while pending.
  sns.on(SubscribeCommand).callsFake((input) => ({
    SubscriptionArn: input.ReturnSubscriptionArn ? NEW_ARN : "pending confirmation",
  }));
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository with `files` (name -> text) beside its sst.config.ts. */
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "secretwatch-resubscribe-pager-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "sst.config.ts"), "");
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const SETTINGS = "SECRETWATCH_ALERT_EMAILS=alice@example.com\nSECRETWATCH_PAGER_EMAILS=oncall@example.com\n";

const resubscribe = runResubscribe;

const subscribed = () => sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input);

describe("resubscribe: pager addresses on the alert topic", () => {
  it("re-creates a missing pager subscription with the stack's filter policy, and only that one", async () => {
    const dir = repo({ ".env.dev": SETTINGS });
    const lines = await resubscribe([], dir);
    expect(subscribed()).toEqual([
      {
        TopicArn: ALERTS,
        Protocol: "email",
        Endpoint: "oncall@example.com",
        Attributes: { FilterPolicy: PAGE_HIGH, FilterPolicyScope: SCOPE },
        ReturnSubscriptionArn: true,
      },
    ]);
    expect(lines).toContain("pager filter: high and above (default policy)");
    expect(lines).toContain(
      `topic secretwatch-dev-alerts: subscribed oncall@example.com (SECRETWATCH_PAGER_EMAILS, filter policy ${PAGE_HIGH}) as ${NEW_ARN}; a confirmation email is on its way: click its link within 48 hours (check spam)`,
    );
    expect(lines).toContain(
      "topic secretwatch-dev-pager: every configured address is subscribed (already subscribed: oncall@example.com)",
    );
  });

  it("takes the page severity from the policy file sst deploy reads (SECRETWATCH_POLICY_FILE of the stage)", async () => {
    const dir = repo({
      ".env.dev": `${SETTINGS}SECRETWATCH_POLICY_FILE=config/pager.policy.yaml\n`,
      // The default file says medium: it must not be the one read.
      "secretwatch.policy.yaml": "version: 1\nnotify: low\npage: medium\n",
    });
    mkdirSync(path.join(dir, "config"));
    writeFileSync(path.join(dir, "config", "pager.policy.yaml"), "version: 1\nnotify: medium\npage: critical\n");
    const lines = await resubscribe([], dir);
    expect(subscribed().map((s) => s.Attributes)).toEqual([
      { FilterPolicy: '{"severity":["critical"],"kind":["alert","summary"]}', FilterPolicyScope: SCOPE },
    ]);
    expect(lines).toContain(`pager filter: critical and above (${path.join("config", "pager.policy.yaml")})`);
  });

  it("reads SECRETWATCH_POLICY_FILE from .env too, as SST loads it", async () => {
    const dir = repo({
      ".env": "SECRETWATCH_POLICY_FILE=shared.policy.yaml\n",
      ".env.dev": SETTINGS,
      "shared.policy.yaml": "version: 1\nnotify: low\npage: critical\n",
    });
    await resubscribe([], dir);
    expect(subscribed().map((s) => s.Attributes?.FilterPolicy)).toEqual([
      '{"severity":["critical"],"kind":["alert","summary"]}',
    ]);
  });

  it("--policy names the file instead", async () => {
    const dir = repo({ ".env.dev": SETTINGS, "other.yaml": "version: 1\nnotify: low\npage: medium\n" });
    await resubscribe(["--policy", "other.yaml", "--dry-run"], dir);
    expect(subscribed()).toEqual([]);
    await resubscribe(["--policy", "other.yaml"], dir);
    expect(subscribed().map((s) => s.Attributes?.FilterPolicy)).toEqual([
      '{"severity":["medium","high","critical"],"kind":["alert","summary"]}',
    ]);
  });

  it("leaves a confirmed pager subscription alone", async () => {
    subscriptions[ALERTS]?.push(email(ALERTS, "OnCall@Example.com"));
    const lines = await resubscribe([], repo({ ".env.dev": SETTINGS }));
    expect(subscribed()).toEqual([]);
    expect(lines).toContain(
      "topic secretwatch-dev-alerts: every configured address is subscribed (already subscribed: alice@example.com, oncall@example.com)",
    );
  });

  it("leaves a pending pager subscription alone, as a pending alert address (no second confirmation email)", async () => {
    subscriptions[ALERTS]?.push(email(ALERTS, "oncall@example.com", "PendingConfirmation"));
    subscriptions[PAGER] = [email(PAGER, "oncall@example.com", "PendingConfirmation")];
    const lines = await resubscribe([], repo({ ".env.dev": SETTINGS }));
    expect(subscribed()).toEqual([]);
    expect(lines).toContain(
      "topic secretwatch-dev-alerts: every configured address is subscribed (already subscribed: alice@example.com, oncall@example.com)",
    );
    expect(lines).toContain(
      "topic secretwatch-dev-pager: every configured address is subscribed (already subscribed: oncall@example.com)",
    );
  });

  it("subscribes an address that is both alert and pager address once, unfiltered (as the stack)", async () => {
    const dir = repo({
      ".env.dev":
        "SECRETWATCH_ALERT_EMAILS=alice@example.com, lead@example.com\nSECRETWATCH_PAGER_EMAILS=Lead@Example.com\n",
    });
    subscriptions[PAGER] = [email(PAGER, "lead@example.com")];
    await resubscribe([], dir);
    expect(subscribed()).toEqual([{ TopicArn: ALERTS, Protocol: "email", Endpoint: "lead@example.com" }]);
  });

  it("re-creates the pager topic's unfiltered subscription without a filter", async () => {
    subscriptions[ALERTS]?.push(email(ALERTS, "oncall@example.com"));
    subscriptions[PAGER] = [];
    await resubscribe([], repo({ ".env.dev": SETTINGS }));
    expect(subscribed()).toEqual([{ TopicArn: PAGER, Protocol: "email", Endpoint: "oncall@example.com" }]);
  });

  it("--dry-run names the filter and subscribes nobody", async () => {
    const lines = await resubscribe(["--dry-run"], repo({ ".env.dev": SETTINGS }));
    expect(subscribed()).toEqual([]);
    expect(lines).toContain(
      `topic secretwatch-dev-alerts: would subscribe oncall@example.com (SECRETWATCH_PAGER_EMAILS, filter policy ${PAGE_HIGH}) (--dry-run)`,
    );
  });

  it("subscribes nobody, and calls no AWS API, when the policy file is invalid", async () => {
    const dir = repo({ ".env.dev": SETTINGS, "secretwatch.policy.yaml": "version: 1\npage: HIGH\n" });
    await expect(resubscribe([], dir)).rejects.toThrow(/secretwatch\.policy\.yaml is not valid/);
    expect(sns.calls()).toHaveLength(0);
  });

  it("does not read the policy when no pager address needs the alert topic", async () => {
    const dir = repo({
      ".env.dev": "SECRETWATCH_ALERT_EMAILS=carol@example.com\n",
      "secretwatch.policy.yaml": "version: 1\npage: HIGH\n",
    });
    const lines = await resubscribe([], dir);
    expect(subscribed()).toEqual([{ TopicArn: ALERTS, Protocol: "email", Endpoint: "carol@example.com" }]);
    expect(lines.some((l) => l.startsWith("pager filter"))).toBe(false);
  });

  it("refuses a filter without a policy: a pager address is never subscribed unfiltered", async () => {
    const run = resubscribeTopics(
      new SNSClient({ region: "us-east-1" }),
      [
        {
          topic: "secretwatch-dev-alerts",
          setting: "SECRETWATCH_ALERT_EMAILS",
          addresses: [],
          filtered: {
            setting: "SECRETWATCH_PAGER_EMAILS",
            addresses: ["oncall@example.com"],
            attributes: { FilterPolicy: " ", FilterPolicyScope: SCOPE },
          },
        },
      ],
      { dryRun: false, region: "us-east-1" },
    );
    await expect(run).rejects.toThrow("no filter policy for SECRETWATCH_PAGER_EMAILS");
    expect(subscribed()).toEqual([]);
  });
});
