/**
 * Topic check: the alert topic has at least one confirmed email subscription; every email
 * subscription still `PendingConfirmation` is flagged with its address (until its recipient
 * clicks the link in the confirmation email, SNS sends it nothing).
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html
 */
import type { Subscription } from "@aws-sdk/client-sns";
import { type CheckResult, type FixHints, fail, pass } from "./report.js";

/** `SubscriptionArn` of a subscription whose endpoint has not confirmed yet. */
export const PENDING_CONFIRMATION = "PendingConfirmation";

const EMAIL_PROTOCOLS = new Set(["email", "email-json"]);

/** Finds the topic named `name` in ListTopics' `Topics` (ARNs end with `:<name>`). */
export function findTopicArn(topicArns: readonly (string | undefined)[], name: string): string | undefined {
  return topicArns.find((arn) => arn?.split(":")[5] === name);
}

/** Checks ListSubscriptionsByTopic's `Subscriptions` (all pages) of the alert topic. */
export function checkSubscriptions(
  topicName: string,
  subscriptions: readonly Subscription[],
  hints: FixHints,
): CheckResult[] {
  const subscribe = `list the addresses in SECRETWATCH_ALERT_EMAILS (.env.<stage>) and run ${hints.deploy}`;
  if (subscriptions.length === 0) {
    return [fail("topic", `topic ${topicName} has no subscriptions: alerts reach nobody`, subscribe)];
  }
  const emails = subscriptions.filter(isEmailSubscription);
  const confirmed = emails.filter((s) => s.SubscriptionArn?.startsWith("arn:"));
  const pending = emails.filter((s) => s.SubscriptionArn === PENDING_CONFIRMATION);

  const results: CheckResult[] = [];
  if (confirmed.length > 0) {
    const who = confirmed.map((s) => s.Endpoint).join(", ");
    results.push(
      pass(
        "topic",
        `topic ${topicName} emails ${confirmed.length} confirmed address${confirmed.length === 1 ? "" : "es"}: ${who}`,
      ),
    );
  } else if (pending.length === 0) {
    results.push(fail("topic", `topic ${topicName} has no email subscription: alerts reach no inbox`, subscribe));
  }
  for (const s of pending) {
    results.push(
      fail(
        "topic",
        `email subscription ${s.Endpoint} is pending confirmation: it receives nothing`,
        confirmFix(s.Endpoint),
      ),
    );
  }
  return results;
}

/** The fix for a subscription pending confirmation: its recipient clicks the link. */
export function confirmFix(endpoint: string | undefined): string {
  return `click the link in the confirmation email sent to ${endpoint} (subject "AWS Notification - Subscription Confirmation"; check spam)`;
}

/** An `email` or `email-json` subscription. */
export function isEmailSubscription(subscription: Subscription): boolean {
  return EMAIL_PROTOCOLS.has(subscription.Protocol ?? "");
}

/** The email subscriptions (confirmed or pending) of `address` in `subscriptions`, whatever its case. */
export function emailSubscriptionsOf(subscriptions: readonly Subscription[], address: string): Subscription[] {
  const wanted = address.toLowerCase();
  return subscriptions.filter((s) => isEmailSubscription(s) && (s.Endpoint ?? "").toLowerCase() === wanted);
}

/**
 * Every configured address has a subscription (confirmed or pending) on the topic. SNS deletes
 * an email subscription left unconfirmed for 48 hours, and a recipient can unsubscribe; a later
 * `sst deploy` does not notice (it does not refresh the subscription), so only
 * `secretwatch resubscribe` brings it back.
 * @see https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html
 */
export function checkAddresses(
  topicName: string,
  setting: string,
  addresses: readonly string[],
  subscriptions: readonly Subscription[],
  hints: FixHints,
): CheckResult[] {
  const missing = missingAddresses(topicName, setting, addresses, subscriptions, hints);
  if (missing.length > 0 || addresses.length === 0) return missing;
  return [pass("topic", `every address of ${setting} is subscribed to topic ${topicName}`)];
}

/** {@link checkAddresses}' failures only: one ✗ per address (lower-cased) with no email subscription on the topic. */
export function missingAddresses(
  topicName: string,
  setting: string,
  addresses: readonly string[],
  subscriptions: readonly Subscription[],
  hints: FixHints,
): CheckResult[] {
  const subscribed = new Set(subscriptions.filter(isEmailSubscription).map((s) => (s.Endpoint ?? "").toLowerCase()));
  const missing = [...new Set(addresses.map((a) => a.toLowerCase()))].filter((a) => !subscribed.has(a));
  return missing.map((address) =>
    fail(
      "topic",
      `${address} (${setting}) has no subscription on topic ${topicName}: SNS deleted it after 48 hours unconfirmed, or the recipient unsubscribed; a deploy does not re-create it`,
      hints.cli("resubscribe"),
    ),
  );
}
