import { describe, expect, it } from "vitest";
import {
  BATCH_GET_SECRET_VALUE,
  checkedPattern,
  FILTER_PATTERN_MAX,
  FilterPatternError,
  GET_SECRET_VALUE,
  isBatchRead,
  jsonFilterPattern,
  METRIC_FILTER_PATTERN,
  SECRETS_MANAGER_SOURCE,
  SUBSCRIPTION_FILTER_PATTERN,
  secretValueEventName,
  TAMPER_SUBSCRIPTION_EVENTS,
  tamperMetricEvents,
  tamperMetricPattern,
} from "../../packages/core/src/events.js";
import { TAMPER_EVENTS, type TamperMetricGroup } from "../../packages/core/src/tamper/catalog.js";
import type { SecretAccess } from "../../packages/core/src/types.js";
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
// IAM policies that merely mention the tamper actions, and a record whose text names them.
const tamperTraps = [
  record("PutRolePolicy", "iam.amazonaws.com", {
    requestParameters: {
      policyDocument: '{"Action":["cloudtrail:StopLogging","logs:DeleteSubscriptionFilter","lambda:DeleteFunction"]}',
    },
  }),
  record("CreatePolicy", "iam.amazonaws.com", {
    requestParameters: { policyName: "StopLogging", description: 'eventName="DeleteTrail"' },
  }),
  record("DescribeTrails", "cloudtrail.amazonaws.com", {
    requestParameters: { trailNameList: ["StopLogging"], name: "secretwatch-dev-trail" },
  }),
];

describe("filter patterns", () => {
  it("are the documented JSON patterns, not bare terms", () => {
    expect(METRIC_FILTER_PATTERN).toBe(
      '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") }',
    );
    expect(SUBSCRIPTION_FILTER_PATTERN).toMatch(
      /^\{\(\$\.eventSource="secretsmanager\.amazonaws\.com"&&\(\$\.eventName="GetSecretValue"\|\|\$\.eventName="BatchGetSecretValue"\)\)\|\|\$\.eventName="StopLogging"\|\|/,
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
    ["a resource policy that mentions GetSecretValue (a tamper event, not a read)", policyTrap, false, true],
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

describe("the subscription filter and the tamper events", () => {
  it(`fits in ${FILTER_PATTERN_MAX} characters`, () => {
    expect(SUBSCRIPTION_FILTER_PATTERN.length).toBeLessThanOrEqual(FILTER_PATTERN_MAX);
  });

  it("a pattern past the limit fails, and all tamper events would not fit in one", () => {
    expect(() => checkedPattern(`{${"x".repeat(FILTER_PATTERN_MAX - 1)}}`, "test")).toThrow(FilterPatternError);
    expect(checkedPattern(`{${"x".repeat(FILTER_PATTERN_MAX - 2)}}`, "test")).toHaveLength(FILTER_PATTERN_MAX);
    const every = [...new Set(TAMPER_EVENTS.flatMap((e) => e.recorded))].map((n) => `$.eventName="${n}"`).join("||");
    expect(() => checkedPattern(`{${every}}`, "every tamper event")).toThrow(FilterPatternError);
  });

  it.each(TAMPER_EVENTS.map((e) => [`${e.source} ${e.api}`, e] as const))(
    "%s: in the subscription filter exactly as the catalog says",
    (_name, spec) => {
      for (const name of spec.recorded) {
        expect(matchesPattern(SUBSCRIPTION_FILTER_PATTERN, record(name, spec.source))).toBe(spec.subscription);
      }
    },
  );

  it("sends the enricher every event it must report when its own path still works", () => {
    for (const name of ["StopLogging", "PutEventSelectors", "SetAlarmState", "Unsubscribe", "PutResourcePolicy"]) {
      expect(TAMPER_SUBSCRIPTION_EVENTS).toContain(name);
    }
    // Arrive after the filter or function they change: a metric filter reports them.
    for (const name of ["DeleteSubscriptionFilter", "PutSubscriptionFilter", "DeleteFunction20150331", "DeleteTopic"]) {
      expect(TAMPER_SUBSCRIPTION_EVENTS).not.toContain(name);
    }
  });

  it.each(tamperTraps.map((r, i) => [i, r] as const))(
    "trap %i: a record that mentions tamper actions does not match",
    (_i, trap) => {
      expect(matchesPattern(SUBSCRIPTION_FILTER_PATTERN, trap)).toBe(false);
    },
  );
});

describe("tamper metric filters", () => {
  const trail = "secretwatch-dev-trail";
  const trailArn = `arn:aws:cloudtrail:us-east-2:111122223333:trail/${trail}`;
  const fn = "secretwatch-dev-enricher";
  const fnForms = [fn, `111122223333:function:${fn}`, `arn:aws:lambda:us-east-2:111122223333:function:${fn}`];

  it("count one source each, with every recorded name the catalog gives the group", () => {
    const groups: TamperMetricGroup[] = ["trail", "logs", "functions", "topics", "kms"];
    for (const group of groups) {
      const { source, names } = tamperMetricEvents(group);
      const specs = TAMPER_EVENTS.filter((e) => e.metric === group);
      expect(names.sort()).toEqual([...new Set(specs.flatMap((e) => e.recorded))].sort());
      for (const s of specs) expect(s.source).toBe(source);
    }
  });

  it("trail: the stage's trail by name or ARN, in name or trailName", () => {
    const p = tamperMetricPattern("trail", [trail, trailArn]);
    expect(() => parseJsonPattern(p)).not.toThrow();
    const ct = "cloudtrail.amazonaws.com";
    expect(matchesPattern(p, record("StopLogging", ct, { requestParameters: { name: trailArn } }))).toBe(true);
    expect(matchesPattern(p, record("DeleteTrail", ct, { requestParameters: { name: trail } }))).toBe(true);
    expect(matchesPattern(p, record("PutEventSelectors", ct, { requestParameters: { trailName: trail } }))).toBe(true);
    expect(matchesPattern(p, record("StopLogging", ct, { requestParameters: { name: "other" } }))).toBe(false);
    expect(matchesPattern(p, record("StartLogging", ct, { requestParameters: { name: trail } }))).toBe(false);
    expect(matchesPattern(p, record("StopLogging", "iam.amazonaws.com", { requestParameters: { name: trail } }))).toBe(
      false,
    );
    for (const trap of tamperTraps) expect(matchesPattern(p, trap)).toBe(false);
  });

  it("trail: every trail when it is not known (an existing log group)", () => {
    const p = tamperMetricPattern("trail", null);
    expect(
      matchesPattern(p, record("StopLogging", "cloudtrail.amazonaws.com", { requestParameters: { name: "x" } })),
    ).toBe(true);
  });

  it("functions: Lambda's recorded names, for the function in each form, never another function or a near name", () => {
    const p = tamperMetricPattern("functions", fnForms);
    const l = "lambda.amazonaws.com";
    for (const form of fnForms) {
      expect(
        matchesPattern(p, record("UpdateFunctionCode20150331v2", l, { requestParameters: { functionName: form } })),
      ).toBe(true);
    }
    expect(matchesPattern(p, record("DeleteFunction20150331", l, { requestParameters: { functionName: fn } }))).toBe(
      true,
    );
    expect(
      matchesPattern(p, record("DeleteFunction20150331", l, { requestParameters: { functionName: "other" } })),
    ).toBe(false);
    expect(
      matchesPattern(p, record("DeleteFunctionConcurrency20171031", l, { requestParameters: { functionName: fn } })),
    ).toBe(false);
    expect(matchesPattern(p, record("GetFunction20150331v2", l, { requestParameters: { functionName: fn } }))).toBe(
      false,
    );
  });

  it("logs and topics: the watched group and the stage's topics", () => {
    const logs = tamperMetricPattern("logs", ["/secretwatch/dev/cloudtrail"]);
    const l = "logs.amazonaws.com";
    expect(
      matchesPattern(
        logs,
        record("DeleteSubscriptionFilter", l, { requestParameters: { logGroupName: "/secretwatch/dev/cloudtrail" } }),
      ),
    ).toBe(true);
    expect(
      matchesPattern(logs, record("DeleteSubscriptionFilter", l, { requestParameters: { logGroupName: "/other" } })),
    ).toBe(false);
    expect(
      matchesPattern(
        logs,
        record("CreateLogStream", l, { requestParameters: { logGroupName: "/secretwatch/dev/cloudtrail" } }),
      ),
    ).toBe(false);
    const topic = "arn:aws:sns:us-east-2:111122223333:secretwatch-dev-alerts";
    const topics = tamperMetricPattern("topics", [topic]);
    expect(
      matchesPattern(topics, record("DeleteTopic", "sns.amazonaws.com", { requestParameters: { topicArn: topic } })),
    ).toBe(true);
    expect(
      matchesPattern(topics, record("Publish", "sns.amazonaws.com", { requestParameters: { topicArn: topic } })),
    ).toBe(false);
  });

  it("refuses no resources, a value that would break the pattern, and a pattern past the limit", () => {
    expect(() => tamperMetricPattern("logs", [])).toThrow(FilterPatternError);
    expect(() => tamperMetricPattern("logs", ['a"||$.x="y'])).toThrow(FilterPatternError);
    const many = Array.from({ length: 20 }, (_, i) => `/secretwatch/stage-${i}/cloudtrail`);
    expect(() => tamperMetricPattern("logs", many)).toThrow(FilterPatternError);
  });

  it("stays within the limit for the longest function names Lambda allows", () => {
    const long = "f".repeat(64);
    const forms = [
      long,
      `111122223333:function:${long}`,
      `arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:${long}`,
    ];
    expect(tamperMetricPattern("functions", forms).length).toBeLessThanOrEqual(FILTER_PATTERN_MAX);
  });
});

describe("the subscription filter and other services' same-named events", () => {
  it("leaves out Glue's UpdateTable and DeleteTable (DynamoDB's by source), keeps shared names of two tamper sources", () => {
    expect(matchesPattern(SUBSCRIPTION_FILTER_PATTERN, record("UpdateTable", "glue.amazonaws.com"))).toBe(false);
    expect(matchesPattern(SUBSCRIPTION_FILTER_PATTERN, record("DeleteTable", "glue.amazonaws.com"))).toBe(false);
    expect(matchesPattern(SUBSCRIPTION_FILTER_PATTERN, record("UpdateTable", "dynamodb.amazonaws.com"))).toBe(true);
    for (const source of ["dynamodb.amazonaws.com", "secretsmanager.amazonaws.com"]) {
      expect(matchesPattern(SUBSCRIPTION_FILTER_PATTERN, record("DeleteResourcePolicy", source))).toBe(true);
    }
  });
});

describe("secretValueEventName", () => {
  it.each<[unknown, string | undefined]>([
    [GET_SECRET_VALUE, GET_SECRET_VALUE],
    [BATCH_GET_SECRET_VALUE, BATCH_GET_SECRET_VALUE],
    ["getsecretvalue", undefined],
    ["DescribeSecret", undefined],
    [null, undefined],
    [7, undefined],
  ])("%s → %s", (name, expected) => {
    expect(secretValueEventName(name)).toBe(expected);
  });
});

describe("isBatchRead", () => {
  const batch = { filters: [], secretIdList: ["a"], broad: false, broadReasons: [] };
  it.each<[string, Pick<SecretAccess, "eventName" | "batch">, boolean]>([
    ["a BatchGetSecretValue call", { eventName: BATCH_GET_SECRET_VALUE, batch }, true],
    [
      "a BatchGetSecretValue call without recorded parameters",
      { eventName: BATCH_GET_SECRET_VALUE, batch: null },
      true,
    ],
    ["a read that carries batch details", { eventName: GET_SECRET_VALUE, batch }, true],
    ["a GetSecretValue call", { eventName: GET_SECRET_VALUE, batch: null }, false],
  ])("%s: %s", (_what, hit, expected) => {
    expect(isBatchRead(hit)).toBe(expected);
  });
});
