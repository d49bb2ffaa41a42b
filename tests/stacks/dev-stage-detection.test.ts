/**
 * Dev stage (see ./dev-stage.ts): the secret-access metric filter and alarm, and the alert
 * topic with its policy and email subscriptions.
 */

import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { beforeAll, describe, expect, it } from "vitest";
import { checkAlarm, LATE_WINDOW_MINUTES as DOCTOR_LATE_WINDOW_MINUTES } from "../../packages/cli/src/doctor/alarm";
import { METRIC_FILTER_PATTERN, METRIC_NAMESPACE } from "../../packages/core/src/events";
import { resourceName, secretAccessMetricName, stageAlarmNames } from "../../packages/core/src/naming";

import { matchesPattern, parseJsonPattern } from "../helpers/filter-pattern";
import { ACCOUNT, REGION, records, ref, topicArn } from "./dev-stage";
import { readPolicy } from "./harness/policy";
import { arnOf, named, ofType, T } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";
import { admitsAlarm, admittedAlarmArns } from "./topic-policy";

// The module the run loaded (importing it before the run would declare its resources outside it).
let detection: typeof import("../../stacks/detection");
beforeAll(async () => {
  await runApp({ stage: "dev", env: { alertEmails: "security@example.com, oncall@example.org" } });
  detection = await import("../../stacks/detection");
});

describe("secret-access metric filter and alarm", () => {
  it("uses the JSON pattern from events.ts, never a bare term", () => {
    const { pattern } = named("SecretAccessMetricFilter").inputs;
    expect(pattern).toBe(METRIC_FILTER_PATTERN);
    expect(pattern).toBe('{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") }');
    expect(() => parseJsonPattern(pattern)).not.toThrow();
  });

  it("counts each secret read once: GetSecretValue, not the batch call nor policy text", () => {
    const { pattern } = named("SecretAccessMetricFilter").inputs;
    expect(matchesPattern(pattern, records.read)).toBe(true);
    expect(matchesPattern(pattern, records.batch)).toBe(false);
    expect(matchesPattern(pattern, records.describe)).toBe(false);
    expect(matchesPattern(pattern, records.policyMentioningRead)).toBe(false);
    expect(matchesPattern(pattern, records.iamPolicyMentioningRead)).toBe(false);
    expect(matchesPattern(pattern, records.otherService)).toBe(false);
  });

  it("publishes 1 per read to the stage's metric, 0 by default, without dimensions", () => {
    const filter = named("SecretAccessMetricFilter");
    expect(filter.inputs.logGroupName).toBe("/secretwatch/dev/cloudtrail");
    expect(filter.inputs.metricTransformation).toEqual({
      name: secretAccessMetricName(ref),
      namespace: METRIC_NAMESPACE,
      value: "1",
      defaultValue: "0",
      unit: "Count",
    });
  });

  it("alarms on the Sum of reads per minute, at the first read in any of the last 25 minutes", () => {
    expect(named("SecretAccessAlarm").inputs).toMatchObject({
      namespace: METRIC_NAMESPACE,
      metricName: secretAccessMetricName(ref),
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 25,
      datapointsToAlarm: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [topicArn()],
    });
    expect(named("SecretAccessAlarm").inputs.dimensions).toBeUndefined();
    expect(detection.SECRET_ACCESS_ALARM_TIMING).toEqual({ period: 60, evaluationPeriods: 25, datapointsToAlarm: 1 });
  });

  it("still sees a read delivered 20 minutes late, whichever timestamp its datapoint gets", () => {
    const { period, evaluationPeriods, datapointsToAlarm } = named("SecretAccessAlarm").inputs;
    // Stamped with the event's time: when the record arrives 20 minutes late and the alarm next
    // evaluates (within the slack), the datapoint must still be among the last N periods.
    const lateMinutes = detection.LATE_DELIVERY_MINUTES + detection.EVALUATION_SLACK_MINUTES;
    expect(period * evaluationPeriods).toBeGreaterThanOrEqual(lateMinutes * 60);
    expect(detection.LATE_DELIVERY_MINUTES).toBe(20);
    // One breaching minute among N is enough (M of N with M = 1): the other minutes have no data.
    expect(datapointsToAlarm).toBe(1);
    // Stamped at ingestion: the datapoint is the newest one, inside any window.
    expect(period).toBeLessThanOrEqual(60);
    // The doctor's rule agrees with the deploy's numbers.
    expect(DOCTOR_LATE_WINDOW_MINUTES).toBe(lateMinutes);
  });

  it("is accepted by doctor as deployed, and doctor still flags Average or a window too short", () => {
    const inputs = named("SecretAccessAlarm").inputs;
    const alarmName = resourceName(ref, "secretAccessAlarm");
    const deployed: MetricAlarm = {
      AlarmName: alarmName,
      AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`,
      ActionsEnabled: true,
      AlarmActions: inputs.alarmActions,
      StateValue: "OK",
      MetricName: inputs.metricName,
      Namespace: inputs.namespace,
      Statistic: inputs.statistic,
      Period: inputs.period,
      EvaluationPeriods: inputs.evaluationPeriods,
      DatapointsToAlarm: inputs.datapointsToAlarm,
      Threshold: inputs.threshold,
      ComparisonOperator: inputs.comparisonOperator,
      TreatMissingData: inputs.treatMissingData,
    };
    const expectation = {
      alarmName,
      namespace: METRIC_NAMESPACE,
      metricName: secretAccessMetricName(ref),
      topicArn: topicArn(),
      topicName: resourceName(ref, "topic"),
      alarmEmails: true,
      hints: { deploy: "npx sst deploy --stage dev", cli: (c: string) => `secretwatch ${c} --stage dev` },
    };
    const failures = (alarm: MetricAlarm) =>
      checkAlarm(alarm, expectation)
        .filter((r) => r.status === "fail")
        .map((r) => r.message);
    expect(failures(deployed)).toEqual([]);
    expect(failures({ ...deployed, Statistic: "Average" })).toEqual([expect.stringMatching(/uses Average/)]);
    expect(failures({ ...deployed, EvaluationPeriods: 1 })).toEqual([expect.stringMatching(/20 minutes late/)]);
    expect(failures({ ...deployed, DatapointsToAlarm: 3 })).toEqual([expect.stringMatching(/3 of 25/)]);
  });
});

describe("alert topic", () => {
  it("subscribes each address by email", () => {
    const subs = ofType(T.subscription);
    expect(subs.map((s) => s.inputs.endpoint).sort()).toEqual(["oncall@example.org", "security@example.com"]);
    for (const s of subs) expect(s.inputs).toMatchObject({ protocol: "email", topic: topicArn() });
  });

  it("lets CloudWatch publish only for this account's alarms of this stage", () => {
    const statements = readPolicy(named("SecurityAlarmsPolicy").inputs.policy);
    expect(named("SecurityAlarmsPolicy").inputs.arn).toBe(topicArn());
    const fromCloudWatch = statements.filter(
      (s) => s.Principal !== "*" && s.Principal?.Service?.includes("cloudwatch.amazonaws.com"),
    );
    expect(fromCloudWatch).toEqual([
      {
        Sid: "CloudWatchAlarmsOfThisStage",
        Effect: "Allow",
        Principal: { Service: ["cloudwatch.amazonaws.com"] },
        Action: ["sns:Publish"],
        Resource: [topicArn()],
        Condition: {
          StringEquals: { "aws:SourceAccount": [ACCOUNT] },
          ArnLike: { "aws:SourceArn": expect.any(Array) },
        },
      },
    ]);
  });

  it("names each alarm of this stage in full, and admits no other stage's alarm", () => {
    const policy = named("SecurityAlarmsPolicy").inputs.policy;
    const admitted = admittedAlarmArns(policy);
    // Exactly the alarms this stage creates, without a wildcard.
    expect([...admitted].sort()).toEqual(
      ofType(T.alarm)
        .map((a) => arnOf(a.name))
        .sort(),
    );
    for (const arn of admitted) expect(arn).not.toMatch(/[*?]/);
    const alarm = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
    // A stage whose name starts like this one (`dev-alice`) matched `secretwatch-dev-*`.
    expect(admitsAlarm(policy, alarm("secretwatch-dev-alice-blind-spot"))).toBe(false);
    expect(admitsAlarm(policy, alarm("secretwatch-dev-alice-secret-access"))).toBe(false);
    for (const stage of ["dev-alice", "Dev", "prod", "de"]) {
      for (const name of stageAlarmNames({ app: "secretwatch", stage })) {
        expect(admitsAlarm(policy, alarm(name)), `${stage}: ${name}`).toBe(false);
      }
    }
    expect(admitsAlarm(policy, `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:secretwatch-dev-blind-spot`)).toBe(false);
  });

  it("is not public and not open to other accounts", () => {
    const statements = readPolicy(named("SecurityAlarmsPolicy").inputs.policy);
    for (const s of statements.filter((x) => x.Effect === "Allow")) {
      expect(s.Principal, JSON.stringify(s)).not.toBe("*");
      const aws = s.Principal !== "*" ? (s.Principal?.AWS ?? []) : [];
      for (const id of aws) expect(id).toBe(`arn:aws:iam::${ACCOUNT}:root`);
      expect(s.Resource).toEqual([topicArn()]);
    }
  });
});
