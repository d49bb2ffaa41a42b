/**
 * The pager (SECRETWATCH_PAGER_EMAILS, optional). Each pager address gets two subscriptions:
 *
 * - on the alert topic, filtered on the `severity` attribute every enricher message carries:
 *   only alerts at or above the policy's `page` severity;
 * - on the pager topic, unfiltered: every CloudWatch alarm of the stage also notifies it.
 *
 * Why a second topic: CloudWatch alarm notifications carry no message attributes, and an
 * attribute filter policy never matches a message without attributes (even `"exists": false`
 * matches only when at least one attribute is present); a `MessageBody` filter needs a JSON
 * body, and the alert emails are plain text. So no filter on the alert topic can let alarms
 * through to the pager. Each pager address therefore confirms two subscriptions.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
import {
  pagerFilterPolicy as filterPolicyOf,
  PAGER_FILTER_POLICY_SCOPE,
  pagerAlertAddresses,
} from "../packages/core/src/pager-filter";
import { uniqueEmails } from "../packages/core/src/settings";
import { emailTopic, securityAlarms, subscriptionName } from "./alerts";
import { policy } from "./policy";
import { nameOf, settings } from "./settings";

const pagerEmails = uniqueEmails(settings.pagerEmails);

/**
 * The filter policy of a pager subscription on the alert topic: alerts (and summaries) at or
 * above the page severity, `{"severity":["high","critical"],"kind":["alert","summary"]}` for
 * page high. The daily digest carries a severity too, but is not a page (`kind` is `digest`).
 */
export const pagerFilterPolicy = filterPolicyOf(policy.policy.page);

function createPager() {
  const {
    topic,
    topicPolicy,
    subscriptions: alarms,
  } = emailTopic(
    { topic: "SecurityPager", policy: "SecurityPagerPolicy", subscription: "PagerAlarmEmail" },
    { name: nameOf("pagerTopic"), displayName: "secretwatch pager" },
    pagerEmails,
  );
  // An address that already receives every alert keeps that one subscription: SNS keeps one
  // subscription per topic and endpoint and refuses a second with other attributes
  // ("Subscription already exists with different attributes", see sst issue #4259), and
  // removing either resource would unsubscribe the address.
  const alerts = pagerAlertAddresses(pagerEmails, settings.alertEmails).map(
    (email) =>
      new aws.sns.TopicSubscription(subscriptionName("PagerAlertEmail", email), {
        topic: securityAlarms.arn,
        protocol: "email",
        endpoint: email,
        filterPolicyScope: PAGER_FILTER_POLICY_SCOPE,
        filterPolicy: pagerFilterPolicy,
      }),
  );
  return { topic, topicPolicy, alarms, alerts };
}

const pager = pagerEmails.length > 0 ? createPager() : undefined;

/** The pager topic, when pager addresses are set. */
export const pagerTopic = pager?.topic;
export const pagerTopicPolicy = pager?.topicPolicy;
/** Unfiltered subscriptions of the pager addresses to the pager topic (alarm notifications). */
export const pagerAlarmSubscriptions = pager?.alarms ?? [];
/** Filtered subscriptions of the pager addresses to the alert topic (alerts at or above `page`). */
export const pagerAlertSubscriptions = pager?.alerts ?? [];

/** What every alarm of the stage notifies: the alert topic, and the pager topic when there is one. */
export function alarmActions(): $util.Output<string>[] {
  return pager ? [securityAlarms.arn, pager.topic.arn] : [securityAlarms.arn];
}
