/**
 * Pager check (SECRETWATCH_PAGER_EMAILS, see stacks/pager.ts): each pager address has an
 * unfiltered subscription on the pager topic and, unless it is an alert address too, one on the
 * alert topic whose filter policy is the one the stage's policy implies (core pager-filter.ts,
 * the stack's own definition; the page severity is read as `resubscribe` reads it). A missing
 * subscription is re-created by `secretwatch resubscribe`; a wrong filter on an existing one is
 * the stack's to fix (`sst refresh`, then `sst deploy`). A pending subscription has no attributes to read.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html
 */
import { GetSubscriptionAttributesCommand, type SNSClient, type Subscription } from "@aws-sdk/client-sns";
import { PAGER_FILTER_POLICY_SCOPE, pagerAlertAddresses, SETTING_NAMES, type Severity } from "@secretwatch/core";
import { describeError } from "../errors.js";
import type { Io } from "../io.js";
import { stagePagerFilter } from "../resubscribe/pager.js";
import type { Attempts } from "./attempts.js";
import { listTopicArns, topicSubscriptions } from "./aws.js";
import { type CheckResult, type FixHints, fail, pass, warn } from "./report.js";
import type { DoctorSettings } from "./settings.js";
import {
  checkAddresses,
  confirmFix,
  emailSubscriptionsOf,
  findTopicArn,
  isEmailSubscription,
  missingAddresses,
  PENDING_CONFIRMATION,
} from "./topic.js";

/** The filter policy the stage's policy implies for the pager's subscriptions on the alert topic. */
export interface ExpectedPagerFilter {
  page: Severity;
  /** JSON text, from core's `pagerFilterPolicy`. */
  filterPolicy: string;
}

/** `GetSubscriptionAttributes`' `Attributes` map of one confirmed subscription. */
export async function subscriptionAttributes(
  client: SNSClient,
  subscriptionArn: string,
): Promise<Record<string, string>> {
  const out = await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }));
  return out.Attributes ?? {};
}

/**
 * The JSON value with object keys sorted; a list of strings (values matched as OR) also sorted
 * and deduplicated, since neither order nor repeats change what it matches. Other lists (the
 * operands of `numeric`, say) keep their order.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.every((i) => typeof i === "string") ? [...new Set(items)].sort() : items;
  }
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

/** True when two parsed filter policies match the same messages (key order, spacing and value order aside). */
export function sameFilterPolicy(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** One line for a confirmed pager subscription on the alert topic, from its attributes. */
export function checkPagerFilter(
  address: string,
  topicName: string,
  attributes: Readonly<Record<string, string>>,
  expected: ExpectedPagerFilter,
  hints: FixHints,
): CheckResult {
  const who = `pager subscription ${address} on topic ${topicName}`;
  // A filter changed outside the stack is not in SST's state: `sst refresh` adopts it, then the
  // deploy puts the stack's back (https://sst.dev/docs/reference/cli/#refresh).
  const fix = `${hints.deploy.replace(" deploy ", " refresh ")}, then ${hints.deploy}`;
  if (attributes.PendingConfirmation === "true") return pendingFilter(who);
  const text = attributes.FilterPolicy?.trim() ?? "";
  const parsed = text === "" ? { ok: true as const, value: {} } : parse(text);
  if (!parsed.ok) {
    return fail("topic", `${who} has a filter policy that is not JSON: it pages on nothing`, fix);
  }
  const { value } = parsed;
  if (value !== null && typeof value === "object" && Object.keys(value).length === 0) {
    return fail(
      "topic",
      `${who} has no filter policy: it pages on every read, not only ${expected.page} and above`,
      fix,
    );
  }
  // No scope on an existing filter policy means MessageAttributes (the documented default).
  const scope = attributes.FilterPolicyScope ?? PAGER_FILTER_POLICY_SCOPE;
  if (scope !== PAGER_FILTER_POLICY_SCOPE) {
    return fail(
      "topic",
      `${who} filters on ${scope}, not ${PAGER_FILTER_POLICY_SCOPE}: the alert emails are plain text, it pages on nothing`,
      fix,
    );
  }
  if (!sameFilterPolicy(value, JSON.parse(expected.filterPolicy))) {
    return fail(
      "topic",
      `${who} filters ${JSON.stringify(value)}, not ${expected.filterPolicy} (the stage policy's page ${expected.page})`,
      fix,
    );
  }
  return pass("topic", `${who} filters as the stage's policy implies: ${expected.page} and above`);
}

function pendingFilter(who: string): CheckResult {
  return warn(
    "topic",
    `filter policy of ${who} not checked: it is pending confirmation (SNS reads no attributes until then)`,
  );
}

/** The pager topic: every pager address subscribed (confirmed or pending), each pending one flagged. */
export function checkPagerTopic(
  topicName: string,
  pagerEmails: readonly string[],
  subscriptions: readonly Subscription[],
  hints: FixHints,
): CheckResult[] {
  const pending = subscriptions.filter((s) => isEmailSubscription(s) && s.SubscriptionArn === PENDING_CONFIRMATION);
  return [
    ...checkAddresses(topicName, SETTING_NAMES.pagerEmails, pagerEmails, subscriptions, hints),
    ...pending.map((s) =>
      fail(
        "topic",
        `email subscription ${s.Endpoint} on topic ${topicName} is pending confirmation: it gets no alarm notification`,
        confirmFix(s.Endpoint),
      ),
    ),
  ];
}

export interface PagerCheckContext {
  io: Io;
  settings: DoctorSettings;
  sns: SNSClient;
  region: string;
  topics: { alert: string; pager: string };
  hints: FixHints;
  attempt: Attempts["run"];
}

/**
 * The pager's subscriptions on the alert topic: present for each address that needs one, and,
 * when confirmed, filtered as the stage's policy implies.
 */
async function checkAlertTopic(ctx: PagerCheckContext, subscriptions: readonly Subscription[]): Promise<CheckResult[]> {
  const topic = ctx.topics.alert;
  const paged = pagerAlertAddresses(ctx.settings.pagerEmails, ctx.settings.alertEmails);
  const results = missingAddresses(topic, SETTING_NAMES.pagerEmails, paged, subscriptions, ctx.hints);
  const found = paged.flatMap((address) => emailSubscriptionsOf(subscriptions, address).map((s) => ({ address, s })));
  const confirmed = found.filter(({ s }) => s.SubscriptionArn?.startsWith("arn:"));
  for (const { address, s } of found) {
    if (s.SubscriptionArn !== PENDING_CONFIRMATION) continue;
    results.push(pendingFilter(`pager subscription ${address} on topic ${topic}`));
  }
  if (confirmed.length === 0) return results;
  let expected: ExpectedPagerFilter;
  try {
    const filter = await stagePagerFilter(ctx.io, ctx.settings);
    expected = { page: filter.page, filterPolicy: filter.attributes.FilterPolicy };
  } catch (error) {
    const why = describeError(error).replaceAll("\n", "; ");
    return [
      ...results,
      fail(
        "topic",
        `cannot check the pager's filter on topic ${topic}: ${why}`,
        "correct the policy file (secretwatch policy check)",
      ),
    ];
  }
  const checked = await Promise.all(
    confirmed.map(({ address, s }) =>
      ctx.attempt(
        "topic",
        "sns:GetSubscriptionAttributes",
        `read the filter policy of pager subscription ${address} on topic ${topic}`,
        async () => [
          checkPagerFilter(
            address,
            topic,
            await subscriptionAttributes(ctx.sns, s.SubscriptionArn ?? ""),
            expected,
            ctx.hints,
          ),
        ],
      ),
    ),
  );
  return [...results, ...checked.flat()];
}

/**
 * The pager check, when pager addresses are set. `alert` is what the alert topic check found:
 * its ARN (the pager topic sits beside it) and its subscriptions (undefined when they could not
 * be listed: that failure is already reported).
 */
export async function checkPager(
  ctx: PagerCheckContext,
  alert: { arn: string | undefined; subscriptions: readonly Subscription[] | undefined },
): Promise<CheckResult[]> {
  if (ctx.settings.pagerEmails.length === 0) return [];
  const { pager } = ctx.topics;
  const pagerTopic = await ctx.attempt(
    "topic",
    "sns:ListSubscriptionsByTopic",
    `list the subscriptions of topic ${pager}`,
    async () => {
      const arn = alert.arn?.replace(/:[^:]+$/, `:${pager}`) ?? findTopicArn(await listTopicArns(ctx.sns), pager);
      if (arn === undefined) return [fail("topic", `topic ${pager} not found in ${ctx.region}`, ctx.hints.deploy)];
      return checkPagerTopic(pager, ctx.settings.pagerEmails, await topicSubscriptions(ctx.sns, arn), ctx.hints);
    },
  );
  const alertTopic = alert.subscriptions === undefined ? [] : await checkAlertTopic(ctx, alert.subscriptions);
  return [...pagerTopic, ...alertTopic];
}
