/**
 * The tamper classifier: `(record, scope) -> TamperHit | null`. A record is a tamper hit when its
 * source and event name are in the catalog and it touches one of this stage's resources (any
 * secret, for Secrets Manager). Its reason code, and so its severity, comes from the catalog,
 * refined by the rules below; a failed call is an attempt (medium) whatever it tried.
 *
 * Severity rules beyond the catalog's code:
 * - UpdateTrail that points CloudWatch Logs delivery at another group (or none), or makes the trail
 *   single-Region: `trail-blinded` (critical).
 * - PutEventSelectors that stops logging Read or Write management events, or Secrets Manager
 *   (selectors.ts): `trail-blinded` (critical).
 * - DeleteFunction of the function itself (no qualifier), PutFunctionConcurrency to 0:
 *   `function-disabled` (critical); deleting one version is `function-changed`.
 * - Secrets Manager PutResourcePolicy granting `*`, `NotPrincipal` or another account, or not
 *   parsable: `secret-policy-public` (critical), conditions shown but never trusted.
 * - UpdateSecret counts only with a `kmsKeyId`; UpdateSecretVersionStage only when it moves
 *   AWSCURRENT: by a person (AWS-set identity fields) high, by a workload low (rotation does it).
 * - SetAlarmState: always `alarm-state-set`; its `stateReason` is shown as the caller's text only.
 *
 * The deploy-tool notice: a user agent naming SST, Pulumi or Terraform makes a successful,
 * non-critical change a "changed by <principal>" notice at `min(severity, max(medium, notify))`:
 * never lower than the policy's `notify` for what would have been emailed, never for a critical
 * change, since the user agent is the caller's text.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import { isPerson } from "../actor.js";
import { bareIdentity, faultName, rawText } from "../bare.js";
import { isJsonObject, stringOrNull } from "../decode.js";
import { consoleEventUrl, outcomeOf } from "../enrich.js";
import { identityOf } from "../identity.js";
import { REASONS, type ReasonCode } from "../reasons.js";
import { toBodyText } from "../sanitize.js";
import { maxSeverity, type Severity, severityRank } from "../severity.js";
import type { CloudTrailRecord, Identity, Outcome } from "../types.js";
import { type TamperEventSpec, type TamperReasonCode, tamperSpecFor } from "./catalog.js";
import { type DeployTool, deployToolOf } from "./deploy-tool.js";
import { isOpen, policyExposure } from "./resource-policy.js";
import { inScope, type ResourceRef, resourceRef, type ScopeKind, type TamperScope } from "./scope.js";
import { selectorGaps } from "./selectors.js";

/** One request parameter as shown: our label, the caller's value as sanitised body text. */
export interface TamperChange {
  field: string;
  value: string;
}

/** One tamper or exposure event. Record strings are raw unless said otherwise; messages sanitise them. */
export interface TamperHit {
  kind: "tamper";
  eventID: string;
  eventTime: string | null;
  eventSource: string;
  /** As recorded (Lambda's carry a version suffix). */
  eventName: string;
  /** The API's name, from the catalog (a constant: safe in attributes). */
  api: string;
  resourceKind: ScopeKind;
  /** The resource's name as the record gave it (raw). */
  resource: string;
  qualifier: string | null;
  outcome: Outcome;
  errorCode: string | null;
  severity: Severity;
  /** Highest severity first; `deploy-tool` last when present. */
  reasons: TamperReasonCode[];
  /** What the user agent claims; never proof. */
  deployTool: DeployTool | null;
  /** Shown as a "changed by <principal>" notice rather than an alert. */
  notice: boolean;
  /** Request parameters that matter, sanitised (`requestParameters.<key>`). */
  changes: TamperChange[];
  /** What the severity rules found, in words (sanitised). */
  findings: string[];
  identity: Identity;
  principalArn: string | null;
  identityType: string;
  sourceIPAddress: string | null;
  userAgent: string | null;
  region: string | null;
  recipientAccountId: string | null;
  consoleUrl: string | null;
}

/** Bytes of one shown request parameter (a policy document gets more). */
const CHANGE_BYTES = 400;
const POLICY_BYTES = 1200;
const POLICY_FIELDS = new Set(["resourcePolicy", "policy", "eventSelectors", "advancedEventSelectors"]);

function params(record: CloudTrailRecord): Record<string, unknown> {
  return isJsonObject(record.requestParameters) ? record.requestParameters : {};
}

/** The values of `keys` (array values spread): the candidates that may name the resource. */
function targets(p: Record<string, unknown>, keys: readonly string[]): unknown[] {
  return keys.flatMap((k) => (Array.isArray(p[k]) ? (p[k] as unknown[]) : [p[k]]));
}

function changesOf(spec: TamperEventSpec, p: Record<string, unknown>): TamperChange[] {
  const out: TamperChange[] = [];
  for (const key of spec.changes) {
    if (!Object.hasOwn(p, key) || p[key] === undefined) continue;
    const label =
      key === "stateReason" ? "requestParameters.stateReason (the caller's text)" : `requestParameters.${key}`;
    out.push({ field: label, value: toBodyText(p[key], POLICY_FIELDS.has(key) ? POLICY_BYTES : CHANGE_BYTES) });
  }
  return out;
}

interface Refined {
  reason: TamperReasonCode;
  findings: string[];
}

const LIST_MAX = 5;
const UNKNOWN_TRAIL = "(the stage watches an existing log group: if this trail feeds it, secretwatch is blind)";
const listed = (items: readonly string[]) =>
  items.slice(0, LIST_MAX).join(", ") + (items.length > LIST_MAX ? ` (+${items.length - LIST_MAX} more)` : "");

/** The refined reason of a record in scope; null when the event does not count (UpdateSecret without a key...). */
function refine(
  spec: TamperEventSpec,
  p: Record<string, unknown>,
  record: CloudTrailRecord,
  identity: Identity,
  ref: ResourceRef,
  scope: TamperScope,
): Refined | null {
  const base = { reason: spec.reason, findings: [] as string[] };
  switch (`${spec.source} ${spec.api}`) {
    case "cloudtrail.amazonaws.com UpdateTrail": {
      const findings: string[] = [];
      if (Object.hasOwn(p, "cloudWatchLogsLogGroupArn")) {
        const to = resourceRef("logGroup", p.cloudWatchLogsLogGroupArn);
        const watched = scope.logGroups.map((g) => resourceRef("logGroup", g)?.name);
        if (to === null) findings.push("CloudWatch Logs delivery was removed from the trail");
        else if (watched.length > 0 && !watched.includes(to.name))
          findings.push(`CloudWatch Logs delivery now goes to ${toBodyText(to.name, 200)}, not the watched log group`);
      }
      if (p.isMultiRegionTrail === false) findings.push("the trail now logs one Region only");
      if (findings.length === 0) return base;
      // An existing log group's trail is not known: this may be another trail of the account.
      if (scope.trails === null) return { reason: "trail-changed", findings: [...findings, UNKNOWN_TRAIL] };
      return { reason: "trail-blinded", findings };
    }
    case "cloudtrail.amazonaws.com PutEventSelectors": {
      const gaps = selectorGaps(p);
      return gaps.length > 0 ? { reason: "trail-blinded", findings: gaps } : base;
    }
    case "lambda.amazonaws.com DeleteFunction":
      return ref.qualifier === null ? base : { reason: "function-changed", findings: ["one version was deleted"] };
    case "lambda.amazonaws.com PutFunctionConcurrency":
      return p.reservedConcurrentExecutions === 0
        ? { reason: "function-disabled", findings: ["reserved concurrency 0: the function is throttled on every call"] }
        : base;
    case "secretsmanager.amazonaws.com PutResourcePolicy": {
      const exposure = policyExposure(p.resourcePolicy, stringOrNull(record.recipientAccountId));
      if (!isOpen(exposure)) return base;
      const findings = !exposure.readable ? ["the policy could not be read (not JSON, or no statements)"] : [];
      if (exposure.everyone) findings.push("an Allow statement grants everyone (Principal * or NotPrincipal)");
      if (exposure.otherAccounts.length > 0)
        findings.push(`an Allow statement grants other accounts: ${toBodyText(listed(exposure.otherAccounts), 200)}`);
      if (exposure.conditions.length > 0)
        findings.push(`with conditions (not verified here): ${toBodyText(listed(exposure.conditions), 300)}`);
      return { reason: "secret-policy-public", findings };
    }
    case "secretsmanager.amazonaws.com UpdateSecret":
      return typeof p.kmsKeyId === "string" ? base : null;
    case "secretsmanager.amazonaws.com UpdateSecretVersionStage": {
      if (p.versionStage !== "AWSCURRENT" || p.moveToVersionId === undefined) return null;
      const person = identity.type === "Unknown" || isPerson(identity);
      return person ? base : { reason: "secret-current-moved-by-workload", findings: [] };
    }
    default:
      return base;
  }
}

/** Highest severity first (the table's order among equals). */
const ORDER = Object.keys(REASONS) as ReasonCode[];
const byRank = (a: ReasonCode, b: ReasonCode) =>
  severityRank(REASONS[b].severity) - severityRank(REASONS[a].severity) || ORDER.indexOf(a) - ORDER.indexOf(b);

const lower = (a: Severity, b: Severity): Severity => (severityRank(a) <= severityRank(b) ? a : b);

/**
 * The tamper hit of `record` for this stage, or null when the record is no tamper event or
 * touches none of the stage's resources. `notify` is the policy's (default medium): the deploy-tool
 * notice never goes below it.
 */
export function classifyTamper(
  record: CloudTrailRecord,
  scope: TamperScope,
  notify: Severity = "medium",
): TamperHit | null {
  const spec = tamperSpecFor(record.eventSource, record.eventName);
  if (spec === null) return null;
  const p = params(record);
  const ref = inScope(scope, spec.scope, targets(p, spec.target));
  if (ref === null) return null;
  const identity = identityOf(record);
  const refined = refine(spec, p, record, identity, ref, scope);
  if (refined === null) return null;
  const errorCode = stringOrNull(record.errorCode) || null;
  const outcome = outcomeOf(errorCode);
  const reasons: TamperReasonCode[] = outcome === "success" ? [refined.reason] : ["tamper-attempt"];
  let severity = reasons.map((r) => REASONS[r].severity).reduce<Severity>(maxSeverity, "info");
  const userAgent = stringOrNull(record.userAgent);
  const deployTool = deployToolOf(userAgent);
  const notice = deployTool !== null && outcome === "success" && severity !== "critical";
  if (notice) {
    severity = lower(severity, maxSeverity("medium", notify));
    reasons.push("deploy-tool");
  }
  const eventID = stringOrNull(record.eventID) ?? "";
  const region = stringOrNull(record.awsRegion);
  return {
    kind: "tamper",
    eventID,
    eventTime: stringOrNull(record.eventTime),
    eventSource: record.eventSource,
    eventName: record.eventName,
    api: spec.api,
    resourceKind: spec.scope,
    resource: ref.name,
    qualifier: ref.qualifier,
    outcome,
    errorCode,
    severity,
    reasons: [...reasons].sort(byRank).sort((a, b) => Number(a === "deploy-tool") - Number(b === "deploy-tool")),
    deployTool,
    notice,
    changes: changesOf(spec, p),
    findings: refined.findings,
    identity,
    principalArn: identity.principalArn,
    identityType: identity.type,
    sourceIPAddress: stringOrNull(record.sourceIPAddress),
    userAgent,
    region,
    recipientAccountId: stringOrNull(record.recipientAccountId),
    consoleUrl: region && eventID ? consoleEventUrl(region, eventID) : null,
  };
}

/**
 * {@link classifyTamper} that never throws: a record of a tamper event name it fails on (a fault
 * secretwatch has not met yet) becomes a bare hit, `tamper-unreadable` (high), of the record's
 * own texts, whether or not it concerns this stage (that is what could not be decided), so the
 * payload's other records, reads included, go on as usual. `classify` is the classifier to run
 * (tests pass one that fails).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function classifyTamperOrBare(
  record: CloudTrailRecord,
  scope: TamperScope,
  notify: Severity = "medium",
  classify: typeof classifyTamper = classifyTamper,
): TamperHit | null {
  try {
    return classify(record, scope, notify);
  } catch (error) {
    return bareTamperHit(record, error);
  }
}

function bareTamperHit(record: CloudTrailRecord, error: unknown): TamperHit | null {
  const spec = tamperSpecFor(record.eventSource, record.eventName);
  if (spec === null) return null;
  const errorCode = rawText(record.errorCode) || null;
  const identity = bareIdentity(record);
  return {
    kind: "tamper",
    eventID: rawText(record.eventID) ?? "",
    eventTime: rawText(record.eventTime),
    eventSource: record.eventSource,
    eventName: record.eventName,
    api: spec.api,
    resourceKind: spec.scope,
    resource: "(not read)",
    qualifier: null,
    outcome: outcomeOf(errorCode),
    errorCode,
    severity: "high",
    reasons: ["tamper-unreadable"],
    deployTool: null,
    notice: false,
    changes: [],
    findings: [`secretwatch could not read this record (${faultName(error)}); it is reported with its own texts only`],
    identity,
    principalArn: identity.principalArn,
    identityType: identity.type,
    sourceIPAddress: rawText(record.sourceIPAddress),
    userAgent: rawText(record.userAgent),
    region: rawText(record.awsRegion),
    recipientAccountId: rawText(record.recipientAccountId),
    consoleUrl: null,
  };
}
