/**
 * The alerts of one delivery unit (a subscription event, or one archive file), planned and
 * published exactly as the enricher Lambda does it: the same core plan, the same publish code.
 */
import { type AssessedAccess, type Plan, type PlannedMessage, planMessages, type Severity } from "@secretwatch/core";
import type { SnsSender } from "@secretwatch/functions/publish";

export interface AlertTarget {
  sns: SnsSender;
  topicArn: string;
  app: string;
  stage: string;
  maxMessages?: number;
}

/** The messages the Lambda would publish for these assessed hits (one invocation's worth). */
export function planAlerts(
  hits: readonly AssessedAccess[],
  target: Pick<AlertTarget, "app" | "stage" | "maxMessages"> & { notify: Severity },
): Plan {
  return planMessages(hits, {
    app: target.app,
    stage: target.stage,
    notify: target.notify,
    ...(target.maxMessages !== undefined && { maxMessages: target.maxMessages }),
  });
}

/** A planned message the way an email subscriber reads it. */
export function emailText(message: PlannedMessage): string {
  const attributes = Object.entries(message.attributes)
    .map(([name, value]) => `${name}=${value.StringValue}`)
    .join("  ");
  return `${"=".repeat(78)}\nSubject: ${message.subject}\nAttributes: ${attributes}\n\n${message.message}\n`;
}
