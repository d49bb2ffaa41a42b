/**
 * Scenario: SECRETWATCH_DIGEST=hourly (the hour setting then plays no part) and a longer
 * learning period, on a stage with a pager: the schedule runs at five past every hour, the
 * function knows its mode, the enricher its learning hours, and the digest's alarms page too.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { arnOf, named, ofType } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

beforeAll(async () => {
  await runApp({
    stage: "dev",
    env: {
      alertEmails: "security@example.com",
      pagerEmails: "oncall@example.com",
      digest: "hourly",
      digestHour: "3",
      learningHours: "48",
    },
  });
});

describe("the hourly digest", () => {
  it("runs at five past every hour, UTC", () => {
    const schedules = ofType("aws:scheduler/schedule:Schedule");
    expect(schedules.map((s) => s.inputs.scheduleExpression)).toEqual(["cron(5 * * * ? *)"]);
    expect(schedules[0]?.inputs.scheduleExpressionTimezone).toBe("UTC");
  });

  it("tells the function its mode, and the enricher its learning hours", () => {
    expect(named("DigestFunction").inputs.environment.variables.SECRETWATCH_DIGEST).toBe("hourly");
    expect(named("EnricherFunction").inputs.environment.variables.SECRETWATCH_LEARNING_HOURS).toBe("48");
  });

  it("notifies the topic and the pager of its failures, like every alarm", () => {
    for (const name of ["DigestErrorsAlarm", "DigestFailuresAlarm"]) {
      expect(named(name).inputs.alarmActions, name).toEqual([arnOf("SecurityAlarms"), arnOf("SecurityPager")]);
    }
  });
});
