/**
 * The alerts of one delivery unit (a subscription event, or one archive file), planned and
 * published exactly as the enricher Lambda does it: the same core plan, the same publish code.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { type Plan, type PlannedMessage, planMessages, type SecretAccess } from "@secretwatch/core";
import { type PublishReport, publishAll, type SnsSender } from "@secretwatch/functions/publish";

export interface AlertTarget {
  sns: SnsSender;
  topicArn: string;
  app: string;
  stage: string;
  maxMessages?: number;
}

/** An SNS client with the same explicit retry setting as the Lambda. */
export function snsClient(region?: string): SNSClient {
  return new SNSClient({ maxAttempts: 5, ...(region && { region }) });
}

/** The messages the Lambda would publish for these hits (one invocation's worth). */
export function planAlerts(
  hits: readonly SecretAccess[],
  target: Pick<AlertTarget, "app" | "stage" | "maxMessages">,
): Plan {
  return planMessages(hits, {
    app: target.app,
    stage: target.stage,
    ...(target.maxMessages !== undefined && { maxMessages: target.maxMessages }),
  });
}

/** Publishes one unit's alerts; rejects (after trying all) if any could not be sent. */
export async function publishHits(target: AlertTarget, hits: readonly SecretAccess[]): Promise<PublishReport> {
  return publishAll(target.sns, target.topicArn, planAlerts(hits, target).messages);
}

/** A planned message the way an email subscriber reads it. */
export function emailText(message: PlannedMessage): string {
  const attributes = Object.entries(message.attributes)
    .map(([name, value]) => `${name}=${value.StringValue}`)
    .join("  ");
  return `${"=".repeat(78)}\nSubject: ${message.subject}\nAttributes: ${attributes}\n\n${message.message}\n`;
}
