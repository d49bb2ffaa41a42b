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
    text: "the account's root user made the call; root should never be used for day-to-day work",
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
} as const satisfies Record<string, ReasonSpec>;

export type ReasonCode = keyof typeof REASONS;

export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/** True for a code of the table. */
export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === "string" && Object.hasOwn(REASONS, value);
}
