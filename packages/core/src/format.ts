/**
 * The text of one alert: an SNS subject, a plain-text email body and message attributes for
 * a group of secret-value retrievals by one principal, of one secret, with one outcome.
 * Every string from a record goes through sanitize.ts, so no record can break the layout:
 * each value stays on its own labelled line.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
import { BATCH_GET_SECRET_VALUE } from "./events.js";
import type { ReasonCode } from "./reasons.js";
import { toBodyText, toSubjectText } from "./sanitize.js";
import type { Severity } from "./severity.js";
import type { AssessedAccess, BatchDetails, SecretAccess } from "./types.js";

/** Where alerts come from; both come from config and are sanitised all the same. */
export interface AlertContext {
  app: string;
  stage: string;
}

/**
 * One alert's reads, `hits` sorted by `eventTime`: by one actor, of one secret, with one outcome
 * (`read`); one actor's identical batch calls within a second (`batch`); or one actor's reads
 * that crossed the rapid-retrieval threshold (`rapid`).
 */
export interface AlertGroup {
  key: string;
  kind: "read" | "batch" | "rapid";
  /** The highest severity of its hits. */
  severity: Severity;
  /** Every hit's reasons, highest severity first. */
  reasons: ReasonCode[];
  hits: AssessedAccess[];
  count: number;
  firstTime: string | null;
  lastTime: string | null;
}

/** One slice of a group whose alert is too big for one message: `hits` start at `offset`. */
export interface BodyPart {
  index: number;
  total: number;
  offset: number;
  hits: readonly SecretAccess[];
}

/** The longest subject we send (SNS: fewer than 100 characters). */
export const SUBJECT_MAX = 99;
/** An SNS attribute value we send is at most this many characters. */
export const ATTRIBUTE_VALUE_MAX = 256;

export type StringAttributes = Record<string, { DataType: "String"; StringValue: string }>;

const NOT_RECORDED = "(not recorded)";

/**
 * `[app stage]` in printable ASCII, at most 37 characters: the start of every subject.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject)
 */
export function subjectPrefix(ctx: AlertContext): string {
  const app = toSubjectText(ctx.app, 20) || "secretwatch";
  const stage = toSubjectText(ctx.stage, 14);
  return stage ? `[${app} ${stage}]` : `[${app}]`;
}

/** A value for the body, never empty. */
function text(value: unknown, maxBytes = 512): string {
  return toBodyText(value, maxBytes) || NOT_RECORDED;
}

/** `  Label:         value` — the label is ours, the value one sanitised line. */
function line(label: string, value: string): string {
  return `  ${`${label}:`.padEnd(15)} ${value}`;
}

/** A labelled row; rows whose value is null, false or empty are left out. */
type Row = [label: string, value: string | null | false | undefined];

function section(title: string, rows: Row[]): string[] {
  return ["", title, ...rows.flatMap(([label, value]) => (value ? [line(label, value)] : []))];
}

/** The distinct values across hits: `a; b; c (+4 more)`, or null when there is none. */
function distinct(hits: readonly SecretAccess[], pick: (hit: SecretAccess) => unknown, shown = 3): string | null {
  const values = [...new Set(hits.map(pick).filter((v) => v !== null && v !== undefined && v !== ""))];
  const head = values.slice(0, shown).map((v) => text(v, values.length > 1 ? 200 : 512));
  if (values.length > shown) head.push(`(+${values.length - shown} more)`);
  return head.length > 0 ? head.join("; ") : null;
}

function isBatch(hit: SecretAccess): boolean {
  return hit.eventName === BATCH_GET_SECRET_VALUE || hit.batch !== null;
}

/** `filter tag-key=StratusRedTeam` (`tag-key=StratusRedTeam` when `terse`), or `3 secret IDs`. */
function batchScope(batch: BatchDetails | null, terse = false): string {
  const filters = batch?.filters?.slice(0, 5).map((f) => `${f.key}=${f.values.slice(0, 5).join(",")}`);
  if (filters?.length) return `${terse ? "" : "filter "}${filters.join(" ")}`;
  return batch?.secretIdList?.length ? `${batch.secretIdList.length} secret IDs` : "no filter recorded";
}

/** Where the call came from: `[short form for the subject, description for the body]`. */
function origin(hit: SecretAccess): [string | null, string | null] {
  const s = hit.source;
  if (s.kind === "ip") {
    const how = [s.ipVersion ? `IPv${s.ipVersion}` : "IP", s.range && `range ${s.range}`].filter(Boolean).join(", ");
    return [s.ip ?? s.raw, `${s.ip ?? s.raw} (${how})`];
  }
  if (s.kind === "aws-service") return [s.service ?? s.raw, `${s.service ?? s.raw} (an AWS service)`];
  if (s.kind === "aws-internal") return ["AWS Internal", "AWS Internal (a call made from inside AWS)"];
  return [s.raw ?? hit.sourceIPAddress, s.raw ?? hit.sourceIPAddress];
}

/** Shrinks the longest of `texts` first until together they fit in `budget` characters. */
function fitTogether(texts: string[], budget: number): string[] {
  const total = (cap: number) => texts.reduce((sum, t) => sum + Math.min(t.length, cap), 0);
  let cap = Math.max(0, ...texts.map((t) => t.length));
  while (cap > 4 && total(cap) > budget) cap--;
  return texts.map((t) => toSubjectText(t, cap));
}

/**
 * The email subject, e.g. `[secretwatch prod] TopSecretInfo read by alice (AssumedRole) from
 * 203.0.113.7`, `... 20x DENIED read of X by ...` or `... batch read (filter tag-key=x) by ...`.
 * The identity type is dropped first, then the longest values shortened, to stay within 99
 * characters: the result matches `/^[\x20-\x7E]{1,99}$/` whatever the records hold.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject)
 */
export function formatSubject(group: AlertGroup, ctx: AlertContext): string {
  const prefix = subjectPrefix(ctx);
  const hit = group.hits[0];
  if (!hit) return `${prefix} secret access alert`;
  const count = group.count > 1 ? `${group.count}x ` : "";
  const failed = hit.outcome === "denied" ? "DENIED " : hit.outcome === "error" ? "FAILED " : "";
  const cross = hit.identity.crossAccount && `cross-account ${toSubjectText(hit.identity.accountId, 12)}`.trim();
  const compose = (typed: boolean, [what, who, where, code]: string[]) => {
    const detail = [typed && (toSubjectText(hit.identityType, 20) || "unknown type"), cross].filter(Boolean);
    const by = `by ${who}${detail.length ? ` (${detail.join(", ")})` : ""} from ${where}`;
    if (isBatch(hit)) return `${prefix} ${count}${failed}${hit.batch?.broad ? "BROAD " : ""}batch read (${what}) ${by}`;
    if (!failed) return `${prefix} ${count}${what} read ${by}`;
    return `${prefix} ${count}${failed}read of ${what}${hit.outcome === "error" ? ` (${code})` : ""} ${by}`;
  };
  const values = (terse: boolean) => [
    toSubjectText(isBatch(hit) ? batchScope(hit.batch, terse) : hit.secretId, 60) || "unknown secret",
    toSubjectText(hit.identity.label, 40) || "unknown principal",
    toSubjectText(origin(hit)[0], 45) || "unknown source",
    toSubjectText(hit.errorCode, 40) || "error",
  ];
  // Shortest wins: drop the identity type, then the word "filter", then shorten the longest values.
  for (const [typed, terse] of [
    [true, false],
    [false, false],
    [false, true],
  ] as const) {
    const subject = compose(typed, values(terse));
    if (subject.length <= SUBJECT_MAX) return subject;
  }
  const room = SUBJECT_MAX - compose(false, ["", "", "", ""]).length;
  return toSubjectText(compose(false, fitTogether(values(true), room)), SUBJECT_MAX) || prefix;
}

function outcomeText(hit: SecretAccess): string {
  const value = isBatch(hit) ? "the secret values were" : "the secret value was";
  if (hit.outcome === "success") return `SUCCESS - ${value} returned to the caller`;
  if (hit.outcome === "denied") return `DENIED - access was refused; ${value} not returned`;
  if (hit.outcome === "error") return `ERROR - the call failed; ${value} not returned`;
  return text(hit.outcome);
}

const yesNo = (value: boolean | null) => (value === null ? NOT_RECORDED : value ? "yes" : "no");

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return NOT_RECORDED;
  const s = Math.round(Math.abs(seconds));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const parts = [h && `${h}h`, (h || m) && `${m}m`, `${s % 60}s`].filter(Boolean).join(" ");
  return seconds < 0 ? `${parts} BEFORE the call (clock skew?)` : `${parts} after the call`;
}

/** WHAT: the secret (or the batch), the outcome, how many times and when. */
function whatRows(group: AlertGroup, hit: SecretAccess): Row[] {
  const batch = isBatch(hit) ? hit.batch : undefined;
  const ids = batch?.secretIdList ?? [];
  const reasons = batch?.broadReasons?.slice(0, 5).join("; ");
  return [
    ["Secret", batch === undefined ? text(hit.secretId) : "several - a BatchGetSecretValue call"],
    ["Batch scope", batch !== undefined && text(batchScope(batch))],
    [
      "Batch IDs",
      ids.length > 0 && `${text(ids.slice(0, 10).join(", "))}${ids.length > 10 ? ` (+${ids.length - 10} more)` : ""}`,
    ],
    ["Broad batch", batch !== undefined && (batch?.broad ? `YES - ${text(reasons)}` : "no")],
    ["Note", batch !== undefined && "each secret returned is also logged, and alerted, as GetSecretValue"],
    ["Action", text(hit.eventName)],
    ["Outcome", outcomeText(hit)],
    ["Error code", distinct(group.hits, (h) => h.errorCode)],
    ["Error message", distinct(group.hits, (h) => h.errorMessage, 2)],
    ["Version", distinct(group.hits, (h) => [h.versionStage, h.versionId].filter(Boolean).join(" "))],
    ["Count", `${group.count} event${group.count === 1 ? "" : "s"}`],
    ["First / last", group.count > 1 && `${text(group.firstTime, 64)} / ${text(group.lastTime, 64)}`],
  ];
}

/** WHO: the principal, its role and session, account, MFA, console, calling service. */
function whoRows(group: AlertGroup, hit: SecretAccess): Row[] {
  const id = hit.identity;
  const all = (pick: (h: SecretAccess) => unknown) => distinct(group.hits, pick);
  const owner = hit.recipientAccountId ? ` - the secret is in account ${text(hit.recipientAccountId, 64)}` : "";
  return [
    ["Principal", `${text(id.label, 256)} (${text(hit.identityType, 64)})`],
    ["User / role", id.userName !== id.label && all((h) => h.identity.userName)],
    ["Session", all((h) => h.identity.roleSessionName)],
    ["Issuer", all((h) => h.identity.sessionIssuerArn ?? h.identity.sessionIssuerName)],
    ["Issuer type", all((h) => h.identity.sessionIssuerType)],
    ["Account", id.crossAccount ? `${text(id.accountId, 64)} - CROSS-ACCOUNT${owner}` : text(id.accountId, 64)],
    ["MFA", all((h) => yesNo(h.identity.mfaAuthenticated))],
    ["Console login", all((h) => yesNo(h.identity.consoleSession))],
    ["Invoked by", all((h) => h.identity.invokedBy)],
    ["Source identity", all((h) => h.identity.sourceIdentity)],
    ["Access key", all((h) => h.identity.accessKeyId)],
  ];
}

/** Lines describing the whole group: the same in every part, so made once per group (groups are not changed once made). */
const detailCache = new WeakMap<AlertGroup, { hits: readonly SecretAccess[]; count: number; lines: string[] }>();

function details(group: AlertGroup, hit: SecretAccess): string[] {
  const cached = detailCache.get(group);
  if (cached?.hits === group.hits && cached.count === group.hits.length) return cached.lines;
  const hits = group.hits;
  const client = (h: SecretAccess) => [h.client.name, h.client.version, h.client.detail && `(${h.client.detail})`];
  const vpce = (h: SecretAccess) =>
    h.source.vpcEndpointId && `${h.source.vpcEndpointId} (account ${h.source.vpcEndpointAccountId ?? "?"})`;
  const lags = hits.map((h) => h.deliveryLagSeconds ?? Number.NaN).filter(Number.isFinite);
  const lag = lags.length > 0 ? lags.reduce((a, b) => Math.max(a, b)) : null;
  const lines = [
    ...section("What", whatRows(group, hit)),
    ...section("Who", whoRows(group, hit)),
    ...section("From where", [
      ["Source", distinct(hits, (h) => origin(h)[1]) ?? NOT_RECORDED],
      ["VPC endpoint", distinct(hits, vpce)],
      ["Region", distinct(hits, (h) => h.region) ?? NOT_RECORDED],
    ]),
    ...section("How", [["Client", distinct(hits, (h) => client(h).filter(Boolean).join(" ")) ?? NOT_RECORDED]]),
    ...section("When", [
      group.count > 1
        ? ["Event times", `first ${text(group.firstTime, 64)}, last ${text(group.lastTime, 64)}`]
        : ["Event time", text(group.firstTime, 64)],
      ["Delivery lag", duration(lag)],
    ]),
    ...section("Raw identifiers", [
      ["Principal ARN", text(hit.principalArn ?? hit.identity.principalArn)],
      ["Principal ID", distinct(hits, (h) => h.identity.principalId)],
      ["Secret ARN", distinct(hits, (h) => h.secretArn) ?? NOT_RECORDED],
      ["Requested ID", distinct(hits, (h) => h.requestedSecretId)],
      ["User agent", distinct(hits, (h) => h.userAgent ?? h.client.raw) ?? NOT_RECORDED],
    ]),
  ];
  detailCache.set(group, { hits, count: hits.length, lines });
  return lines;
}

/**
 * The body up to the event list: WHAT, WHO, FROM WHERE, HOW, WHEN, then the raw identifiers
 * shared by the events. {@link formatBody} adds one {@link formatEventEntry} per event.
 */
export function formatBodyHeader(group: AlertGroup, ctx: AlertContext, part?: BodyPart): string {
  const hit = group.hits[0];
  const title = `Secret access alert - ${text(subjectPrefix(ctx), 64)}`;
  if (!hit) return `${title}\n\nNo events.`;
  const listed = part?.hits.length ?? group.count;
  const range = part && `events ${part.offset + 1}-${part.offset + listed} of ${group.count}`;
  return [
    title,
    ...(part ? [`Part ${part.index} of ${part.total}: ${range}; the other parts list the rest.`] : []),
    ...details(group, hit),
    line("Events", `${listed}${part ? ` of ${group.count}` : ""} (event ID, time, request ID, console link)`),
  ].join("\n");
}

/** One event of the list: its IDs and time, then its CloudTrail console link. */
export function formatEventEntry(hit: SecretAccess): string {
  const head = `    - event ${text(hit.eventID, 160)} at ${text(hit.eventTime, 64)}, request ${text(hit.requestID, 160)}`;
  return hit.consoleUrl ? `${head}\n      Console: ${text(hit.consoleUrl, 400)}` : head;
}

/**
 * The plain-text email body: WHAT, WHO, FROM WHERE, HOW, WHEN, then "Raw identifiers" with
 * every event of the group (or of `part`, when a big group is split over several messages).
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Message)
 */
export function formatBody(group: AlertGroup, ctx: AlertContext, part?: BodyPart): string {
  return [formatBodyHeader(group, ctx, part), ...(part?.hits ?? group.hits).map(formatEventEntry)].join("\n");
}

/**
 * Message attributes for SNS subscription filter policies: `eventName`, `outcome`, `secret`
 * and `identityType`, each printable ASCII of at most 256 characters. A value that is empty
 * or unknown is left out: SNS rejects a `String` attribute with an empty value.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export function messageAttributes(group: AlertGroup): StringAttributes {
  const hit = group.hits[0];
  const attributes: StringAttributes = {};
  const values = [hit?.eventName, hit?.outcome, hit?.secretId, hit?.identityType];
  for (const [i, name] of ["eventName", "outcome", "secret", "identityType"].entries()) {
    const value = values[i];
    const StringValue = toSubjectText(value, ATTRIBUTE_VALUE_MAX);
    if (StringValue) attributes[name] = { DataType: "String", StringValue };
  }
  return attributes;
}
