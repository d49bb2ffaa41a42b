/**
 * Who the alarms reach. SECRETWATCH_ALARM_EMAILS=false silences the secret-access alarm
 * (./detection.ts); SECRETWATCH_OPS_EMAILS adds a second topic that receives every
 * self-monitoring alarm (./monitoring.ts). Why a second topic: an alarm that says SNS cannot
 * deliver the alert topic's email would arrive through that same failing topic; a separate
 * topic with its own subscriptions is a second path (still SNS email: the README says so).
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
import { type AlarmSettings, parseAlarmSettings, uniqueEmails } from "../packages/core/src/settings";
import { emailTopic } from "./alerts";
import { alarmActions } from "./pager";
import { nameOf } from "./settings";

/** Strict for deploy/diff/dev; on `sst remove` a bad value must not block removing the stage. */
function loadAlarmSettings(): AlarmSettings {
  try {
    return parseAlarmSettings(process.env);
  } catch (error) {
    if ($cli.command === "remove") return { alarmEmails: true, opsEmails: [] };
    throw error;
  }
}

export const alarmSettings: AlarmSettings = loadAlarmSettings();

const opsEmails = uniqueEmails(alarmSettings.opsEmails);
const ops =
  opsEmails.length > 0
    ? emailTopic(
        { topic: "SecurityOps", policy: "SecurityOpsPolicy", subscription: "OpsEmail" },
        { name: nameOf("opsTopic"), displayName: "secretwatch ops" },
        opsEmails,
      )
    : undefined;

/** The ops topic, when SECRETWATCH_OPS_EMAILS is set. */
export const opsTopic = ops?.topic;
export const opsTopicPolicy = ops?.topicPolicy;
export const opsEmailSubscriptions = ops?.subscriptions ?? [];

/** What a self-monitoring alarm notifies: every alarm's topics, and the ops topic when there is one. */
export function selfAlarmActions(): $util.Output<string>[] {
  return ops ? [...alarmActions(), ops.topic.arn] : alarmActions();
}
