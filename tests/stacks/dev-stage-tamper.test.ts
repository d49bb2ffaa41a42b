/**
 * Dev stage (see ./dev-stage.ts): the tamper metric filters and their alarms (stacks/tamper.ts),
 * checked with the independent pattern evaluator on records shaped as CloudTrail writes them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FILTER_PATTERN_MAX, METRIC_NAMESPACE } from "../../packages/core/src/events";
import { resourceName } from "../../packages/core/src/naming";
import { TAMPER_ALARM_TIMING, TAMPER_LOGICAL_NAMES, tamperMetricName } from "../../packages/core/src/tamper/names";
import { matchesPattern, parseJsonPattern } from "../helpers/filter-pattern";
import { cloudTrailFixture } from "../helpers/fixtures";
import { ACCOUNT, REGION, ref, topicArn } from "./dev-stage";
import { arnOf, named, ofType, T } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";
import { admitsAlarm } from "./topic-policy";

beforeAll(async () => {
  await runApp({ stage: "dev", env: { alertEmails: "security@example.com" } });
});

const records = ["trail", "logs", "lambda", "sns", "alarms", "secrets"].flatMap((s) =>
  cloudTrailFixture(`tamper/${s}`),
);
const pattern = (name: string) => named(name).inputs.pattern as string;
const matched = (name: string) => records.filter((r) => matchesPattern(pattern(name), r)).map((r) => r.eventName);

describe("tamper metric filters", () => {
  const filters = Object.values(TAMPER_LOGICAL_NAMES).flatMap((g) => g.filters);

  it("are one per group (one per function), on the watched log group, JSON patterns within the limit", () => {
    expect(
      ofType(T.metricFilter)
        .map((f) => f.name)
        .filter((n) => n.startsWith("Tamper"))
        .sort(),
    ).toEqual([...filters].sort());
    for (const name of filters) {
      const f = named(name);
      expect(f.inputs.logGroupName).toBe("/secretwatch/dev/cloudtrail");
      expect(pattern(name).length).toBeLessThanOrEqual(FILTER_PATTERN_MAX);
      expect(() => parseJsonPattern(pattern(name))).not.toThrow();
    }
  });

  it("count the trail's changes, on this trail only, by name or ARN", () => {
    expect(matched("TamperTrailMetricFilter").sort()).toEqual(
      [
        "StopLogging",
        "DeleteTrail",
        "UpdateTrail",
        "PutEventSelectors",
        "PutEventSelectors",
        "PutEventSelectors",
        "StopLogging",
        "StopLogging",
      ].sort(),
    );
    expect(pattern("TamperTrailMetricFilter")).toContain(
      `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/secretwatch-dev-trail`,
    );
  });

  it("count changes to the watched group's filters, not its retention nor other groups", () => {
    expect(matched("TamperLogsMetricFilter").sort()).toEqual(
      ["DeleteSubscriptionFilter", "PutSubscriptionFilter"].sort(),
    );
  });

  it("count Lambda's versioned event names for the enricher and the digest, in every functionName form", () => {
    expect(matched("TamperEnricherMetricFilter").sort()).toEqual(
      [
        "UpdateFunctionCode20150331v2",
        "DeleteFunction20150331",
        "PutFunctionConcurrency20171031",
        "RemovePermission20150331v2",
        "PutFunctionEventInvokeConfig",
      ].sort(),
    );
    // Deleting one version (`secretwatch-dev-enricher:3`) leaves the function running: not counted here.
    const version = records.find((r) => r.requestParameters?.functionName === "secretwatch-dev-enricher:3");
    expect(version && matchesPattern(pattern("TamperEnricherMetricFilter"), version)).toBe(false);
    expect(matched("TamperDigestMetricFilter")).toEqual(["UpdateFunctionConfiguration20150331v2"]);
  });

  it("count the alert topic's deletion and attribute changes", () => {
    expect(matched("TamperTopicsMetricFilter").sort()).toEqual(["DeleteTopic", "SetTopicAttributes"].sort());
    expect(pattern("TamperTopicsMetricFilter")).toContain(topicArn());
  });

  it("match no record that merely mentions the actions (policy documents)", () => {
    const trap = {
      eventSource: "iam.amazonaws.com",
      eventName: "PutRolePolicy",
      requestParameters: {
        roleName: "secretwatch-dev-enricher",
        policyDocument: '{"Action":["cloudtrail:StopLogging","lambda:DeleteFunction","sns:DeleteTopic"]}',
      },
    };
    for (const name of filters) expect(matchesPattern(pattern(name), trap), name).toBe(false);
  });

  it("publish 1 per event to the group's metric, stage in the name, no dimensions", () => {
    for (const [group, names] of Object.entries(TAMPER_LOGICAL_NAMES)) {
      for (const name of names.filters) {
        expect(named(name).inputs.metricTransformation).toEqual({
          name: tamperMetricName(ref, group as never),
          namespace: METRIC_NAMESPACE,
          value: "1",
          unit: "Count",
        });
      }
    }
    expect(tamperMetricName(ref, "trail")).toBe("Tamper trail (secretwatch-dev)");
  });
});

describe("tamper alarms", () => {
  it.each(Object.entries(TAMPER_LOGICAL_NAMES))(
    "%s: Sum of 1 of 25 minutes, not breaching on no data, to the alert topic",
    (group, names) => {
      const alarm = named(names.alarm);
      expect(alarm.inputs).toMatchObject({
        namespace: METRIC_NAMESPACE,
        metricName: tamperMetricName(ref, group as never),
        statistic: "Sum",
        period: 60,
        evaluationPeriods: 25,
        datapointsToAlarm: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [topicArn()],
      });
      expect(alarm.inputs).toMatchObject(TAMPER_ALARM_TIMING);
      expect(alarm.inputs.dimensions).toBeUndefined();
      expect(alarm.inputs.alarmDescription).toMatch(/^secretwatch dev: .+(sst deploy|secretwatch)/);
      expect(alarm.dependsOn.sort()).toEqual([...names.filters].sort());
    },
  );

  it("are named by the stage's naming rule, and the alert topic's policy admits each", () => {
    const policy = named("SecurityAlarmsPolicy").inputs.policy;
    for (const [group, names] of Object.entries(TAMPER_LOGICAL_NAMES)) {
      const alarm = named(names.alarm);
      expect(alarm.inputs.name).toBe(
        resourceName(ref, `tamper${group[0]!.toUpperCase()}${group.slice(1)}Alarm` as never),
      );
      expect(admitsAlarm(policy, arnOf(names.alarm)), names.alarm).toBe(true);
    }
  });
});
