/**
 * `secretwatch resubscribe`: subscribes again every configured address that has no
 * subscription on its topic. SNS deletes an email subscription left unconfirmed for 48 hours,
 * and a recipient can unsubscribe; `sst deploy` does not notice (it does not refresh the
 * subscription it created), so it never re-creates one. Each address then gets a new
 * confirmation email. Addresses still pending or confirmed are left alone, and so are
 * subscriptions nobody configured (they are only listed).
 *
 * Topics: the alert topic (SECRETWATCH_ALERT_EMAILS unfiltered, and the pager addresses with
 * the pager's filter policy, see filtered), the pager topic (SECRETWATCH_PAGER_EMAILS,
 * unfiltered) and the ops topic (SECRETWATCH_OPS_EMAILS).
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html
 */
import { type SNSClient, SubscribeCommand, type Subscription } from "@aws-sdk/client-sns";
import { type PagerFilter, uniqueEmails } from "@secretwatch/core";
import { listTopicArns, topicSubscriptions } from "../doctor/aws.js";
import { findTopicArn, isEmailSubscription } from "../doctor/topic.js";
import { UserError } from "../errors.js";

/** Addresses subscribed with a filter policy (the pager's on the alert topic), never without it. */
export interface FilteredAddresses {
  setting: string;
  addresses: readonly string[];
  attributes: PagerFilter;
}

export interface TopicAddresses {
  /** Physical topic name (naming.ts). */
  topic: string;
  /** The setting the addresses come from, for the report. */
  setting: string;
  addresses: readonly string[];
  filtered?: FilteredAddresses | undefined;
}

/** A filtered address subscribed now: its subscription ARN (`ReturnSubscriptionArn`), null on --dry-run. */
export interface FilteredSubscription {
  address: string;
  subscriptionArn: string | null;
}

export interface TopicOutcome {
  topic: string;
  topicArn: string | null;
  /** Addresses subscribed again now (each receives a confirmation email). */
  subscribed: string[];
  /** Configured addresses that already had a subscription (confirmed or pending). */
  present: string[];
  /** Email subscriptions of the topic that no setting lists (left alone). */
  unlisted: string[];
  /** The filtered addresses subscribed now, with their setting and filter policy. */
  filtered: { setting: string; filterPolicy: string; subscribed: FilteredSubscription[] } | null;
}

function emailsOf(subscriptions: readonly Subscription[]): Set<string> {
  return new Set(subscriptions.filter(isEmailSubscription).map((s) => (s.Endpoint ?? "").toLowerCase()));
}

/** The Subscribe attributes of a filtered address; refuses a filter without a policy. */
function filterAttributes(filtered: FilteredAddresses): Record<string, string> {
  const { FilterPolicy, FilterPolicyScope } = filtered.attributes;
  if (FilterPolicy.trim() === "" || FilterPolicyScope.trim() === "") {
    throw new UserError(`no filter policy for ${filtered.setting}: refusing to subscribe its addresses unfiltered`);
  }
  return { FilterPolicy, FilterPolicyScope };
}

/** Resubscribes the missing addresses of each topic; `dryRun` lists them without subscribing. */
export async function resubscribe(
  sns: SNSClient,
  topics: readonly TopicAddresses[],
  options: { dryRun: boolean; region: string },
): Promise<TopicOutcome[]> {
  const wanted = topics.filter((t) => t.addresses.length > 0 || (t.filtered?.addresses.length ?? 0) > 0);
  if (wanted.length === 0) {
    throw new UserError("no addresses configured: set SECRETWATCH_ALERT_EMAILS in .env.<stage> (or pass --env-file)");
  }
  const arns = await listTopicArns(sns);
  const outcomes: TopicOutcome[] = [];
  for (const t of wanted) {
    const topicArn = findTopicArn(arns, t.topic) ?? null;
    if (topicArn === null) {
      throw new UserError(`topic ${t.topic} not found in ${options.region}: deploy the stage first (npx sst deploy)`);
    }
    const existing = emailsOf(await topicSubscriptions(sns, topicArn));
    const configured = uniqueEmails(t.addresses);
    const plain = new Set(configured.map((a) => a.toLowerCase()));
    // An address in both lists keeps its one unfiltered subscription (SNS allows one per endpoint).
    const filtered = uniqueEmails(t.filtered?.addresses ?? []).filter((a) => !plain.has(a.toLowerCase()));
    const missing = configured.filter((a) => !existing.has(a.toLowerCase()));
    const missingFiltered = filtered.filter((a) => !existing.has(a.toLowerCase()));
    for (const address of options.dryRun ? [] : missing) {
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "email", Endpoint: address }));
    }
    const subscribedFiltered: FilteredSubscription[] = [];
    if (t.filtered && missingFiltered.length > 0) {
      const Attributes = filterAttributes(t.filtered);
      for (const address of missingFiltered) {
        const out = options.dryRun
          ? undefined
          : await sns.send(
              new SubscribeCommand({
                TopicArn: topicArn,
                Protocol: "email",
                Endpoint: address,
                Attributes,
                ReturnSubscriptionArn: true,
              }),
            );
        subscribedFiltered.push({ address, subscriptionArn: out?.SubscriptionArn ?? null });
      }
    }
    const listed = new Set([...configured, ...filtered].map((a) => a.toLowerCase()));
    outcomes.push({
      topic: t.topic,
      topicArn,
      subscribed: missing,
      present: [...configured, ...filtered].filter((a) => existing.has(a.toLowerCase())),
      unlisted: [...existing].filter((e) => !listed.has(e)),
      filtered: t.filtered
        ? {
            setting: t.filtered.setting,
            filterPolicy: t.filtered.attributes.FilterPolicy,
            subscribed: subscribedFiltered,
          }
        : null,
    });
  }
  return outcomes;
}

const CONFIRM = "a confirmation email is on its way: click its link within 48 hours (check spam)";

/** The report, one line per topic and per address subscribed. */
export function formatOutcomes(outcomes: readonly TopicOutcome[], dryRun: boolean): string[] {
  const lines: string[] = [];
  for (const o of outcomes) {
    const present = o.present.length > 0 ? ` (already subscribed: ${o.present.join(", ")})` : "";
    const filtered = o.filtered?.subscribed ?? [];
    if (o.subscribed.length === 0 && filtered.length === 0) {
      lines.push(`topic ${o.topic}: every configured address is subscribed${present}`);
    }
    for (const address of o.subscribed) {
      lines.push(
        dryRun
          ? `topic ${o.topic}: would subscribe ${address} (--dry-run)`
          : `topic ${o.topic}: subscribed ${address}; ${CONFIRM}`,
      );
    }
    for (const { address, subscriptionArn } of filtered) {
      const filter = `${o.filtered?.setting}, filter policy ${o.filtered?.filterPolicy}`;
      lines.push(
        dryRun
          ? `topic ${o.topic}: would subscribe ${address} (${filter}) (--dry-run)`
          : `topic ${o.topic}: subscribed ${address} (${filter}) as ${subscriptionArn ?? "(no ARN returned)"}; ${CONFIRM}`,
      );
    }
    if (o.unlisted.length > 0) {
      lines.push(`topic ${o.topic}: also subscribed, but in no setting (left alone): ${o.unlisted.join(", ")}`);
    }
  }
  return lines;
}
