/**
 * Typed shapes shared by decode → select → enrich → format.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import type { SecretValueEventName } from "./events.js";

/**
 * A CloudTrail record as it arrives: every field optional and untrusted. Only `eventSource` and
 * `eventName` are checked (strings) for a message to count as a CloudTrail record; every other
 * field, `eventID` and `eventTime` included, is typed as AWS documents it but may hold any JSON
 * value: read it with `stringOrNull`.
 */
export interface CloudTrailRecord {
  eventVersion?: string;
  eventID?: string;
  eventName: string;
  eventSource: string;
  eventTime?: string;
  eventType?: string;
  eventCategory?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity?: Record<string, unknown>;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: unknown;
  errorCode?: string;
  errorMessage?: string;
  requestID?: string;
  readOnly?: boolean;
  recipientAccountId?: string;
  vpcEndpointId?: string;
  vpcEndpointAccountId?: string;
  sessionCredentialFromConsole?: boolean | string;
  tlsDetails?: Record<string, unknown>;
  resources?: unknown[];
  additionalEventData?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The product's one outcome enum. */
export type Outcome = "success" | "denied" | "error";

/** Who made the call. Strings are as recorded (unsanitised); `null` when absent. */
export interface Identity {
  /** `userIdentity.type`, or `Unknown` when the record has none. */
  type: string;
  principalArn: string | null;
  principalId: string | null;
  accountId: string | null;
  /** IAM user name, or the role name for an assumed role, or the root/service label. */
  userName: string | null;
  roleSessionName: string | null;
  sessionIssuerArn: string | null;
  sessionIssuerName: string | null;
  sessionIssuerType: string | null;
  /** The AWS service that made the call on the principal's behalf (`invokedBy`). */
  invokedBy: string | null;
  accessKeyId: string | null;
  sourceIdentity: string | null;
  /** `sessionContext.attributes.mfaAuthenticated`; null when not recorded. */
  mfaAuthenticated: boolean | null;
  /** The call came from an AWS Management Console session. */
  consoleSession: boolean;
  /** The caller's account differs from the account that owns the secret. */
  crossAccount: boolean;
  /** A short human label for subjects: user name, session name, service… */
  label: string;
}

/** Where the call came from. */
export interface Source {
  /** `sourceIPAddress` as recorded. */
  raw: string | null;
  kind: "ip" | "aws-service" | "aws-internal" | "unknown";
  /** The address, when `kind` is `ip`. */
  ip: string | null;
  ipVersion: 4 | 6 | null;
  /** ipaddr.js range name as-is: `unicast`, `private`, `loopback`, `reserved`, … */
  range: string | null;
  /** The service host, when `kind` is `aws-service` (e.g. `lambda.amazonaws.com`). */
  service: string | null;
  vpcEndpointId: string | null;
  vpcEndpointAccountId: string | null;
}

/** A user agent parsed into a readable client. */
export interface Client {
  /** Stable family id: `aws-cli`, `cloudshell`, `sdk`, `console`, `secrets-manager-agent`, … */
  family: string;
  /** Readable name: `AWS CLI v2`, `boto3`, `AWS SDK for JavaScript v3`, `AWS console`… */
  name: string;
  version: string | null;
  /** Extra detail: the CLI command, the SDK language, the OS… */
  detail: string | null;
  /** The user agent as recorded (unsanitised). */
  raw: string | null;
}

/** Details of a BatchGetSecretValue call. */
export interface BatchDetails {
  filters: { key: string; values: string[] }[] | null;
  secretIdList: string[] | null;
  /** Filter-based batches can return every secret that matches: a bulk-read signal. */
  broad: boolean;
  /** Why the batch is called broad, in words. */
  broadReasons: string[];
}

/** One secret-value retrieval, enriched. This is also the CLI's `--format json` line. */
export interface SecretAccess {
  eventID: string;
  eventTime: string | null;
  eventName: SecretValueEventName;
  /** Canonical secret key (name; ARN suffix removed). Null for BatchGetSecretValue. */
  secretId: string | null;
  secretArn: string | null;
  /** `requestParameters.secretId` exactly as the caller sent it. */
  requestedSecretId: string | null;
  versionId: string | null;
  versionStage: string | null;
  batch: BatchDetails | null;
  outcome: Outcome;
  errorCode: string | null;
  errorMessage: string | null;
  principalArn: string | null;
  identityType: string;
  identity: Identity;
  sourceIPAddress: string | null;
  source: Source;
  userAgent: string | null;
  client: Client;
  region: string | null;
  recipientAccountId: string | null;
  requestID: string | null;
  /** Seconds between `eventTime` and the time of enrichment; null if `eventTime` is unusable. */
  deliveryLagSeconds: number | null;
  /** Link to the event in the CloudTrail console (event history). */
  consoleUrl: string | null;
  /** Record quirks a person should know, in words (e.g. `the record has no eventID`); empty for most records. */
  notes: string[];
  /**
   * Only on a read secretwatch could not enrich (enrich.ts `enrichOrBare`): the name of the
   * error; the other fields hold what could be read without the code that failed. Absent otherwise.
   */
  unreadable?: string;
}

/** What the assessment concluded about one read: how serious, why, and what the policy and state said. */
export interface Verdict {
  severity: import("./severity.js").Severity;
  /** Reason codes (see reasons.ts), highest severity first. */
  reasons: import("./reasons.js").ReasonCode[];
  /** Reasons that an expected-reader rule lowered to `info` (a subset of `reasons`). */
  lowered: readonly import("./reasons.js").ReasonCode[];
  /** The expected-reader rule that matched, if any. */
  expected: { id: string; note: string | null } | null;
  /** The key first-seen and rapid retrieval count by (role, Identity Center user, IAM user, root, service). */
  actor: string;
  /** True when the actor had not read this secret within the first-seen window; null when unknown (no state). */
  firstSeen: boolean | null;
  /**
   * Set when the read is not emailed: a repeat of an alert within `repeatMinutes`, or a read
   * whose only reason is first-seen during the stage's learning hours (recorded, not emailed).
   */
  suppressed: "repeat" | "learning" | null;
  /** The secrets counted when this read crossed the rapid-retrieval threshold (sorted), and the window. */
  rapid: { secrets: string[]; from: string; to: string } | null;
  decoy: boolean;
  sensitive: boolean;
  /** Used only as history (`replay --baseline-days`): recorded, never alerted. */
  baseline: boolean;
}

/** A read with its verdict. */
export interface AssessedAccess extends SecretAccess {
  verdict: Verdict;
}
