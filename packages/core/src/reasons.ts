/**
 * The one table of reasons: every code an assessment can give a secret read, the severity it
 * carries (and on a secret the policy marks sensitive), whether an expected-reader rule may
 * lower it, and its words. The assessment, the alert text, the SNS attributes, the CLI and the
 * README's severity table all read this table.
 *
 * How a hit's severity is found: the highest severity of its reasons (the `sensitive` column
 * when the secret is sensitive). When an expected-reader rule matches, every reason whose
 * `lowerable` is true counts as `info`; the others keep their severity. A group of hits (one
 * alert) takes the highest severity of its hits.
 *
 * Defaults follow what other detectors do (Elastic, Datadog, Panther: see the README).
 */
import type { Severity } from "./severity.js";

export interface ReasonSpec {
  /** Severity this reason gives a read. */
  severity: Severity;
  /** Severity on a secret the policy lists under `sensitive`. */
  sensitive: Severity;
  /** An expected-reader rule may lower it to `info`. Never for decoy, root, denied, rapid, cross-account, internet role sessions. */
  lowerable: boolean;
  /** One line for a person: why this read was flagged. */
  text: string;
}

export const REASONS = {
  decoy: {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "the secret is a decoy: nobody has a reason to read it, so any read or attempt means someone is looking around",
  },
  root: {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "the account's root user made the call, itself or with federated credentials it asked for; root should never be used for day-to-day work",
  },
  "catch-all-batch": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "a batch call whose filters match every secret: a dump of all secret values",
  },
  "rapid-retrieval": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "one actor read many different secrets within minutes",
  },
  "cross-account": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "the caller belongs to another AWS account",
  },
  "unreadable-record": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "secretwatch could not read this record (a fault to report): the alert shows only what could be read safely; look the event up in CloudTrail",
  },
  denied: {
    severity: "medium",
    sensitive: "high",
    lowerable: false,
    text: "the call was denied: someone tried to read a secret they are not allowed to read",
  },
  "role-session-from-internet": {
    severity: "medium",
    sensitive: "high",
    lowerable: false,
    text: "a workload role's credentials were used from a public internet address, not through AWS: stolen workload credentials look exactly like this",
  },
  "foreign-vpc-endpoint": {
    severity: "medium",
    sensitive: "high",
    lowerable: false,
    text: "the call came through a VPC endpoint of another AWS account, not the secret's or the caller's: the credentials were used from someone else's network",
  },
  "policy-unavailable": {
    severity: "medium",
    sensitive: "high",
    lowerable: false,
    text: "the detection policy could not be loaded, so every read is reported",
  },
  "first-seen": {
    severity: "medium",
    sensitive: "high",
    lowerable: true,
    text: "this actor has not read this secret before (within the first-seen window)",
  },
  "state-unavailable": {
    severity: "medium",
    sensitive: "high",
    lowerable: true,
    text: "no history was available, so this read is treated as a first read",
  },
  error: {
    severity: "medium",
    sensitive: "high",
    lowerable: true,
    text: "the call failed (not an authorisation failure)",
  },
  "broad-batch": {
    severity: "medium",
    sensitive: "high",
    lowerable: true,
    text: "a batch call by filter, which returns every secret that matches",
  },
  "console-session": {
    severity: "medium",
    sensitive: "high",
    lowerable: true,
    text: "a person read the secret value in an AWS console session",
  },
  "public-ip": {
    severity: "medium",
    sensitive: "high",
    lowerable: true,
    text: "a person's credentials (IAM user access key or Identity Center session) were used from a public internet address",
  },
  sensitive: {
    severity: "low",
    sensitive: "low",
    lowerable: true,
    text: "the policy marks this secret as sensitive, which raises the severity of the other reasons",
  },
  "aws-service": {
    severity: "low",
    sensitive: "low",
    lowerable: true,
    text: "an AWS service read the secret on the account's behalf",
  },
  "plain-read": {
    severity: "low",
    sensitive: "low",
    lowerable: true,
    text: "a read with nothing unusual about it: a known reader of this secret, from its usual kind of place",
  },
  expected: {
    severity: "info",
    sensitive: "info",
    lowerable: true,
    text: "an expected reader: a rule of the policy names this principal, secret and source",
  },
  // Tamper and exposure events (packages/core/src/tamper/): changes that blind secretwatch or widen
  // access to secrets. No expected-reader rule applies to them (never lowerable); a deploy tool's
  // user agent may only turn a non-critical one into a notice at the policy's notify level.
  "trail-stopped": {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "the stage's trail was stopped or deleted: no CloudTrail event, secret reads included, is recorded from then on",
  },
  "trail-blinded": {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "the trail no longer logs what secretwatch needs (Read or Write management events, or Secrets Manager), or no longer delivers to the watched log group",
  },
  "trail-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "the stage's trail settings or event selectors were changed",
  },
  "log-group-deleted": {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "the watched log group was deleted, with its metric and subscription filters: nothing is detected until it is re-deployed",
  },
  "log-filter-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "a subscription or metric filter on the watched log group was deleted or replaced: the enricher or an alarm may no longer see events",
  },
  "log-retention-changed": {
    severity: "medium",
    sensitive: "medium",
    lowerable: false,
    text: "the retention of the watched log group was changed: evidence may be deleted sooner",
  },
  "alarm-silenced": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "alarms of this stage were deleted or their actions disabled: they no longer notify anyone",
  },
  "alarm-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "an alarm of this stage was redefined (metric, threshold or actions may have changed)",
  },
  "alarm-state-set": {
    severity: "medium",
    sensitive: "medium",
    lowerable: false,
    text: "someone set an alarm of this stage to a state by hand (secretwatch test-alarm does this; its reason text is the caller's and proves nothing)",
  },
  "topic-deleted": {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "the alert topic was deleted: alarms and the enricher can no longer notify anyone",
  },
  "topic-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "the alert topic's attributes, permissions or subscriptions were changed: alerts may be blocked, filtered or lost",
  },
  "function-disabled": {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "a secretwatch function was deleted or its concurrency set to 0: it no longer runs",
  },
  "function-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "a secretwatch function's code, configuration, permissions, concurrency or async settings were changed",
  },
  "state-table-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "the state table or its resource policy was deleted or changed: its memory (first-seen, repeats) may be lost or writable by others",
  },
  "kms-key-disabled": {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "a KMS key the stage uses was disabled or scheduled for deletion: what it encrypts becomes unusable",
  },
  "kms-key-policy-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "the key policy of a KMS key the stage uses was replaced",
  },
  "secret-policy-public": {
    severity: "critical",
    sensitive: "critical",
    lowerable: false,
    text: "a secret's resource policy now grants another AWS account or everyone (*), or could not be read to rule that out",
  },
  "secret-policy-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "a secret's resource policy was replaced or deleted (a deleted Deny statement can widen access)",
  },
  "secret-deleted": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "a secret was scheduled for deletion (or deleted at once, without recovery)",
  },
  "secret-restored": {
    severity: "medium",
    sensitive: "medium",
    lowerable: false,
    text: "a secret scheduled for deletion was restored",
  },
  "secret-key-changed": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "a secret was re-encrypted under another KMS key: whoever controls that key can read it",
  },
  "secret-replicated": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "a secret was replicated to other Regions, or a replica was made a standalone secret",
  },
  "secret-rotation-cancelled": {
    severity: "medium",
    sensitive: "medium",
    lowerable: false,
    text: "a secret's rotation was cancelled",
  },
  "secret-current-moved": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "a person moved a secret's AWSCURRENT label to another version by hand",
  },
  "secret-current-moved-by-workload": {
    severity: "low",
    sensitive: "low",
    lowerable: false,
    text: "a workload moved a secret's AWSCURRENT label, as a rotation function does at its last step",
  },
  "tamper-unreadable": {
    severity: "high",
    sensitive: "high",
    lowerable: false,
    text: "secretwatch could not read this tamper or exposure record (a fault to report): whether it concerns this stage, and what it changed, is not known; look the event up in CloudTrail",
  },
  "tamper-attempt": {
    severity: "medium",
    sensitive: "medium",
    lowerable: false,
    text: "someone tried one of the changes above and the call failed (denied or in error): nothing changed, but someone tried",
  },
  "deploy-tool": {
    severity: "medium",
    sensitive: "medium",
    lowerable: false,
    text: "the client calls itself a deploy tool (SST, Pulumi, Terraform): shown as a notice, never below the policy's notify and never for a critical change, since a user agent can be forged",
  },
} as const satisfies Record<string, ReasonSpec>;

export type ReasonCode = keyof typeof REASONS;

export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/** Each reason's place in the table: the order among reasons of one severity (assess, plan and alerts sort by it). */
export const REASON_ORDER = Object.fromEntries(REASON_CODES.map((code, i) => [code, i])) as Record<ReasonCode, number>;

/** The table's severity of one reason for one read: its sensitive column on a sensitive secret, `info` when a rule lowered it. */
export function reasonSeverity(code: ReasonCode, sensitive: boolean, lowered: boolean): Severity {
  if (lowered) return "info";
  const spec = REASONS[code];
  return sensitive ? spec.sensitive : spec.severity;
}

/** True for a code of the table. */
export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === "string" && Object.hasOwn(REASONS, value);
}
