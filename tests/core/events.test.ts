import { describe, expect, it } from "vitest";
import {
  BATCH_GET_SECRET_VALUE,
  GET_SECRET_VALUE,
  jsonFilterPattern,
  METRIC_FILTER_PATTERN,
  SECRETS_MANAGER_SOURCE,
  SUBSCRIPTION_FILTER_PATTERN,
} from "../../packages/core/src/events.js";
import { matchesPattern, PatternSyntaxError, parseJsonPattern } from "../helpers/filter-pattern.js";

const record = (eventName: string, eventSource = SECRETS_MANAGER_SOURCE, extra: object = {}) => ({
  eventSource,
  eventName,
  eventID: "e",
  ...extra,
});
// A policy change whose document grants secretsmanager:GetSecretValue: a bare-term pattern would count it.
const policyTrap = record("PutResourcePolicy", SECRETS_MANAGER_SOURCE, {
  requestParameters: { resourcePolicy: '{"Action":"secretsmanager:GetSecretValue"}' },
});
const iamTrap = record("PutRolePolicy", "iam.amazonaws.com", {
  requestParameters: { policyDocument: '{"Action":"secretsmanager:GetSecretValue"}' },
});

describe("filter patterns", () => {
  it("are the documented JSON patterns, not bare terms", () => {
    expect(METRIC_FILTER_PATTERN).toBe(
      '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") }',
    );
    expect(SUBSCRIPTION_FILTER_PATTERN).toBe(
      '{ ($.eventSource = "secretsmanager.amazonaws.com") && (($.eventName = "GetSecretValue") || ($.eventName = "BatchGetSecretValue")) }',
    );
    expect(() => parseJsonPattern(METRIC_FILTER_PATTERN)).not.toThrow();
    expect(() => parseJsonPattern(SUBSCRIPTION_FILTER_PATTERN)).not.toThrow();
  });

  it("the test evaluator refuses a bare term, so a drift to one fails", () => {
    expect(() => parseJsonPattern("GetSecretValue")).toThrow(PatternSyntaxError);
    expect(() => parseJsonPattern('"GetSecretValue"')).toThrow(PatternSyntaxError);
  });

  it.each([
    ["a read", record(GET_SECRET_VALUE), true, true],
    ["a batch call (its per-secret reads are counted instead)", record(BATCH_GET_SECRET_VALUE), false, true],
    ["metadata listing", record("ListSecrets"), false, false],
    ["a resource policy that mentions GetSecretValue", policyTrap, false, false],
    ["an IAM policy that mentions GetSecretValue", iamTrap, false, false],
    ["GetSecretValue from another service name", record(GET_SECRET_VALUE, "kms.amazonaws.com"), false, false],
  ])("%s: metric filter %s, subscription filter %s", (_name, rec, metric, subscription) => {
    expect(matchesPattern(METRIC_FILTER_PATTERN, rec)).toBe(metric);
    expect(matchesPattern(SUBSCRIPTION_FILTER_PATTERN, rec)).toBe(subscription);
  });

  it("needs at least one event name", () => {
    expect(() => jsonFilterPattern([])).toThrow(RangeError);
  });
});
