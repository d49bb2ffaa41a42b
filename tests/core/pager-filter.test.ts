/**
 * The pager's filter policy and addresses (core pager-filter.ts), one definition for the stack
 * and `secretwatch resubscribe`.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
import { describe, expect, it } from "vitest";
import { pagerAlertAddresses, pagerFilter, pagerFilterPolicy } from "../../packages/core/src/pager-filter.js";

describe("pagerFilterPolicy", () => {
  it("pages alerts and summaries at or above the page severity, never the digest", () => {
    expect(pagerFilterPolicy("high")).toBe('{"severity":["high","critical"],"kind":["alert","summary"]}');
    expect(pagerFilterPolicy("critical")).toBe('{"severity":["critical"],"kind":["alert","summary"]}');
    expect(JSON.parse(pagerFilterPolicy("info"))).toEqual({
      severity: ["info", "low", "medium", "high", "critical"],
      kind: ["alert", "summary"],
    });
  });

  it("comes with the MessageAttributes scope, as Subscribe takes it", () => {
    expect(pagerFilter("medium")).toEqual({
      FilterPolicy: '{"severity":["medium","high","critical"],"kind":["alert","summary"]}',
      FilterPolicyScope: "MessageAttributes",
    });
  });
});

describe("pagerAlertAddresses", () => {
  it("keeps each pager address once (last spelling), except the alert addresses", () => {
    expect(
      pagerAlertAddresses(
        ["oncall@example.com", "Lead@Example.com", "ONCALL@example.com", "night@example.com"],
        ["lead@example.com", "security@example.com"],
      ),
    ).toEqual(["ONCALL@example.com", "night@example.com"]);
    expect(pagerAlertAddresses([], ["lead@example.com"])).toEqual([]);
  });
});
