/**
 * Reading a topic policy's CloudWatch statement: which alarm ARNs it lets CloudWatch publish
 * for (stacks/alerts.ts `stageTopicPolicy`). Shared by the scenario tests of both topics.
 */
import { expect } from "vitest";
import { arnLike, readPolicy } from "./harness/policy";

/** The `aws:SourceArn` values of the statement that lets CloudWatch publish. */
export function admittedAlarmArns(policyJson: string): string[] {
  const statement = readPolicy(policyJson).find((s) => s.Sid === "CloudWatchAlarmsOfThisStage");
  expect(statement, "the CloudWatch statement").toBeDefined();
  return statement?.Condition.ArnLike?.["aws:SourceArn"] ?? [];
}

/** Whether the policy lets CloudWatch publish for the alarm with this ARN. */
export function admitsAlarm(policyJson: string, alarmArn: string): boolean {
  return admittedAlarmArns(policyJson).some((pattern) => arnLike(pattern, alarmArn));
}
