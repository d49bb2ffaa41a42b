/** The parts of the tamper classifier: resource references, event selectors, resource policies, deploy tools. */
import { describe, expect, it } from "vitest";
import { REASONS } from "../../../packages/core/src/reasons.js";
import {
  deployToolOf,
  inScope,
  isOpen,
  policyExposure,
  READ_PROBE,
  resourceRef,
  selectorGaps,
  selectorsLog,
  TAMPER_EVENTS,
  TAMPER_REASON_CODES,
  tamperSpecFor,
  WRITE_PROBE,
} from "../../../packages/core/src/tamper/index.js";
import { EMPTY_SCOPE } from "../../../packages/core/src/tamper/scope.js";

describe("resource references, as each API records them", () => {
  it.each([
    ["secretwatch-dev-enricher", "secretwatch-dev-enricher", null],
    ["secretwatch-dev-enricher:3", "secretwatch-dev-enricher", "3"],
    ["111122223333:function:secretwatch-dev-enricher", "secretwatch-dev-enricher", null],
    ["arn:aws:lambda:us-east-2:111122223333:function:secretwatch-dev-enricher", "secretwatch-dev-enricher", null],
    [
      "arn:aws:lambda:us-east-2:111122223333:function:secretwatch-dev-enricher:prod",
      "secretwatch-dev-enricher",
      "prod",
    ],
  ])("Lambda functionName %s", (value, name, qualifier) => {
    expect(resourceRef("function", value)).toEqual({ name, qualifier });
  });

  it("SNS: a subscription ARN is its topic's ARN and an id", () => {
    const topic = "arn:aws:sns:us-east-2:111122223333:secretwatch-dev-alerts";
    expect(resourceRef("topic", `${topic}:0b6a3c1e-1111-2222-3333-444455556666`)?.name).toBe(topic);
    expect(resourceRef("topic", topic)?.name).toBe(topic);
  });

  it("trails, log groups, alarms, tables and keys by name or ARN", () => {
    expect(resourceRef("trail", "arn:aws:cloudtrail:us-east-2:1:trail/t")?.name).toBe("t");
    expect(resourceRef("logGroup", "arn:aws:logs:us-east-2:1:log-group:/a/b:*")?.name).toBe("/a/b");
    expect(resourceRef("alarm", "arn:aws:cloudwatch:us-east-2:1:alarm:x")?.name).toBe("x");
    expect(resourceRef("table", "arn:aws:dynamodb:us-east-2:1:table/state/stream/2026")?.name).toBe("state");
    expect(resourceRef("kmsKey", "arn:aws:kms:us-east-2:1:key/abc")?.name).toBe("abc");
    expect(resourceRef("alarm", 42)).toBeNull();
  });

  it("is in scope when any of an array's names is, and never for another resource", () => {
    const scope = { ...EMPTY_SCOPE, alarms: ["mine"] };
    expect(inScope(scope, "alarm", ["theirs", "mine"])?.name).toBe("mine");
    expect(inScope(scope, "alarm", ["theirs"])).toBeNull();
    expect(inScope(scope, "alarm", [])).toBeNull();
  });

  it("treats an unknown trail list (existing log group) as every trail, and every secret as in scope", () => {
    expect(inScope({ ...EMPTY_SCOPE, trails: null }, "trail", ["any"])?.name).toBe("any");
    expect(inScope(EMPTY_SCOPE, "trail", ["any"])).toBeNull();
    expect(inScope(EMPTY_SCOPE, "secret", ["prod/db"])?.name).toBe("prod/db");
  });
});

describe("the catalog", () => {
  it("matches Lambda's versioned names by API plus version only", () => {
    expect(tamperSpecFor("lambda.amazonaws.com", "UpdateFunctionCode20150331v2")?.api).toBe("UpdateFunctionCode");
    expect(tamperSpecFor("lambda.amazonaws.com", "DeleteFunction20150331")?.api).toBe("DeleteFunction");
    expect(tamperSpecFor("lambda.amazonaws.com", "DeleteFunction")?.api).toBe("DeleteFunction");
    expect(tamperSpecFor("lambda.amazonaws.com", "DeleteFunctionConcurrency20171031")).toBeNull();
    expect(tamperSpecFor("lambda.amazonaws.com", "DeleteFunctionUrlConfig")).toBeNull();
    expect(tamperSpecFor("lambda.amazonaws.com", "UpdateFunctionCodeXYZ")).toBeNull();
    // The right source only: SNS and Lambda both have RemovePermission.
    expect(tamperSpecFor("sns.amazonaws.com", "RemovePermission")?.scope).toBe("topic");
    expect(tamperSpecFor("lambda.amazonaws.com", "RemovePermission20150331v2")?.scope).toBe("function");
    expect(tamperSpecFor("iam.amazonaws.com", "DeleteTrail")).toBeNull();
  });

  it("has a reason of the table, never lowerable, for every event, and each API once per source", () => {
    for (const code of TAMPER_REASON_CODES) expect(REASONS[code].lowerable, code).toBe(false);
    const keys = TAMPER_EVENTS.map((e) => `${e.source} ${e.api}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of TAMPER_EVENTS) expect(TAMPER_REASON_CODES).toContain(e.reason);
  });

  it("covers every event the issue names", () => {
    const apis = new Set(TAMPER_EVENTS.map((e) => e.api));
    for (const api of [
      ...["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"],
      ...[
        "DeleteLogGroup",
        "DeleteSubscriptionFilter",
        "PutSubscriptionFilter",
        "DeleteMetricFilter",
        "PutRetentionPolicy",
      ],
      ...["DeleteAlarms", "DisableAlarmActions", "PutMetricAlarm", "SetAlarmState"],
      ...["DeleteTopic", "Unsubscribe", "SetTopicAttributes", "RemovePermission", "SetSubscriptionAttributes"],
      ...["DeleteFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration", "PutFunctionConcurrency"],
      ...["PutFunctionEventInvokeConfig", "UpdateFunctionEventInvokeConfig", "DeleteFunctionEventInvokeConfig"],
      ...["DeleteTable", "UpdateTable", "UpdateTimeToLive", "PutResourcePolicy", "DeleteResourcePolicy"],
      ...["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"],
      ...["DeleteSecret", "RestoreSecret", "UpdateSecret", "ReplicateSecretToRegions", "StopReplicationToReplica"],
      ...["CancelRotateSecret", "UpdateSecretVersionStage"],
    ])
      expect(apis, api).toContain(api);
  });
});

describe("event selectors", () => {
  const basic = (readWriteType: string, extra: object = {}) => ({
    eventSelectors: [{ readWriteType, includeManagementEvents: true, ...extra }],
  });
  it.each([
    ["All", true, true],
    ["ReadOnly", true, false],
    ["WriteOnly", false, true],
  ])("basic %s: reads %s, writes %s", (type, read, write) => {
    expect(selectorsLog(basic(type), READ_PROBE)).toBe(read);
    expect(selectorsLog(basic(type), WRITE_PROBE)).toBe(write);
  });

  it("basic: no management events, or Secrets Manager excluded, drops the reads", () => {
    expect(selectorsLog({ eventSelectors: [{ includeManagementEvents: false }] }, READ_PROBE)).toBe(false);
    const excluded = basic("All", { excludeManagementEventSources: ["secretsmanager.amazonaws.com"] });
    expect(selectorsLog(excluded, READ_PROBE)).toBe(false);
    expect(selectorsLog(basic("All", { excludeManagementEventSources: ["kms.amazonaws.com"] }), READ_PROBE)).toBe(true);
  });

  it("advanced: every field selector must match; any selector may", () => {
    const mgmt = { field: "eventCategory", equals: ["Management"] };
    const writes = { field: "readOnly", equals: ["false"] };
    expect(selectorsLog({ advancedEventSelectors: [{ fieldSelectors: [mgmt, writes] }] }, READ_PROBE)).toBe(false);
    expect(
      selectorsLog(
        { advancedEventSelectors: [{ fieldSelectors: [mgmt, writes] }, { fieldSelectors: [mgmt] }] },
        READ_PROBE,
      ),
    ).toBe(true);
    const notSm = { field: "eventSource", notStartsWith: ["secretsmanager"] };
    expect(selectorsLog({ advancedEventSelectors: [{ fieldSelectors: [mgmt, notSm] }] }, READ_PROBE)).toBe(false);
    expect(
      selectorsLog(
        { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] }] },
        READ_PROBE,
      ),
    ).toBe(true);
  });

  it("reads the worst into what it cannot read", () => {
    expect(selectorsLog({}, READ_PROBE)).toBeNull();
    const unknownField = { advancedEventSelectors: [{ fieldSelectors: [{ field: "resources.type", equals: ["x"] }] }] };
    expect(selectorsLog(unknownField, READ_PROBE)).toBeNull();
    expect(selectorGaps(unknownField)).toHaveLength(1);
    expect(selectorGaps(basic("All"))).toEqual([]);
    expect(selectorGaps(basic("WriteOnly"))).toEqual([expect.stringContaining("Read management events")]);
  });
});

describe("secret resource policies", () => {
  const doc = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
  const allow = (Principal: unknown, more: object = {}) => doc({ Effect: "Allow", Principal, Action: "*", ...more });
  it.each([
    ["Principal *", allow("*"), true],
    ["AWS *", allow({ AWS: "*" }), true],
    ["another account's root", allow({ AWS: "arn:aws:iam::444455556666:root" }), true],
    ["another account's ID", allow({ AWS: ["444455556666"] }), true],
    [
      "NotPrincipal",
      doc({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::111122223333:role/x" }, Action: "*" }),
      true,
    ],
    ["a role of the account", allow({ AWS: "arn:aws:iam::111122223333:role/app" }), false],
    ["a service", allow({ Service: "lambda.amazonaws.com" }), false],
    ["a Deny for everyone", doc({ Effect: "Deny", Principal: "*", Action: "*" }), false],
    ["not JSON", "{not json", true],
    ["no statements", "{}", true],
  ])("%s: open %s", (_name, policy, open) => {
    expect(isOpen(policyExposure(policy, "111122223333"))).toBe(open);
  });

  it("lists the other accounts and the conditions, which never close it", () => {
    const exposure = policyExposure(
      allow(
        { AWS: ["arn:aws:iam::444455556666:root", "999988887777"] },
        { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } },
      ),
      "111122223333",
    );
    expect(exposure).toMatchObject({
      everyone: false,
      otherAccounts: ["444455556666", "999988887777"],
      conditions: ["aws:PrincipalOrgID"],
    });
    expect(isOpen(exposure)).toBe(true);
  });
});

describe("deploy tools", () => {
  it.each([
    ["APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.70.0", "Terraform"],
    [
      "APN/1.0 HashiCorp/1.0 Terraform/1.5.7 terraform-provider-aws/5.100.0 aws-sdk-go-v2/1.36.3 pulumi-aws/6.83.0",
      "Pulumi",
    ],
    ["sst/4.17.1 aws-sdk-js/3.700.0", "SST"],
    ["aws-cli/2.15.30 md/command#cloudtrail.stop-logging", null],
    ["I am terraform, trust me", null],
    [undefined, null],
  ])("%s: %s", (ua, tool) => {
    expect(deployToolOf(ua)).toBe(tool);
  });
});
