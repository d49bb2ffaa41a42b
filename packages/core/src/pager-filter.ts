/**
 * The pager's subscriptions on the alert topic: which pager addresses get one, and the filter
 * policy that makes it page only on alerts and summaries at or above the policy's `page`
 * severity (the daily digest carries a severity too, but its `kind` is `digest`). One
 * definition for the stack (stacks/pager.ts) and `secretwatch resubscribe`: a subscription
 * re-created by hand must filter exactly as the deployed one, never less (an unfiltered pager
 * subscription pages on every read).
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html
 */
import type { PlannedMessage } from "./plan.js";
import { uniqueEmails } from "./settings.js";
import { type Severity, severitiesFrom } from "./severity.js";

/** The filter applies to the `severity` and `kind` message attributes every enricher message carries. */
export const PAGER_FILTER_POLICY_SCOPE = "MessageAttributes";

/** The `kind` attribute values that page: alerts and summaries, not the digest. */
export const PAGED_KINDS = ["alert", "summary"] as const satisfies readonly PlannedMessage["kind"][];

/** The subscription attributes of a pager address on the alert topic (SNS `Subscribe` `Attributes`). */
export interface PagerFilter {
  FilterPolicy: string;
  FilterPolicyScope: typeof PAGER_FILTER_POLICY_SCOPE;
}

/**
 * The filter policy for page severity `page`, as JSON text:
 * `{"severity":["high","critical"],"kind":["alert","summary"]}` for `high`.
 */
export function pagerFilterPolicy(page: Severity): string {
  return JSON.stringify({ severity: severitiesFrom(page), kind: [...PAGED_KINDS] });
}

/** {@link pagerFilterPolicy} with its scope, as `Subscribe` takes them. */
export function pagerFilter(page: Severity): PagerFilter {
  return { FilterPolicy: pagerFilterPolicy(page), FilterPolicyScope: PAGER_FILTER_POLICY_SCOPE };
}

/**
 * The pager addresses that get a filtered subscription on the alert topic: each once whatever
 * its case (the last spelling wins), except those that are alert addresses too. Those keep their
 * one unfiltered subscription: SNS keeps one subscription per topic and endpoint and refuses a
 * second with other attributes.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
export function pagerAlertAddresses(pagerEmails: readonly string[], alertEmails: readonly string[]): string[] {
  const alerts = new Set(alertEmails.map((e) => e.toLowerCase()));
  return uniqueEmails(pagerEmails).filter((e) => !alerts.has(e.toLowerCase()));
}
