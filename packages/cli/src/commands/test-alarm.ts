/**
 * `secretwatch test-alarm --stage <name>`: proves that alert email arrives. Sets the stage's
 * secret-access alarm to OK and then to ALARM (an alarm already in ALARM would notify
 * nothing), publishes a clearly marked test message to the alert topic, and says what
 * should arrive and when.
 *
 * `--late`: proves instead that a read delivered late still sets the alarm (../test-alarm/late.ts).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricAlarm,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { PublishCommand, type PublishCommandInput } from "@aws-sdk/client-sns";
import {
  ENRICHER_METRICS_NAMESPACE,
  METRIC_NAMESPACE,
  type StageRef,
  subjectPrefix,
  toSubjectText,
} from "@secretwatch/core";
import { Command, InvalidArgumentError, Option } from "commander";
import { awsClientConfig, awsSetup } from "../aws-config.js";
import { UserError } from "../errors.js";
import { EXIT } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { snsClient } from "../sns.js";
import { type StageInfo, type StageOptions, stageInfo, withStageOptions } from "../stage.js";
import { LATE_TEST_MINUTES, type LateTestResult, READS_ASSESSED_METRIC, runLateTest } from "../test-alarm/late.js";

interface TestAlarmOptions extends StageOptions {
  late?: boolean;
  wait: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3600) throw new InvalidArgumentError("expected whole seconds, 1 to 3600");
  return n;
}

/** `[app stage] TEST - ...`: printable ASCII, at most 99 characters (the SNS subject limit). */
export function testSubject(ref: StageRef): string {
  return toSubjectText(`${subjectPrefix(ref)} TEST - secretwatch alert delivery check (no secret was read)`, 99);
}

/** The test message: plain text that says what it is, so nobody mistakes it for an alert. */
export function testPublishInput(topicArn: string, stage: StageInfo, alarmName: string, at: Date): PublishCommandInput {
  const message = [
    "This is a TEST message from `secretwatch test-alarm`. No secret was read.",
    "",
    `  Stage:   ${stage.ref.app} ${stage.ref.stage}`,
    `  Alarm:   ${alarmName} (set to ALARM for this test)`,
    `  Sent at: ${at.toISOString()}`,
    "",
    "If you received this email, the alert topic reaches you: real secret-access alerts will too.",
    "You should also receive the alarm's own ALARM notification from AWS Notifications.",
  ].join("\n");
  return {
    TopicArn: topicArn,
    Subject: testSubject(stage.ref),
    Message: message,
    MessageAttributes: { kind: { DataType: "String", StringValue: "test" } },
  };
}

const isSnsArn = (arn: string) => arn.split(":")[2] === "sns";

/** The alarm by its exact name, or a clear error when this stage has none here. */
async function findAlarm(cw: CloudWatchClient, name: string, options: StageOptions): Promise<MetricAlarm> {
  const { MetricAlarms = [] } = await cw.send(
    new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["MetricAlarm"] }),
  );
  const alarm = MetricAlarms.find((a) => a.AlarmName === name);
  if (alarm) return alarm;
  const where = options.region ? ` in ${options.region}` : "";
  throw new UserError(
    `the alarm ${name} does not exist${where}: check --stage, --app and --region (is the stage deployed?)`,
  );
}

/** The alarm's topic: its SNS action named like the stage's topic, else one built from the alarm's ARN. */
function topicOf(alarm: MetricAlarm, stage: StageInfo): string {
  const actions = (alarm.AlarmActions ?? []).filter(isSnsArn);
  const own = actions.find((arn) => arn.endsWith(`:${stage.names.topic}`));
  if (own) return own;
  const [, partition = "aws", , region = "", account = ""] = (alarm.AlarmArn ?? "").split(":");
  return actions[0] ?? `arn:${partition}:sns:${region}:${account}:${stage.names.topic}`;
}

function reportLate(result: LateTestResult, name: string, stage: string): string[] {
  const head = [
    `Put 1 read on the alarm's metric, dated ${result.datapointAt.toISOString()} (${LATE_TEST_MINUTES} minutes back), at ${result.putAt.toISOString()}; the same on ReadsAssessed, so the reconciliation alarm stays balanced.`,
    `Alarm ${name} was ${result.before}${result.before === "ALARM" ? " (reset to OK first)" : ""}.`,
  ];
  if (!result.changed) {
    return [
      ...head,
      `NOT PROVEN: the alarm did not go to ALARM (it is ${result.after}). A read CloudTrail delivers ${LATE_TEST_MINUTES} minutes late may be missed.`,
      `Check its period and evaluation periods: secretwatch doctor --stage ${stage}`,
    ];
  }
  const after = Math.round(((result.changedAt?.getTime() ?? 0) - result.putAt.getTime()) / 1000);
  return [
    ...head,
    `PROVEN: the alarm went to ALARM at ${result.changedAt?.toISOString()} (${Math.max(0, after)} s after the datapoint): a read delivered ${LATE_TEST_MINUTES} minutes late sets it.`,
    `Reason given by CloudWatch: ${result.reason}`,
    "Its ALARM email is on its way to the alert topic (if SECRETWATCH_ALARM_EMAILS is not false); it returns to OK by itself.",
  ];
}

async function runLate(ctx: CommandContext, options: TestAlarmOptions, region: string): Promise<void> {
  const stage = stageInfo(ctx.io, options);
  const name = stage.names.secretAccessAlarm;
  const result = await runLateTest(
    {
      alarmName: name,
      reads: { namespace: METRIC_NAMESPACE, metricName: stage.metricName },
      assessed: {
        namespace: ENRICHER_METRICS_NAMESPACE,
        metricName: READS_ASSESSED_METRIC,
        dimensions: { service: stage.names.enricher },
      },
      waitSeconds: options.wait,
    },
    {
      cw: new CloudWatchClient(awsClientConfig(region)),
      now: () => ctx.io.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
  );
  ctx.io.stdout.write(`${reportLate(result, name, options.stage).join("\n")}\n`);
  if (!result.changed) ctx.setExitCode(EXIT.findings);
}

async function runTestAlarm(ctx: CommandContext, options: TestAlarmOptions): Promise<void> {
  const { io } = ctx;
  const { region: given } = awsSetup(io.env, options.region);
  if (options.late) return runLate(ctx, options, given);
  const stage = stageInfo(io, options);
  const name = stage.names.secretAccessAlarm;
  const cw = new CloudWatchClient(awsClientConfig(given));
  const alarm = await findAlarm(cw, name, options);
  const region = (alarm.AlarmArn ?? "").split(":")[3] || given;
  const topicArn = topicOf(alarm, stage);
  const warnings: string[] = [];
  if (alarm.ActionsEnabled === false)
    warnings.push("the alarm's actions are disabled: it changes state but emails nobody");
  if (!(alarm.AlarmActions ?? []).some(isSnsArn))
    warnings.push("the alarm has no SNS action: its ALARM sends no email");

  const now = io.now();
  const stamp = `secretwatch test-alarm at ${now.toISOString()}`;
  await cw.send(
    new SetAlarmStateCommand({
      AlarmName: name,
      StateValue: "OK",
      StateReason: `${stamp}: reset to OK first, so that the test ALARM is a state change and notifies`,
    }),
  );
  await cw.send(
    new SetAlarmStateCommand({
      AlarmName: name,
      StateValue: "ALARM",
      StateReason: `${stamp}: TEST of alert delivery, no secret was read. The alarm returns to its real state at its next evaluation.`,
    }),
  );
  io.stdout.write(`Alarm ${name} (${region}, was ${alarm.StateValue ?? "unknown"}): set to OK, then to ALARM.\n`);
  const sent = await snsClient(region || undefined).send(
    new PublishCommand(testPublishInput(topicArn, stage, name, now)),
  );
  io.stdout.write(`Test message published to ${topicArn} (MessageId ${sent.MessageId ?? "?"}).\n`);
  for (const warning of warnings) io.stderr.write(`secretwatch: warning: ${warning}\n`);

  const okEmail = (alarm.OKActions ?? []).some(isSnsArn) ? "an OK notification follows" : "that sends no email";
  io.stdout.write(
    [
      "",
      "What to expect, at every confirmed email subscription of the topic:",
      `  1. within about a minute, from AWS Notifications: ALARM: "${name}" in ${region || "the stage's Region"}`,
      `  2. within about a minute: ${testSubject(stage.ref)}`,
      `The alarm returns to OK (or to its real state) at its next evaluation, within about a minute; ${okEmail}.`,
      `Nothing after 5 minutes? Check the spam folder and that the subscriptions are confirmed: secretwatch doctor --stage ${options.stage}`,
      "",
    ].join("\n"),
  );
}

export function testAlarmCommand(ctx: CommandContext): Command {
  return withStageOptions(
    new Command("test-alarm").description(
      "Sends a test alert: sets the secret-access alarm to OK then ALARM, and publishes a marked test message to the topic.",
    ),
  )
    .option(
      "--late",
      `instead, prove the alarm sees late reads: put a read back-dated ${LATE_TEST_MINUTES} minutes on its metric and report whether it went to ALARM (exit 1 if not)`,
    )
    .addOption(
      new Option("--wait <seconds>", "with --late: how long to wait for the state change")
        .argParser(seconds)
        .default(300),
    )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ secretwatch test-alarm --stage dev --region eu-west-1",
        "  $ secretwatch test-alarm --stage prod --late --wait 600",
        "",
      ].join("\n"),
    )
    .action((options: TestAlarmOptions) => runTestAlarm(ctx, options));
}
