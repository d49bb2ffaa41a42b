/**
 * Shared by the dev-stage-*.test.ts files. Scenario: a developer stage (`dev`) with two alert
 * addresses and default settings, in account 111122223333, us-east-2. Each test file runs the
 * app once in its own `beforeAll` (stacks register resources at module load, and vitest gives
 * each file a fresh module registry); these helpers read what that run recorded.
 */
import { arnOf } from "./harness/recorder";

export const ref = { app: "secretwatch", stage: "dev" };
export const ACCOUNT = "111122223333";
export const REGION = "us-east-2";
export const logsArn = (group: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}`;

export const topicArn = () => arnOf("SecurityAlarms");
export const trailLogGroupArn = () => arnOf("TrailLogGroup");

// Minimal CloudTrail records: what the filters compare.
const sm = "secretsmanager.amazonaws.com";
export const records = {
  read: { eventSource: sm, eventName: "GetSecretValue", requestParameters: { secretId: "prod/db" } },
  batch: { eventSource: sm, eventName: "BatchGetSecretValue", requestParameters: { secretIdList: ["a", "b"] } },
  describe: { eventSource: sm, eventName: "DescribeSecret", requestParameters: { secretId: "prod/db" } },
  policyMentioningRead: {
    eventSource: sm,
    eventName: "PutResourcePolicy",
    requestParameters: { resourcePolicy: '{"Statement":[{"Action":"secretsmanager:GetSecretValue"}]}' },
  },
  iamPolicyMentioningRead: {
    eventSource: "iam.amazonaws.com",
    eventName: "PutRolePolicy",
    requestParameters: { policyDocument: '{"Action":"secretsmanager:GetSecretValue"}' },
  },
  otherService: { eventSource: "ssm.amazonaws.com", eventName: "GetSecretValue" },
};
