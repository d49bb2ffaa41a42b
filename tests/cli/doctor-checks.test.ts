/** The doctor's pure checks on API responses, case by case. */
import type { AdvancedEventSelector } from "@aws-sdk/client-cloudtrail";
import { describe, expect, test } from "vitest";
import { topicArnFromAlarmArn } from "../../packages/cli/src/doctor/alarm.js";
import { checkFailureQueue } from "../../packages/cli/src/doctor/enricher.js";
import { lambdaFunctionName, normalizePattern } from "../../packages/cli/src/doctor/logs.js";
import { isBareTermPattern } from "../../packages/cli/src/doctor/metric-filter.js";
import { formatText } from "../../packages/cli/src/doctor/report.js";
import { checkEventSelectors } from "../../packages/cli/src/doctor/selectors.js";
import { findTopicArn } from "../../packages/cli/src/doctor/topic.js";
import { formatAge, parseLogGroupArn } from "../../packages/cli/src/doctor/trail.js";

const FIX = "fix it";
const management = (...more: AdvancedEventSelector["FieldSelectors"] & object): AdvancedEventSelector => ({
  Name: "mgmt",
  FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }, ...more],
});
const status = (response: Parameters<typeof checkEventSelectors>[1]) => checkEventSelectors("t", response, FIX).status;

describe("event selectors", () => {
  test("advanced: Read and Write, or readOnly = true, log GetSecretValue", () => {
    expect(status({ AdvancedEventSelectors: [management()] })).toBe("pass");
    expect(status({ AdvancedEventSelectors: [management({ Field: "readOnly", Equals: ["true"] })] })).toBe("pass");
  });

  test("advanced: selectors are OR-ed; a data-events selector alone logs no management events", () => {
    const writeOnly = management({ Field: "readOnly", Equals: ["false"] });
    const readOnly = management({ Field: "readOnly", Equals: ["true"] });
    const data: AdvancedEventSelector = {
      Name: "S3 data",
      FieldSelectors: [
        { Field: "eventCategory", Equals: ["Data"] },
        { Field: "resources.type", Equals: ["AWS::S3::Object"] },
      ],
    };
    expect(status({ AdvancedEventSelectors: [writeOnly, readOnly] })).toBe("pass");
    expect(checkEventSelectors("t", { AdvancedEventSelectors: [data] }, FIX)).toEqual({
      link: "trail",
      status: "fail",
      message: "trail t logs no management events: no secret read is recorded",
      fix: FIX,
    });
  });

  test("advanced: eventSource filters", () => {
    expect(
      status({ AdvancedEventSelectors: [management({ Field: "eventSource", NotEquals: ["kms.amazonaws.com"] })] }),
    ).toBe("pass");
    expect(
      status({
        AdvancedEventSelectors: [management({ Field: "eventSource", Equals: ["secretsmanager.amazonaws.com"] })],
      }),
    ).toBe("pass");
    expect(
      status({ AdvancedEventSelectors: [management({ Field: "eventSource", Equals: ["iam.amazonaws.com"] })] }),
    ).toBe("fail");
    expect(
      status({ AdvancedEventSelectors: [management({ Field: "eventSource", NotStartsWith: ["secretsmanager"] })] }),
    ).toBe("fail");
  });

  test("advanced: a field doctor cannot evaluate is a warning, not a guess", () => {
    const check = checkEventSelectors(
      "t",
      {
        AdvancedEventSelectors: [
          management({ Field: "userIdentity.arn", NotStartsWith: ["arn:aws:sts::1:assumed-role/ci"] }),
        ],
      },
      FIX,
    );
    expect(check.status).toBe("warn");
  });

  test("basic: defaults, ReadOnly, no management events, excluded source", () => {
    expect(status({ EventSelectors: [{}] })).toBe("pass");
    expect(status({ EventSelectors: [{ ReadWriteType: "ReadOnly", IncludeManagementEvents: true }] })).toBe("pass");
    expect(
      checkEventSelectors("t", { EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: false }] }, FIX)
        .message,
    ).toBe("trail t logs no management events: no secret read is recorded");
    expect(
      checkEventSelectors(
        "t",
        { EventSelectors: [{ ReadWriteType: "All", ExcludeManagementEventSources: ["secretsmanager.amazonaws.com"] }] },
        FIX,
      ).message,
    ).toBe(
      "trail t excludes secretsmanager.amazonaws.com from its management events (ExcludeManagementEventSources): no secret read is recorded",
    );
    expect(
      status({ EventSelectors: [{ ReadWriteType: "All", ExcludeManagementEventSources: ["kms.amazonaws.com"] }] }),
    ).toBe("pass");
  });

  test("no selectors at all", () => {
    expect(status({ TrailARN: "arn:aws:cloudtrail:us-east-1:1:trail/t" })).toBe("fail");
  });
});

describe("ARNs and names", () => {
  test("log group ARNs, with or without :*", () => {
    expect(parseLogGroupArn("arn:aws:logs:us-east-1:123456789012:log-group:/a/b:*")).toEqual({
      region: "us-east-1",
      account: "123456789012",
      name: "/a/b",
    });
    expect(parseLogGroupArn("arn:aws-cn:logs:cn-north-1:1:log-group:g")?.name).toBe("g");
    expect(parseLogGroupArn("arn:aws:sns:us-east-1:1:topic")).toBeUndefined();
    expect(parseLogGroupArn(undefined)).toBeUndefined();
  });

  test("topic ARN from the alarm ARN, in its partition", () => {
    expect(topicArnFromAlarmArn("arn:aws-us-gov:cloudwatch:us-gov-west-1:1:alarm:a", "t")).toBe(
      "arn:aws-us-gov:sns:us-gov-west-1:1:t",
    );
    expect(topicArnFromAlarmArn(undefined, "t")).toBeUndefined();
    expect(findTopicArn(["arn:aws:sns:us-east-1:1:t-old", "arn:aws:sns:us-east-1:1:t"], "t")).toBe(
      "arn:aws:sns:us-east-1:1:t",
    );
  });

  test("Lambda function name, qualified or not", () => {
    expect(lambdaFunctionName("arn:aws:lambda:us-east-1:1:function:f")).toBe("f");
    expect(lambdaFunctionName("arn:aws:lambda:us-east-1:1:function:f:live")).toBe("f");
    expect(lambdaFunctionName("arn:aws:firehose:us-east-1:1:deliverystream/s")).toBeUndefined();
  });
});

describe("patterns", () => {
  test("bare terms vs JSON and space-delimited patterns", () => {
    expect(isBareTermPattern("GetSecretValue")).toBe(true);
    expect(isBareTermPattern('"GetSecretValue" secretsmanager')).toBe(true);
    expect(isBareTermPattern('  { $.eventName = "GetSecretValue" }')).toBe(false);
    expect(isBareTermPattern("[ip, user, ...]")).toBe(false);
    expect(isBareTermPattern("")).toBe(false);
  });

  test("white space does not make a pattern different", () => {
    expect(normalizePattern('{  ($.a = "b")\n}')).toBe(normalizePattern('{ ($.a = "b") }'));
  });
});

describe("report helpers", () => {
  test("ages", () => {
    expect(formatAge(59_000)).toBe("0 minutes");
    expect(formatAge(60_000)).toBe("1 minute");
    expect(formatAge(119 * 60_000)).toBe("119 minutes");
    expect(formatAge(5 * 3_600_000)).toBe("5 hours");
    expect(formatAge(3 * 86_400_000)).toBe("3 days");
  });

  test("a queue without datapoints is empty", () => {
    const hints = { deploy: "d", cli: (c: string) => c };
    expect(checkFailureQueue("q", { timestamps: [], values: [] }, hints).status).toBe("pass");
  });

  test("text report groups by link and counts", () => {
    const text = formatText({
      app: "a",
      stage: "s",
      region: "r",
      ok: false,
      checks: [
        { link: "trail", status: "pass", message: "p" },
        { link: "alarm", status: "fail", message: "f", fix: "x" },
        { link: "alarm", status: "warn", message: "w" },
      ],
    });
    expect(text).toBe(
      "secretwatch doctor: stage s of a in r\ntrail:\n  ✓ p\nalarm:\n  ✗ f → fix: x\n  ! w\n1 of 3 checks failed (1 warning)\n",
    );
  });
});
