/**
 * `npm start`: the whole enricher path with no AWS. Real CloudTrail records committed in the
 * repo are gzipped into CloudWatch Logs subscription events, run through `createHandler`
 * with an SNS client that prints each Publish, so you see the emails that would be sent.
 * The handler runs with the triage fixture's policy (tests/fixtures/cloudtrail/triage.policy.json)
 * and an in-memory state store, so expected and routine reads are counted, not emailed.
 */
import { readFileSync } from "node:fs";
import type { PublishCommand } from "@aws-sdk/client-sns";
import { compilePolicy, InMemoryStateStore, type Policy } from "../packages/core/src/index.js";
import { createHandler } from "../packages/functions/src/enricher.js";
import type { SnsSender } from "../packages/functions/src/publish.js";
import { recordsEvent } from "../tests/helpers/subscription.js";

/** Real records (Stratus Red Team) first, then hand-written ones for other callers and outcomes. */
const FIXTURES = [
  "stratus-secretsmanager.json",
  "assumed-role-console.json",
  "failures.json",
  "batch-with-companions.json",
  "cross-account.json",
  "hostile.json",
  "triage.json",
].map((name) => `tests/fixtures/cloudtrail/${name}`);
const POLICY_FILE = "tests/fixtures/cloudtrail/triage.policy.json";
const policy = compilePolicy(JSON.parse(readFileSync(POLICY_FILE, "utf8")) as Policy, POLICY_FILE);
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:secretwatch-demo-alerts";

const rule = "=".repeat(78);
let sent = 0;

/** Prints each Publish the way an email subscriber would read it. */
const printingSns = {
  async send(command: PublishCommand) {
    const { Subject, Message, MessageAttributes } = command.input;
    sent++;
    const attrs = Object.entries(MessageAttributes ?? {})
      .map(([k, v]) => `${k}=${v.StringValue}`)
      .join("  ");
    process.stdout.write(`${rule}\nEmail #${sent}\nSubject: ${Subject}\nAttributes: ${attrs}\n\n${Message}\n`);
    return { MessageId: `demo-${sent}`, $metadata: {} };
  },
} as unknown as SnsSender;

/**
 * The handler's clock: five minutes after the newest record of the file being run, as if
 * CloudWatch Logs had just delivered it (the fixtures are from 2024: today's date would show a
 * delivery lag of years and treat every payload as a late one).
 */
let deliveredAt = new Date();
const DELIVERY_MS = 5 * 60_000;
function newestEventMs(records: readonly object[]): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    const ms = Date.parse(String((r as { eventTime?: unknown }).eventTime));
    if (Number.isFinite(ms) && ms > newest) newest = ms;
  }
  return Number.isFinite(newest) ? newest : Date.now() - DELIVERY_MS;
}

const handler = createHandler({
  sns: printingSns,
  topicArn: TOPIC_ARN,
  app: "secretwatch",
  stage: "demo",
  clock: () => deliveredAt,
  policy: () => policy,
  state: new InMemoryStateStore(),
});
let counted = 0;

for (const file of FIXTURES) {
  const records = JSON.parse(readFileSync(file, "utf8")) as object[];
  deliveredAt = new Date(newestEventMs(records) + DELIVERY_MS);
  // CloudWatch Logs would deliver them in batches; one event per file is enough here.
  const result = await handler(recordsEvent(records));
  process.stderr.write(
    `\n${file}: ${result.records} records, ${result.hits} secret-value retrievals, ` +
      `${result.malformed} malformed, ${result.published} emails, ` +
      `${result.belowNotify + result.suppressed} reads counted but not emailed\n`,
  );
  counted += result.belowNotify + result.suppressed;
}
process.stdout.write(
  `${rule}\n${sent} alert emails would have been sent to the topic's subscribers; ` +
    `${counted} reads were counted (below the policy's notify level, or repeats) and not emailed.\n`,
);
