/**
 * The text of a tamper alert: subject, plain-text body (verdict, the fix, what happened, who,
 * what changed) and a minimal ASCII fallback. Every value from the record is sanitised
 * (sanitize.ts); labels, API names and steps are ours.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import { type AlertContext, SUBJECT_MAX, subjectPrefix } from "../format.js";
import { shellArg } from "../next-steps.js";
import { REASONS } from "../reasons.js";
import { toBodyText, toSubjectText } from "../sanitize.js";
import { maxSeverity, type Severity, severityLabel } from "../severity.js";
import type { TamperReasonCode } from "./catalog.js";
import type { TamperHit } from "./classify.js";

const v = (value: unknown, bytes = 512) => toBodyText(value, bytes) || "(not recorded)";
/** A record value as one shell word inside a step (sanitised first, then quoted). */
const arg = (value: unknown) => shellArg(toBodyText(value, 256) || "UNKNOWN");

/** `SECRET EXPOSURE` for Secrets Manager changes, `TAMPER` for the chain's own resources. */
export function tamperTitle(hit: Pick<TamperHit, "resourceKind">): string {
  return hit.resourceKind === "secret" ? "SECRET EXPOSURE" : "TAMPER";
}

/**
 * `CRITICAL [secretwatch dev] TAMPER: StopLogging on secretwatch-dev-trail by alice`, or for a
 * deploy-tool notice `MEDIUM [secretwatch dev] changed by deployer (Pulumi): UpdateFunctionCode on ...`.
 * Always `/^[\x20-\x7E]{1,99}$/`.
 */
export function tamperSubject(hit: TamperHit, ctx: AlertContext): string {
  const lead = `${severityLabel(hit.severity)} ${subjectPrefix(ctx)}`;
  const failed = hit.outcome === "success" ? "" : ` ${hit.outcome === "denied" ? "DENIED" : "FAILED"} attempt`;
  const compose = (resource: string, by: string) =>
    hit.notice
      ? `${lead} changed by ${by} (${hit.deployTool}): ${hit.api} on ${resource}`
      : `${lead} ${tamperTitle(hit)}${failed}: ${hit.api} on ${resource} by ${by}`;
  // The resource is what the reader needs most: the principal (the user or role, not the session;
  // the body has it all) gives way first, down to 6 characters.
  const resource = toSubjectText(hit.resource, 64) || "(not recorded)";
  const by = toSubjectText(hit.identity.userName ?? hit.identity.label, 28) || "unknown";
  const room = SUBJECT_MAX - compose("", "").length;
  const shortBy = by.length + resource.length <= room ? by : toSubjectText(by, Math.max(6, room - resource.length));
  const shortResource = toSubjectText(resource, Math.max(12, room - shortBy.length));
  return toSubjectText(compose(shortResource, shortBy), SUBJECT_MAX);
}

/** The fix for each tamper reason: what to run or check. `S` is the stage, `R` the resource (quoted). */
const FIXES: Record<Exclude<TamperReasonCode, "deploy-tool">, (r: string, s: string) => string[]> = {
  "trail-stopped": (r, s) => [
    `Start the trail again: aws cloudtrail start-logging --name ${r} (if it was deleted: sst deploy --stage ${s}).`,
    `Look for what happened while it was off: CloudTrail event history (LookupEvents) keeps 90 days without any trail: secretwatch lookup --stage ${s}.`,
  ],
  "trail-blinded": (_r, s) => [
    `Restore the trail's event selectors and log delivery: sst deploy --stage ${s}, then secretwatch doctor --stage ${s}.`,
    `Reads made meanwhile were not logged to the log group: check CloudTrail event history with secretwatch lookup --stage ${s}.`,
  ],
  "trail-changed": (_r, s) => [
    `Compare the trail with what is deployed: secretwatch doctor --stage ${s}; sst deploy --stage ${s} restores it.`,
  ],
  "log-group-deleted": (_r, s) => [
    `Re-create the log group and its filters: sst deploy --stage ${s}.`,
    `The gap is in the trail's S3 archive: secretwatch replay --stage ${s}.`,
  ],
  "log-filter-changed": (_r, s) => [
    `Restore the filters: sst deploy --stage ${s}; secretwatch doctor --stage ${s} checks them.`,
    `Events the enricher missed meanwhile are in the trail's S3 archive: secretwatch replay --stage ${s}.`,
  ],
  "log-retention-changed": (_r, s) => [`Restore the retention: sst deploy --stage ${s}.`],
  "alarm-silenced": (_r, s) => [
    `Re-create and re-enable the alarms: sst deploy --stage ${s}; secretwatch doctor --stage ${s}.`,
  ],
  "alarm-changed": (_r, s) => [
    `Restore the alarm's definition: sst deploy --stage ${s}; secretwatch doctor --stage ${s}.`,
  ],
  "alarm-state-set": () => [
    "If nobody ran secretwatch test-alarm, find out why the principal below set the alarm's state (its reason text is its own).",
  ],
  "topic-deleted": (_r, s) => [
    `Re-create the topic: sst deploy --stage ${s}; then secretwatch resubscribe --stage ${s} (every address must confirm again).`,
  ],
  "topic-changed": (r, s) => [
    `Check the topic: aws sns get-topic-attributes --topic-arn ${r}; secretwatch doctor --stage ${s}.`,
    `Restore it: sst deploy --stage ${s}; removed email subscriptions: secretwatch resubscribe --stage ${s}.`,
  ],
  "function-disabled": (_r, s) => [
    `Restore the function: sst deploy --stage ${s}.`,
    `Events it missed are in the trail's S3 archive: secretwatch replay --stage ${s}.`,
  ],
  "function-changed": (r, s) => [
    `If this was not your deploy, restore the function: sst deploy --stage ${s}; check it: aws lambda get-function --function-name ${r}.`,
  ],
  "state-table-changed": (r, s) => [
    `Check the table and its resource policy: aws dynamodb describe-table --table-name ${r}; restore: sst deploy --stage ${s}.`,
  ],
  "kms-key-disabled": (r) => [
    `Re-enable the key: aws kms enable-key --key-id ${r}, or aws kms cancel-key-deletion --key-id ${r}.`,
  ],
  "kms-key-policy-changed": (r, s) => [
    `Review the key policy: aws kms get-key-policy --key-id ${r} --policy-name default; restore: sst deploy --stage ${s}.`,
  ],
  "secret-policy-public": (r, s) => [
    `Close it now: aws secretsmanager delete-resource-policy --secret-id ${r} (or put back the previous policy).`,
    `Find who read the secret since: secretwatch lookup --stage ${s}; rotate it if another account may have read it.`,
  ],
  "secret-policy-changed": (r) => [`Review the policy: aws secretsmanager get-resource-policy --secret-id ${r}.`],
  "secret-deleted": (r) => [
    `Undo it within the recovery window: aws secretsmanager restore-secret --secret-id ${r} (not possible after a forced deletion).`,
  ],
  "secret-restored": (r) => [`Confirm the restore was intended: aws secretsmanager describe-secret --secret-id ${r}.`],
  "secret-key-changed": (r) => [
    `Check who may use the new key (aws kms get-key-policy); put the previous key back: aws secretsmanager update-secret --secret-id ${r} --kms-key-id <previous key>.`,
  ],
  "secret-replicated": (r) => [
    `Check the replicas: aws secretsmanager describe-secret --secret-id ${r}; remove unwanted ones: aws secretsmanager remove-regions-from-replication --secret-id ${r} --remove-replica-regions <region>.`,
  ],
  "secret-rotation-cancelled": (r) => [`Restart rotation: aws secretsmanager rotate-secret --secret-id ${r}.`],
  "secret-current-moved": (r) => [
    `Check which version is now AWSCURRENT: aws secretsmanager describe-secret --secret-id ${r}; move it back with update-secret-version-stage if that was not intended.`,
  ],
  "secret-current-moved-by-workload": (r) => [
    `If no rotation ran, check the versions: aws secretsmanager describe-secret --secret-id ${r}.`,
  ],
  "tamper-unreadable": () => [
    "Open the event in CloudTrail event history: secretwatch could not read the record, so whether it concerns this stage, and what it changed, is not known. Report the fault to the secretwatch maintainers with the record.",
  ],
  "tamper-attempt": (_r, s) => [
    `Nothing changed, but the principal tried: find what else it did: secretwatch lookup --stage ${s}.`,
  ],
};

/** The steps for a hit: the fix of each reason, then what to do about the principal. */
export function tamperSteps(hit: TamperHit, ctx: AlertContext): string[] {
  const r = arg(hit.resource);
  const s = arg(ctx.stage);
  const steps = hit.reasons.flatMap((code) => (code === "deploy-tool" ? [] : FIXES[code](r, s)));
  steps.push(
    hit.notice
      ? `The client says it is ${hit.deployTool}: if this was not your deploy, treat the principal's credentials as compromised (a user agent can be forged).`
      : "If you did not make this change, treat the principal's credentials as compromised: revoke its sessions or deactivate its keys.",
  );
  return steps;
}

const lineOf = (label: string, value: string) => `  ${`${label}:`.padEnd(16)} ${value}`;

/** The plain-text body of one tamper alert. */
export function tamperBody(hit: TamperHit, ctx: AlertContext): string {
  const heading = hit.notice ? `Change notice - ${tamperTitle(hit)}` : `${tamperTitle(hit)} alert`;
  const lines = [
    `${severityLabel(hit.severity)} - ${heading} - ${v(subjectPrefix(ctx), 64)}`,
    "",
    ...hit.reasons.map((code) => `${severityLabel(REASONS[code].severity)} - ${REASONS[code].text}`),
    ...hit.findings.map((f) => `  * ${v(f, 600)}`),
    "",
    "What to do",
    ...tamperSteps(hit, ctx).map((step, i) => `  ${i + 1}. ${step}`),
    "",
    "What happened",
    lineOf("Event", `${hit.api} (${v(hit.eventSource, 64)}), recorded as ${v(hit.eventName, 128)}`),
    lineOf("Resource", `${v(hit.resource, 512)}${hit.qualifier ? ` (qualifier ${v(hit.qualifier, 128)})` : ""}`),
    lineOf("Outcome", hit.outcome === "success" ? "success" : `${hit.outcome} (${v(hit.errorCode, 128)})`),
    lineOf("Event time", v(hit.eventTime, 64)),
    lineOf("Event ID", v(hit.eventID, 160)),
    lineOf("Region", v(hit.region, 64)),
    lineOf("Account", v(hit.recipientAccountId, 64)),
    ...(hit.consoleUrl ? [lineOf("In CloudTrail", v(hit.consoleUrl, 600))] : []),
    "",
    "Who",
    lineOf("Principal", v(hit.identity.label, 256)),
    lineOf("ARN", v(hit.principalArn, 512)),
    lineOf("Identity type", v(hit.identityType, 64)),
    lineOf("Source", v(hit.sourceIPAddress, 200)),
    lineOf("User agent", v(hit.userAgent, 400)),
    ...(hit.deployTool ? [lineOf("Claims to be", `${hit.deployTool} (from the user agent: not verified)`)] : []),
    "",
    "What changed (the request as the caller sent it; not verified)",
    ...(hit.changes.length > 0
      ? hit.changes.map((c) => lineOf(c.field, c.value))
      : ["  (no request parameters recorded)"]),
    "",
    `Reason codes: ${hit.reasons.join(", ")}`,
  ];
  return lines.join("\n");
}

/** The minimal ASCII fallback for `hits`: the event IDs and our constants only. */
export function tamperFallback(hits: readonly TamperHit[], ctx: AlertContext): { subject: string; message: string } {
  const app = toSubjectText(ctx.app, 20).replace(/[^A-Za-z0-9_.-]/g, "") || "secretwatch";
  const stage = toSubjectText(ctx.stage, 20).replace(/[^A-Za-z0-9_.-]/g, "");
  const top = hits.reduce<Severity>((s, h) => maxSeverity(s, h.severity), "info");
  const apis = [...new Set(hits.map((h) => h.api))].slice(0, 5).join(", ");
  const subject = toSubjectText(
    `${severityLabel(top)} [${app}${stage ? ` ${stage}` : ""}] tamper alert (details withheld)`,
    SUBJECT_MAX,
  );
  const message = [
    `${severityLabel(top)} - tamper alert (details withheld)`,
    `App: ${app}${stage ? `, stage: ${stage}` : ""}`,
    "The full message could not be sent, so only the event IDs are given here.",
    `What: ${hits.length} event(s): ${apis}`,
    "Look these event IDs up in CloudTrail event history:",
    ...hits.map((h) => `  - ${h.eventID.replace(/[^A-Za-z0-9-]/g, "").slice(0, 64) || "(unusable event ID)"}`),
  ].join("\n");
  return { subject, message };
}
