/**
 * The alert topic: CloudWatch alarms and the enricher publish to it, the configured
 * addresses receive it by email.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
 */
import { createHash } from "node:crypto";
import { uniqueEmails } from "../packages/core/src/settings";
import { accountId, alarmNames, nameOf, partition, region, settings } from "./settings";

export const securityAlarms = new aws.sns.Topic("SecurityAlarms", {
  name: nameOf("topic"),
  displayName: "secretwatch",
});

/**
 * The ARN of every alarm of this stage, each one exactly. Not `<app>-<stage>-*`: that would
 * also admit the alarms of a stage whose name merely starts the same (`dev` and `dev-alice`),
 * and stage names may contain every character the names use. An alarm missing from this list
 * cannot notify the topics: every alarm is named by a kind ending in `Alarm`
 * (packages/core/src/naming.ts), and tests/stacks check each recorded alarm against the policy.
 * (ArnLike, as in AWS's examples: ArnEquals matches the same way, with the same `*` and `?`
 * wildcards; the names contain neither.)
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
export const stageAlarmArns = alarmNames.map(
  (name) => $interpolate`arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${name}`,
);

/**
 * Replaces the default topic policy (which trusts `*` with an owner condition): CloudWatch
 * may publish only for this account's alarms of this stage, and only this account's
 * principals (subject to their own IAM policies) may use the topic.
 */
export function stageTopicPolicy(topicArn: $util.Output<string>) {
  return aws.iam.getPolicyDocumentOutput({
    statements: [
      {
        sid: "CloudWatchAlarmsOfThisStage",
        actions: ["sns:Publish"],
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        resources: [topicArn],
        conditions: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
          { test: "ArnLike", variable: "aws:SourceArn", values: stageAlarmArns },
        ],
      },
      {
        sid: "OwnerAccountOnly",
        actions: [
          "sns:Publish",
          "sns:Subscribe",
          "sns:Receive",
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:ListSubscriptionsByTopic",
          "sns:AddPermission",
          "sns:RemovePermission",
          "sns:DeleteTopic",
        ],
        principals: [{ type: "AWS", identifiers: [$interpolate`arn:${partition}:iam::${accountId}:root`] }],
        resources: [topicArn],
      },
    ],
  }).json;
}

export const securityAlarmsPolicy = new aws.sns.TopicPolicy("SecurityAlarmsPolicy", {
  arn: securityAlarms.arn,
  policy: stageTopicPolicy(securityAlarms.arn),
});

/**
 * A stable logical name per address (`<prefix><hash>`): reordering the list must not
 * re-subscribe anyone.
 */
export function subscriptionName(prefix: string, email: string): string {
  return `${prefix}${createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 10)}`;
}

/**
 * A second topic of the stage that only emails (the pager's, the ops topic): the stage's topic
 * policy and one email subscription per address. The logical names are the caller's (a public
 * contract: renaming replaces the resource).
 */
export function emailTopic(
  logical: { topic: string; policy: string; subscription: string },
  topic: { name: string; displayName: string },
  emails: readonly string[],
) {
  const created = new aws.sns.Topic(logical.topic, topic);
  const topicPolicy = new aws.sns.TopicPolicy(logical.policy, {
    arn: created.arn,
    policy: stageTopicPolicy(created.arn),
  });
  const subscriptions = emailSubscriptions(logical.subscription, created.arn, emails);
  return { topic: created, topicPolicy, subscriptions };
}

/**
 * One email subscription of `topicArn` per address, named `<prefix><hash of the address>`; each
 * stays pending until its recipient confirms.
 */
function emailSubscriptions(prefix: string, topicArn: aws.sns.Topic["arn"], emails: readonly string[]) {
  return emails.map(
    (email) =>
      new aws.sns.TopicSubscription(subscriptionName(prefix, email), {
        topic: topicArn,
        protocol: "email",
        endpoint: email,
      }),
  );
}

/** One email subscription per address of the alert topic. */
export const alertEmailSubscriptions = emailSubscriptions(
  "AlertEmail",
  securityAlarms.arn,
  uniqueEmails(settings.alertEmails),
);
