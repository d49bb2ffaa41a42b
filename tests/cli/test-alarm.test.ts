/**
 * `secretwatch test-alarm` against mocked CloudWatch and SNS: the alarm is checked first,
 * set to OK and then to ALARM (an alarm already in ALARM would notify nothing), and a
 * clearly marked test message goes to the stage's topic. `--late` puts a back-dated read on the
 * alarm's metric and watches for ALARM (mocked responses in the documented shapes).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type SetAlarmStateCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { runLateTest } from "../../packages/cli/src/test-alarm/late.js";
import { runCli } from "./run-cli.js";

const ACCOUNT = "111122223333";
const TOPIC_ARN = `arn:aws:sns:eu-west-1:${ACCOUNT}:secretwatch-test-alerts`;
const ALARM_NAME = "secretwatch-test-secret-access";
const NOW = new Date("2024-08-01T00:00:00Z");

/** DescribeAlarms' MetricAlarms entry for the stage's alarm, as deployed by stacks/detection.ts. */
function deployedAlarm(overrides: Partial<MetricAlarm> = {}): MetricAlarm {
  return {
    AlarmName: ALARM_NAME,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:${ALARM_NAME}`,
    AlarmDescription: "A secret value was read (stage test). The enricher emails who read which secret.",
    AlarmConfigurationUpdatedTimestamp: new Date("2024-07-30T10:00:00Z"),
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [TOPIC_ARN],
    InsufficientDataActions: [],
    StateValue: "ALARM",
    StateReason:
      "Threshold Crossed: 1 datapoint [3.0 (31/07/24 12:36:00)] was greater than or equal to the threshold (1.0).",
    StateUpdatedTimestamp: new Date("2024-07-31T12:37:00Z"),
    MetricName: "Secret is accessed (secretwatch-test)",
    Namespace: "SecurityMetrics",
    Statistic: "Sum",
    Dimensions: [],
    Period: 60,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    TreatMissingData: "notBreaching",
    StateTransitionedTimestamp: new Date("2024-07-31T12:37:00Z"),
    ...overrides,
  };
}

const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
let log: string[];

beforeEach(() => {
  cw.reset();
  sns.reset();
  log = [];
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [deployedAlarm()], CompositeAlarms: [] });
  cw.on(SetAlarmStateCommand).callsFake((input: SetAlarmStateCommandInput) => {
    log.push(`state:${input.StateValue}`);
    return {};
  });
  sns.on(PublishCommand).callsFake(() => {
    log.push("publish");
    return { MessageId: "b4a1c6d2-0000-4000-8000-000000000001" };
  });
});

const testAlarm = (...args: string[]) => runCli(["test-alarm", "--stage", "test", ...args], { now: NOW });

describe("test-alarm", () => {
  it("sets the alarm to OK, then to ALARM with a reason, then publishes a marked test message", async () => {
    const run = await testAlarm("--region", "eu-west-1");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(log).toEqual(["state:OK", "state:ALARM", "publish"]);
    const describe = cw.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input;
    expect(describe.AlarmNames).toEqual([ALARM_NAME]);
    const states = cw.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input);
    for (const state of states) {
      expect(state.AlarmName).toBe(ALARM_NAME);
      expect(state.StateReason).toMatch(/^secretwatch test-alarm at 2024-08-01T00:00:00.000Z: /);
      expect(state.StateReason!.length).toBeLessThanOrEqual(1023);
    }
    expect(states[1]!.StateReason).toContain("TEST of alert delivery, no secret was read");

    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input as PublishCommandInput;
    expect(input.TopicArn).toBe(TOPIC_ARN);
    expect(input.Subject).toMatch(/^\[secretwatch test\] TEST - /);
    expect(input.Subject).toMatch(/^[\x20-\x7E]{1,99}$/);
    expect(input.Message).toContain("This is a TEST message from `secretwatch test-alarm`. No secret was read.");
    expect(input.MessageAttributes).toEqual({ kind: { DataType: "String", StringValue: "test" } });

    expect(run.stdout).toContain(`Alarm ${ALARM_NAME} (eu-west-1, was ALARM): set to OK, then to ALARM.`);
    expect(run.stdout).toContain(
      `1. within about a minute, from AWS Notifications: ALARM: "${ALARM_NAME}" in eu-west-1`,
    );
    expect(run.stdout).toContain(`2. within about a minute: ${input.Subject}`);
    expect(run.stdout).toMatch(
      /returns to OK \(or to its real state\) at its next evaluation, within about a minute; that sends no email/,
    );
    expect(run.stdout).toContain("subscriptions are confirmed: secretwatch doctor --stage test");
  });

  it("fails with one clear line, and changes nothing, when the stage's alarm does not exist", async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
    const run = await testAlarm("--region", "eu-west-1");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `secretwatch: the alarm ${ALARM_NAME} does not exist in eu-west-1: check --stage, --app and --region (is the stage deployed?)\n`,
    );
    expect(cw.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it("warns when the alarm cannot email anyone, and still runs the test", async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [deployedAlarm({ ActionsEnabled: false, AlarmActions: [] })],
    });
    const run = await testAlarm();
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("warning: the alarm's actions are disabled");
    expect(run.stderr).toContain("warning: the alarm has no SNS action");
    // No SNS action: the topic is the stage's, built from the alarm's ARN.
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.TopicArn).toBe(TOPIC_ARN);
  });

  it("keeps the subject within 99 printable characters for any app and stage name", async () => {
    cw.on(DescribeAlarmsCommand).callsFake((input) => ({
      MetricAlarms: [deployedAlarm({ AlarmName: input.AlarmNames[0] })],
    }));
    const run = await runCli([
      "test-alarm",
      "--stage",
      "a-very-long-stage-name-for-testing",
      "--app",
      "an-app-with-a-long-name-too",
    ]);
    expect(run.code).toBe(0);
    const subject = sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject!;
    expect(subject).toMatch(/^[\x20-\x7E]{1,99}$/);
    expect(subject).toContain("] TEST - ");
  });
});

describe("test-alarm --late", () => {
  const quiet = {
    MetricDataResults: [{ Id: "reads", Label: "reads", Timestamps: [], Values: [], StatusCode: "Complete" as const }],
  };
  /** The alarm after CloudWatch evaluated the back-dated datapoint (reason as CloudWatch words it). */
  const fired = deployedAlarm({
    StateValue: "ALARM",
    EvaluationPeriods: 25,
    StateUpdatedTimestamp: new Date(NOW.getTime() + 40_000),
    StateReason:
      "Threshold Crossed: 1 out of the last 25 datapoints [1.0 (31/07/24 23:45:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
  });
  const put = () => cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);

  beforeEach(() => {
    cw.on(GetMetricDataCommand).resolves(quiet);
    cw.on(PutMetricDataCommand).resolves({});
  });

  const lateInput = {
    alarmName: ALARM_NAME,
    reads: { namespace: "SecurityMetrics", metricName: "Secret is accessed (secretwatch-test)" },
    assessed: {
      namespace: "secretwatch",
      metricName: "ReadsAssessed",
      dimensions: { service: "secretwatch-test-enricher" },
    },
    waitSeconds: 120,
  };
  const deps = () => {
    const slept: number[] = [];
    return {
      slept,
      deps: {
        cw: new CloudWatchClient({ region: "eu-west-1" }),
        now: () => NOW,
        sleep: async (ms: number) => {
          slept.push(ms);
        },
      },
    };
  };

  it("back-dates one read 15 minutes on the alarm's metric and on ReadsAssessed, and sees ALARM", async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [deployedAlarm({ StateValue: "OK", EvaluationPeriods: 25 })] })
      .resolvesOnce({ MetricAlarms: [deployedAlarm({ StateValue: "OK", EvaluationPeriods: 25 })] })
      .resolves({ MetricAlarms: [fired] });
    const { deps: d, slept } = deps();
    const result = await runLateTest(lateInput, d);
    expect(result).toMatchObject({ changed: true, before: "OK", after: "ALARM" });
    expect(result.changedAt).toEqual(fired.StateUpdatedTimestamp);
    expect(slept).toEqual([20_000, 20_000]);
    const datapoint = new Date("2024-07-31T23:45:00Z");
    expect(put()).toEqual([
      {
        Namespace: "SecurityMetrics",
        MetricData: [
          {
            MetricName: "Secret is accessed (secretwatch-test)",
            Dimensions: [],
            Timestamp: datapoint,
            Value: 1,
            Unit: "Count",
          },
        ],
      },
      {
        Namespace: "secretwatch",
        MetricData: [
          {
            MetricName: "ReadsAssessed",
            Dimensions: [{ Name: "service", Value: "secretwatch-test-enricher" }],
            Timestamp: datapoint,
            Value: 1,
            Unit: "Count",
          },
        ],
      },
    ]);
    // The window checked for real reads: the alarm's 25 periods of 60 s, and a minute.
    const query = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(query.StartTime).toEqual(new Date(NOW.getTime() - 26 * 60_000));
    expect(query.MetricDataQueries?.[0]?.MetricStat).toMatchObject({ Period: 60, Stat: "Sum" });
    expect(cw.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
  });

  it("reports not proven when the alarm stays OK for the whole wait", async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [deployedAlarm({ StateValue: "OK", EvaluationPeriods: 1 })],
    });
    const { deps: d, slept } = deps();
    const result = await runLateTest(lateInput, d);
    expect(result).toMatchObject({ changed: false, before: "OK", after: "OK" });
    expect(slept).toHaveLength(6);
  });

  it("does not count an ALARM from before the datapoint", async () => {
    const stale = deployedAlarm({ StateValue: "ALARM", StateUpdatedTimestamp: new Date("2024-07-31T12:37:00Z") });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [stale] });
    const { deps: d } = deps();
    const result = await runLateTest({ ...lateInput, waitSeconds: 20 }, d);
    expect(result.changed).toBe(false);
    // It was reset to OK first, so that a real change could be seen.
    const states = cw.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input);
    expect(states).toEqual([expect.objectContaining({ AlarmName: ALARM_NAME, StateValue: "OK" })]);
    expect(states[0]!.StateReason).toMatch(/^secretwatch test-alarm --late at 2024-08-01T00:00:00.000Z: reset to OK/);
  });

  it("refuses, putting nothing, while the window holds real reads", async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [deployedAlarm({ EvaluationPeriods: 25 })] });
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "reads", Timestamps: [new Date("2024-07-31T23:50:00Z")], Values: [2], StatusCode: "Complete" as const },
      ],
    });
    const run = await testAlarm("--late", "--region", "eu-west-1");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "secretwatch: the alarm's window holds 2 real secret read(s): a state change would prove nothing; run again after 25 quiet minutes\n",
    );
    expect(put()).toEqual([]);
    expect(cw.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it("prints PROVEN from the command line, with the stage's metric and enricher", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    try {
      cw.on(DescribeAlarmsCommand)
        .resolvesOnce({ MetricAlarms: [deployedAlarm({ StateValue: "OK", EvaluationPeriods: 25 })] })
        .resolves({ MetricAlarms: [fired] });
      const running = testAlarm("--late", "--region", "eu-west-1");
      await vi.advanceTimersByTimeAsync(20_000);
      const run = await running;
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("PROVEN: the alarm went to ALARM at 2024-08-01T00:00:40.000Z");
      expect(run.stdout).toContain("a read delivered 15 minutes late sets it");
      expect(put()[1]?.MetricData?.[0]?.Dimensions).toEqual([{ Name: "service", Value: "secretwatch-test-enricher" }]);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
