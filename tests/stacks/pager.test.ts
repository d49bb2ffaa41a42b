/**
 * Scenario: stage `dev` with pager addresses (one of them also an alert address) and no policy
 * file (page: high by default). Pager addresses get the alerts at or above `page` through a
 * filter policy on the alert topic, and every alarm through the pager topic: alarm
 * notifications carry no message attributes, so no attribute filter could let them through.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { resourceName } from "../../packages/core/src/naming";
import { ACCOUNT, REGION, ref, topicArn } from "./dev-stage";
import { readPolicy } from "./harness/policy";
import { arnOf, named, ofType, T } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";
import { admitsAlarm, admittedAlarmArns } from "./topic-policy";

const hash = (email: string) => createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 10);

let result: RunResult;
beforeAll(async () => {
  result = await runApp({
    stage: "dev",
    env: {
      alertEmails: "security@example.com, Lead@Example.com",
      pagerEmails: "oncall@example.com; lead@example.com, ONCALL@example.com",
    },
  });
});

const pagerArn = () => arnOf("SecurityPager");

describe("the pager topic", () => {
  it("is named per stage and trusts only this stage's alarms and this account", () => {
    expect(named("SecurityPager").inputs.name).toBe(resourceName(ref, "pagerTopic"));
    expect(pagerArn()).toBe(`arn:aws:sns:${REGION}:${ACCOUNT}:secretwatch-dev-pager`);
    const statements = readPolicy(named("SecurityPagerPolicy").inputs.policy);
    expect(named("SecurityPagerPolicy").inputs.arn).toBe(pagerArn());
    const cloudwatch = statements.find((s) => s.Sid === "CloudWatchAlarmsOfThisStage");
    expect(cloudwatch).toMatchObject({
      Principal: { Service: ["cloudwatch.amazonaws.com"] },
      Action: ["sns:Publish"],
      Resource: [pagerArn()],
    });
    expect(cloudwatch?.Condition.StringEquals).toEqual({ "aws:SourceAccount": [ACCOUNT] });
    const policy = named("SecurityPagerPolicy").inputs.policy;
    const admitted = admittedAlarmArns(policy);
    expect([...admitted].sort()).toEqual(
      ofType(T.alarm)
        .map((a) => arnOf(a.name))
        .sort(),
    );
    expect(admitted).toEqual(admittedAlarmArns(named("SecurityAlarmsPolicy").inputs.policy));
    const alarm = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
    expect(admitsAlarm(policy, alarm("secretwatch-prod-blind-spot"))).toBe(false);
    expect(admitsAlarm(policy, alarm("secretwatch-dev-alice-blind-spot"))).toBe(false);
    const owner = statements.find((s) => s.Sid === "OwnerAccountOnly");
    expect(owner?.Principal).toEqual({ AWS: [`arn:aws:iam::${ACCOUNT}:root`] });
    expect(owner?.Resource).toEqual([pagerArn()]);
  });

  it("is output with the pager addresses", () => {
    expect(result.outputs.pagerTopicArn).toBe(pagerArn());
    expect(result.outputs.pagerEmails).toBe("oncall@example.com, lead@example.com, ONCALL@example.com");
  });
});

describe("pager subscriptions", () => {
  it("subscribes each pager address once, unfiltered, to the pager topic", () => {
    const onPager = ofType(T.subscription).filter((s) => s.inputs.topic === pagerArn());
    expect(onPager.map((s) => s.name).sort()).toEqual(
      [`PagerAlarmEmail${hash("oncall@example.com")}`, `PagerAlarmEmail${hash("lead@example.com")}`].sort(),
    );
    for (const s of onPager) {
      expect(s.inputs.protocol).toBe("email");
      expect(s.inputs.filterPolicy).toBeUndefined();
    }
  });

  it("delivers alerts at high and above to a pager address, by the severity attribute", () => {
    const subscription = named(`PagerAlertEmail${hash("oncall@example.com")}`);
    expect(subscription.inputs).toMatchObject({
      topic: topicArn(),
      protocol: "email",
      // One subscription per address whatever its case; the last spelling wins, as for alert addresses.
      endpoint: "ONCALL@example.com",
      filterPolicyScope: "MessageAttributes",
    });
    // Alerts and summaries at or above page high; the digest (kind digest) never pages.
    expect(subscription.inputs.filterPolicy).toBe('{"severity":["high","critical"],"kind":["alert","summary"]}');
  });

  it("adds no filtered subscription for an address that already receives every alert", () => {
    const onAlerts = ofType(T.subscription).filter((s) => s.inputs.topic === topicArn());
    expect(onAlerts.map((s) => s.inputs.endpoint).sort()).toEqual([
      "Lead@Example.com",
      "ONCALL@example.com",
      "security@example.com",
    ]);
    expect(onAlerts.filter((s) => s.name.startsWith("PagerAlertEmail"))).toHaveLength(1);
  });
});

describe("alarms", () => {
  it("every alarm of the stage notifies the alert topic and the pager topic", () => {
    const alarms = ofType(T.alarm);
    expect(alarms).toHaveLength(16 + 4); // + the tamper alarms (stacks/tamper.ts)
    for (const alarm of alarms) expect(alarm.inputs.alarmActions, alarm.name).toEqual([topicArn(), pagerArn()]);
  });

  it("pages for an alarm, not for its recovery", () => {
    // The blind-spot alarm emails on the move to INSUFFICIENT_DATA (no data after data), not on recovery.
    expect(named("BlindSpotAlarm").inputs.okActions).toEqual([]);
    expect(named("BlindSpotAlarm").inputs.insufficientDataActions).toEqual([topicArn(), pagerArn()]);
  });
});
