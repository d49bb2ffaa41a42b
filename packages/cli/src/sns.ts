/**
 * Publishing alerts to SNS, apart from the rest of the CLI so that commands which only read
 * files (`replay` without `--publish`) never load the AWS SDK.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import { SNSClient } from "@aws-sdk/client-sns";
import type { PlannedMessage } from "@secretwatch/core";
import { type PublishReport, publishAll } from "@secretwatch/functions/publish";
import type { AlertTarget } from "./alerts.js";
import { awsClientConfig } from "./aws-config.js";

/** An SNS client with the same explicit retry setting as the Lambda. */
export function snsClient(region?: string): SNSClient {
  return new SNSClient(awsClientConfig(region));
}

/** Publishes one unit's planned alerts; rejects (after trying all) if any could not be sent. */
export async function publishPlanned(target: AlertTarget, messages: readonly PlannedMessage[]): Promise<PublishReport> {
  return publishAll(target.sns, target.topicArn, messages);
}
