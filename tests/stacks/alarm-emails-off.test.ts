/**
 * Scenario: stage `dev` with SECRETWATCH_ALARM_EMAILS=false (reads are routine here) and
 * SECRETWATCH_OPS_EMAILS set. The secret-access metric and alarm stay, without an action; the
 * reconciliation alarm remains; every self-monitoring alarm also reaches the ops topic, whose
 * policy admits exactly this stage's alarms.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resourceName } from "../../packages/core/src/naming";
import { parseAlarmSettings, SETTING_NAMES, SettingsError } from "../../packages/core/src/settings";
import { ref, topicArn } from "./dev-stage";
import { readPolicy } from "./harness/policy";
import { arnOf, named, ofType, T } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";
import { admittedAlarmArns } from "./topic-policy";

beforeAll(async () => {
  await runApp({
    stage: "dev",
    env: { alertEmails: "security@example.com", alarmEmails: "false", opsEmails: "ops@example.com, OPS@example.com" },
  });
});

const opsArn = () => arnOf("SecurityOps");

describe("SECRETWATCH_ALARM_EMAILS=false", () => {
  it("keeps the metric filter and the alarm, with no action", () => {
    expect(named("SecretAccessMetricFilter").inputs.metricTransformation.value).toBe("1");
    const { inputs } = named("SecretAccessAlarm");
    expect(inputs).toMatchObject({ statistic: "Sum", period: 60, evaluationPeriods: 25, datapointsToAlarm: 1 });
    expect(inputs.alarmActions).toEqual([]);
    expect(inputs.okActions ?? []).toEqual([]);
    expect(inputs.insufficientDataActions ?? []).toEqual([]);
    expect(inputs.alarmDescription).toMatch(/SECRETWATCH_ALARM_EMAILS=false: this alarm emails nobody/);
  });

  it("still builds the reconciliation alarm, which notifies", () => {
    expect(named("ReadsNotAssessedAlarm").inputs.alarmActions).toEqual([topicArn(), opsArn()]);
  });

  it("is parsed strictly: only a boolean", () => {
    expect(parseAlarmSettings({}).alarmEmails).toBe(true);
    expect(parseAlarmSettings({ [SETTING_NAMES.alarmEmails]: "off" }).alarmEmails).toBe(false);
    expect(() => parseAlarmSettings({ [SETTING_NAMES.alarmEmails]: "sometimes" })).toThrow(SettingsError);
    expect(() => parseAlarmSettings({ [SETTING_NAMES.opsEmails]: "not-an-address" })).toThrow(/SECRETWATCH_OPS_EMAILS/);
  });
});

describe("SECRETWATCH_OPS_EMAILS", () => {
  it("creates the ops topic, one email subscription per address", () => {
    expect(named("SecurityOps").inputs.name).toBe(resourceName(ref, "opsTopic"));
    const subs = ofType(T.subscription).filter((s) => s.inputs.topic === opsArn());
    expect(subs.map((s) => s.inputs.endpoint)).toEqual(["OPS@example.com"]);
    expect(subs[0]?.inputs.protocol).toBe("email");
  });

  it("sends every self-monitoring alarm to the ops topic too, and the secret-access alarm nowhere", () => {
    for (const alarm of ofType(T.alarm)) {
      if (alarm.name === "SecretAccessAlarm") continue;
      expect(alarm.inputs.alarmActions, alarm.name).toEqual([topicArn(), opsArn()]);
    }
    expect(named("BlindSpotAlarm").inputs.insufficientDataActions).toEqual([topicArn(), opsArn()]);
  });

  it("lets CloudWatch publish to it for this stage's alarms only (every alarm named)", () => {
    const policy = named("SecurityOpsPolicy").inputs.policy;
    expect(named("SecurityOpsPolicy").inputs.arn).toBe(opsArn());
    expect([...admittedAlarmArns(policy)].sort()).toEqual(
      ofType(T.alarm)
        .map((a) => arnOf(a.name))
        .sort(),
    );
    const statements = readPolicy(policy);
    for (const s of statements) expect(s.Resource).toEqual([opsArn()]);
  });
});
