/**
 * The text of one alert: an SNS subject, a plain-text email body and message attributes for
 * a group of secret-value retrievals (one actor's reads of one secret with one outcome, its
 * identical batch calls within a second, or its rapid retrieval). The subject starts with the
 * severity; the body opens with the verdict and what to do, then the details. Every string
 * from a record goes through sanitize.ts, so no record can break the layout: each value stays
 * on its own labelled line.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
import { isBatchRead } from "./events.js";
import { carrying, type GroupReason, type GroupVerdict, groupVerdict, nextSteps } from "./next-steps.js";
import { REASONS, type ReasonCode } from "./reasons.js";
import { toBodyText, toSubjectText } from "./sanitize.js";
import { isSeverity, type Severity, severityLabel } from "./severity.js";
import type { AssessedAccess, BatchDetails, SecretAccess } from "./types.js";
import { identityTypeName, plural, rangeName } from "./words.js";

/** Where alerts come from; both come from config and are sanitised all the same. */
export interface AlertContext {
  app: string;
  stage: string;
}

/**
 * One alert's reads, `hits` sorted by `eventTime`: by one actor, of one secret, with one outcome
 * (`read`); one actor's identical batch calls within a second (`batch`); or one actor's reads
 * that crossed the rapid-retrieval threshold (`rapid`); one actor's high or critical reads of
 * more than MAX_URGENT_GROUPS_PER_ACTOR secrets with one outcome in one invocation (`many`).
 */
export interface AlertGroup {
  key: string;
  kind: "read" | "batch" | "rapid" | "many";
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

/** The last {@link subjectPrefix} made, with the app and stage it was made of. */
let lastPrefix: { app: string; stage: string; prefix: string } | null = null;

/**
 * `[app stage]` in printable ASCII, at most 37 characters: the start of every subject.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject)
 */
export function subjectPrefix(ctx: AlertContext): string {
  // The same app and stage for every message of an invocation: the last prefix is kept.
  const last = lastPrefix;
  if (last !== null && last.app === ctx.app && last.stage === ctx.stage) return last.prefix;
  const app = toSubjectText(ctx.app, 20) || "secretwatch";
  const stage = toSubjectText(ctx.stage, 14);
  const prefix = stage ? `[${app} ${stage}]` : `[${app}]`;
  if (typeof ctx.app === "string" && typeof ctx.stage === "string")
    lastPrefix = { app: ctx.app, stage: ctx.stage, prefix };
  return prefix;
}

/**
 * A value for the body: never empty, and without white space at either end, so a label is
 * always followed by text (a record's `" "` would leave a label with nothing after it, and a
 * leading space would shift the value out of its column).
 */
function text(value: unknown, maxBytes = 512): string {
  const shown = toBodyText(value, maxBytes).trim();
  return shown === "" ? NOT_RECORDED : shown;
}

/** `  Label:        ` for each of our labels, made once. */
const labels = new Map<string, string>();

/** `  Label:         value` — the label is ours, the value one sanitised line. */
function line(label: string, value: string): string {
  let lead = labels.get(label);
  if (lead === undefined) {
    lead = `  ${`${label}:`.padEnd(15)} `;
    labels.set(label, lead);
  }
  return lead + value;
}

/** A labelled row; rows whose value is null, false or empty are left out. */
type Row = [label: string, value: string | null | false | undefined];

/** A blank line, the title, then each row with a value; onto `lines` when given. */
function section(title: string, rows: Row[], lines: string[] = []): string[] {
  lines.push("", title);
  for (const [label, value] of rows) if (value) lines.push(line(label, value));
  return lines;
}

const isValue = (v: unknown) => v !== null && v !== undefined && v !== "";

/** The distinct values across hits: `a; b; c (+4 more)`, or null when there is none. */
function distinct(hits: readonly SecretAccess[], pick: (hit: SecretAccess) => unknown, shown = 3): string | null {
  // Most alerts are of one read: its value, if any.
  if (hits.length === 1 && shown > 0) {
    const value = pick(hits[0]!);
    return isValue(value) ? text(value, 512) : null;
  }
  // In order of first appearance; a few values are told apart by a scan, more through a Set (both SameValueZero).
  const values: unknown[] = [];
  let seen: Set<unknown> | null = null;
  for (const hit of hits) {
    const value = pick(hit);
    if (!isValue(value)) continue;
    if (seen === null) {
      if (values.includes(value)) continue;
      values.push(value);
      if (values.length > 8) seen = new Set(values);
    } else if (!seen.has(value)) {
      seen.add(value);
      values.push(value);
    }
  }
  const max = values.length > 1 ? 200 : 512;
  const head = values.slice(0, shown).map((v) => text(v, max));
  if (values.length > shown) head.push(`(+${values.length - shown} more)`);
  return head.length > 0 ? head.join("; ") : null;
}

/** `filter tag-key=StratusRedTeam` (`tag-key=StratusRedTeam` when `terse`), or `3 secret IDs`. */
function batchScope(batch: BatchDetails | null, terse = false): string {
  const filters = batch?.filters?.slice(0, 5).map((f) => `${f.key}=${f.values.slice(0, 5).join(",")}`);
  if (filters?.length) return `${terse ? "" : "filter "}${filters.join(" ")}`;
  return batch?.secretIdList?.length ? plural(batch.secretIdList.length, "secret ID") : "no filter recorded";
}

/** An address range in words: `public internet address` for ipaddr.js's `unicast`… */
function rangeText(range: string | null): string {
  if (!range) return "address range not known";
  return rangeName(range) ?? `address range ${text(range, 64)}`;
}

/** Where the call came from: `[short form for the subject, description for the body]`. */
function origin(hit: SecretAccess): [string | null, string | null] {
  const s = hit.source;
  if (s.kind === "ip") {
    const version = s.ipVersion ? `, IPv${s.ipVersion}` : "";
    return [s.ip ?? s.raw, `${text(s.ip ?? s.raw, 200)} - ${rangeText(s.range)}${version}`];
  }
  if (s.kind === "aws-service") return [s.service ?? s.raw, `${s.service ?? s.raw} (an AWS service)`];
  if (s.kind === "aws-internal") return ["AWS Internal", "AWS Internal (a call made from inside AWS)"];
  return [s.raw ?? hit.sourceIPAddress, s.raw ?? hit.sourceIPAddress];
}

/** The parts of a subject that give way when it is too long; the rest are fixed words. */
interface Slots {
  secret: string;
  principal: string;
  address: string;
  type: string;
  count: string;
  code: string;
  cross: string;
}

/**
 * How a long subject is shortened, in order: `[slot, shortest it may become]`. Below that a
 * slot is dropped (with its words), except the principal and the secret, which only shrink:
 * the address and the extras go first, then the principal, the secret last.
 */
const SHRINK: ReadonlyArray<[keyof Slots, number]> = [
  ["type", Infinity],
  ["count", Infinity],
  ["address", 10],
  ["code", 8],
  ["cross", 20],
  ["principal", 16],
  ["secret", 4],
  ["principal", 4],
];
const KEPT: ReadonlySet<keyof Slots> = new Set(["secret", "principal"]);

/** The subject from its slots: `LEAD [DENIED |FAILED ]what by who (type, cross) from where`. */
function compose(group: AlertGroup, hit: SecretAccess, lead: string, s: Slots): string {
  const detail = [s.type, s.cross].filter(Boolean).join(", ");
  const by = `by ${s.principal}${detail ? ` (${detail})` : ""}${s.address ? ` from ${s.address}` : ""}`;
  const count = s.count ? `${s.count} ` : "";
  const failed = hit.outcome === "denied" ? "DENIED " : hit.outcome === "error" ? "FAILED " : "";
  if (group.kind === "rapid") return `${lead} rapid retrieval: ${s.secret} ${by}`;
  if (group.kind === "many") return `${lead} ${failed}reads of ${s.secret} ${by}`;
  if (group.kind === "batch" || isBatchRead(hit)) {
    return `${lead} ${count}${failed}${hit.batch?.broad ? "BROAD " : ""}batch read (${s.secret}) ${by}`;
  }
  if (!failed) return `${lead} ${count}${s.secret} read ${by}`;
  return `${lead} ${count}${failed}read of ${s.secret}${s.code ? ` (${s.code})` : ""} ${by}`;
}

/**
 * The email subject, e.g. `MEDIUM [secretwatch prod] TopSecretInfo read by alice (role session)
 * from 203.0.113.7`, `CRITICAL [...] DENIED read of canary/x by ...`, `HIGH [...] rapid retrieval:
 * 23 secrets by ...` or `MEDIUM [...] BROAD batch read (tag-key=x) by ...`.
 * Too long, it gives up the identity type, the count, the address, the error code and the
 * cross-account detail first, then shortens the principal, the secret last: the secret and the
 * principal stay whole whenever they fit with the fixed words. It always matches
 * `/^[\x20-\x7E]{1,99}$/`, whatever the records hold.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject)
 */
export function formatSubject(group: AlertGroup, ctx: AlertContext): string {
  const level = isSeverity(group.severity) ? severityLabel(group.severity) : "ALERT";
  const lead = `${level} ${subjectPrefix(ctx)}`;
  const hit = group.hits[0];
  if (!hit) return `${lead} secret access alert`;
  const id = hit.identity;
  const rapid =
    group.kind === "rapid"
      ? (groupVerdict(group).rapid?.secrets.length ?? group.count)
      : group.kind === "many"
        ? secretsOf(group).length
        : null;
  const what = isBatchRead(hit) ? batchScope(hit.batch, true) : (hit.secretId ?? hit.requestedSecretId);
  const slots: Slots = {
    secret: rapid !== null ? plural(rapid, "secret") : toSubjectText(what, SUBJECT_MAX) || "unknown secret",
    principal: toSubjectText(id.label, SUBJECT_MAX) || "unknown principal",
    address: toSubjectText(origin(hit)[0], 45) || "unknown source",
    type: identityTypeName(hit.identityType) ?? (toSubjectText(hit.identityType, 24) || "unknown type"),
    count: group.count > 1 && rapid === null ? `${group.count}x` : "",
    code: hit.outcome === "error" ? toSubjectText(hit.errorCode, 40) || "error" : "",
    cross: id.crossAccount ? `cross-account ${toSubjectText(id.accountId, 12)}`.trim() : "",
  };
  for (const [slot, min] of SHRINK) {
    const over = compose(group, hit, lead, slots).length - SUBJECT_MAX;
    if (over <= 0) break;
    const value = slots[slot];
    const target = value.length - over;
    if (value === "" || (!KEPT.has(slot) && target < min)) slots[slot] = "";
    else slots[slot] = toSubjectText(value, Math.max(target, min));
  }
  return toSubjectText(compose(group, hit, lead, slots), SUBJECT_MAX) || lead;
}

function outcomeText(hit: SecretAccess): string {
  const value = isBatchRead(hit) ? "the secret values were" : "the secret value was";
  if (hit.outcome === "success") return `SUCCESS - ${value} returned to the caller`;
  if (hit.outcome === "denied") return `DENIED - access was refused; ${value} not returned`;
  if (hit.outcome === "error") return `ERROR - the call failed; ${value} not returned`;
  return text(hit.outcome);
}

const yesNo = (value: boolean | null) => (value === null ? NOT_RECORDED : value ? "yes" : "no");

/** `5m 12s after the call`; null when the lag is not known (replayed archives). */
function duration(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds)) return null;
  const s = Math.round(Math.abs(seconds));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const parts = [h && `${h}h`, (h || m) && `${m}m`, `${s % 60}s`].filter(Boolean).join(" ");
  return seconds < 0 ? `${parts} BEFORE the call (clock skew?)` : `${parts} after the call`;
}

/** The numbers behind a reason, where the hits have them. */
function reasonDetail(code: ReasonCode, group: AlertGroup, gv: GroupVerdict): string | null {
  const hits = carrying(group, code);
  if (code === "rapid-retrieval" && gv.rapid) {
    return `${plural(gv.rapid.secrets.length, "secret")} from ${text(gv.rapid.from, 64)} to ${text(gv.rapid.to, 64)}`;
  }
  if (code === "cross-account") return distinct(hits, (h) => h.identity.accountId && `account ${h.identity.accountId}`);
  if (code === "denied" || code === "error") return distinct(hits, (h) => h.errorCode);
  if (code === "public-ip" || code === "role-session-from-internet") return distinct(hits, (h) => h.source.ip);
  if (code === "aws-service") return distinct(hits, (h) => h.identity.invokedBy);
  return null;
}

/** `HIGH - the reason in words (its numbers)`, with how an expected-reader rule lowered it. */
function reasonText(r: GroupReason, group: AlertGroup, gv: GroupVerdict): string {
  const detail = reasonDetail(r.code, group, gv);
  const lowered =
    r.lowered === 0
      ? ""
      : r.lowered === r.hits
        ? " - lowered by the expected-reader rule"
        : ` - lowered in ${r.lowered} of ${plural(r.hits, "event")} by the expected-reader rule`;
  return `${severityLabel(r.severity)} - ${REASONS[r.code].text}${detail ? ` (${detail})` : ""}${lowered}`;
}

/** `yes`, `no`, or `yes for 2 of 5 events`. */
function share(n: number, of: number, yes: string, no: string): string {
  return n === 0 ? no : n === of ? yes : `${yes} (for ${n} of ${plural(of, "event")})`;
}

/** VERDICT: the severity, each reason in words, whether the reader is expected, the policy's flags. */
function verdictRows(group: AlertGroup, gv: GroupVerdict): Row[] {
  const rules = gv.rules.map((r) => `rule ${text(r.id, 128)}${r.note ? ` - ${text(r.note, 256)}` : ""}`).join("; ");
  const lowered = gv.reasons.filter((r) => r.lowered > 0).map((r) => r.code);
  const actor = group.hits[0]?.verdict.actor;
  return [
    ["Severity", isSeverity(group.severity) ? severityLabel(group.severity) : text(group.severity, 32)],
    ...gv.reasons.map((r): Row => ["Reason", reasonText(r, group, gv)]),
    [
      "Expected",
      share(gv.expected, group.count, `yes - ${rules}`, "no - no expected-reader rule of the policy matches this read"),
    ],
    ["Lowered", lowered.length > 0 && `${lowered.join(", ")} - counted as info because of the rule`],
    ["Decoy", share(gv.decoy, group.count, "YES - the policy lists this secret as a decoy", "no")],
    ["Sensitive", share(gv.sensitive, group.count, "yes - the policy lists this secret as sensitive", "no")],
    ["Repeats", gv.repeats > 0 && `${gv.repeats} of ${plural(group.count, "event")} repeat an alert already sent`],
    ["Actor", actor && `${text(actor, 256)} (first reads and rapid retrieval are counted per actor)`],
  ];
}

/** The distinct secrets of a group's reads, sorted. */
function secretsOf(group: AlertGroup): string[] {
  return [...new Set(group.hits.map((h) => h.secretId ?? h.requestedSecretId ?? ""))].filter(Boolean).sort();
}

/** Names listed in one alert of a `many` group; the rest are counted (every event is still listed below). */
const MANY_LISTED = 100;

/** SECRETS: for one actor's high or critical reads of many secrets, every secret (up to MANY_LISTED). */
function manyLines(group: AlertGroup): string[] {
  if (group.kind !== "many") return [];
  const secrets = secretsOf(group);
  const more = secrets.length - MANY_LISTED;
  return [
    ...section("Secrets", [
      [
        "Secrets",
        `${plural(secrets.length, "different secret")} in this one alert, so that a probe of many names does not send an email each`,
      ],
    ]),
    ...secrets.slice(0, MANY_LISTED).map((s) => line("Secret", text(s, 256))),
    ...(more > 0 ? [line("More", `${plural(more, "other secret")}: see the events below`)] : []),
  ];
}

/** RAPID RETRIEVAL: the window and every secret it counts, one per line. */
function rapidLines(gv: GroupVerdict): string[] {
  if (!gv.rapid) return [];
  const n = gv.rapid.secrets.length;
  return [
    ...section("Rapid retrieval", [
      ["Window", `${text(gv.rapid.from, 64)} to ${text(gv.rapid.to, 64)}`],
      ["Secrets", `${plural(n, "different secret")} read by this actor in that window`],
    ]),
    ...gv.rapid.secrets.map((s) => line("Secret", text(s, 256))),
  ];
}

/** WHAT: the secret (or the batch), the outcome, how many times and when. */
function whatRows(group: AlertGroup, hit: SecretAccess, gv: GroupVerdict): Row[] {
  const batch = isBatchRead(hit) ? hit.batch : undefined;
  const ids = batch?.secretIdList ?? [];
  const reasons = batch?.broadReasons?.slice(0, 5).join("; ");
  const rapid = gv.rapid && group.kind === "rapid" ? gv.rapid.secrets.length : null;
  const many = group.kind === "many" ? secretsOf(group).length : null;
  const secret =
    many !== null
      ? `${plural(many, "different secret")} - listed under "Secrets"`
      : rapid !== null
        ? `${plural(rapid, "different secret")} - listed under "Rapid retrieval"`
        : batch === undefined
          ? text(hit.secretId ?? hit.requestedSecretId)
          : "several - a BatchGetSecretValue call";
  const count =
    group.kind === "batch" && group.count > 1
      ? `${plural(group.count, "identical call")} within one second`
      : plural(group.count, "event");
  return [
    ["Secret", secret],
    ["Secret ARN", rapid === null && many === null && batch === undefined && distinct(group.hits, (h) => h.secretArn)],
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
    ["Count", count],
    ["First / last", group.count > 1 && `${text(group.firstTime, 64)} / ${text(group.lastTime, 64)}`],
  ];
}

/** The role (or other issuer) a session was issued by, with its type. */
function issuer(h: SecretAccess): string | null {
  const name = h.identity.sessionIssuerArn ?? h.identity.sessionIssuerName;
  return name && `${name}${h.identity.sessionIssuerType ? ` (${h.identity.sessionIssuerType})` : ""}`;
}

/** The client's name, version and detail, as one value. */
function clientText(h: SecretAccess): string {
  return [h.client.name, h.client.version, h.client.detail && `(${h.client.detail})`].filter(Boolean).join(" ");
}

/** The VPC endpoint a call came through, with its account. */
function vpce(h: SecretAccess): string | null {
  return h.source.vpcEndpointId && `${h.source.vpcEndpointId} (in account ${h.source.vpcEndpointAccountId ?? "?"})`;
}

/** The ID as requested, when it is neither the secret's key nor its ARN. */
function requested(h: SecretAccess): string | null {
  return h.requestedSecretId !== h.secretId && h.requestedSecretId !== h.secretArn ? h.requestedSecretId : null;
}

/** WHO: the principal, its role and session, account, MFA, console, calling service. */
function whoRows(group: AlertGroup, hit: SecretAccess): Row[] {
  const id = hit.identity;
  const hits = group.hits;
  const kind = identityTypeName(hit.identityType);
  const type = kind ? `${kind} (${text(hit.identityType, 64)})` : `type ${text(hit.identityType, 64)}`;
  const owner = hit.recipientAccountId ? `; the secret is in account ${text(hit.recipientAccountId, 64)}` : "";
  return [
    ["Principal", `${text(id.label, 256)} - ${type}`],
    ["User / role", id.userName !== id.label && distinct(hits, (h) => h.identity.userName)],
    ["Session", distinct(hits, (h) => h.identity.roleSessionName)],
    ["Issued by", distinct(hits, issuer)],
    ["Account", id.crossAccount ? `${text(id.accountId, 64)} - ANOTHER AWS ACCOUNT${owner}` : text(id.accountId, 64)],
    ["MFA", distinct(hits, (h) => yesNo(h.identity.mfaAuthenticated))],
    ["Console", distinct(hits, (h) => yesNo(h.identity.consoleSession))],
    ["Invoked by", distinct(hits, (h) => h.identity.invokedBy)],
    ["Source identity", distinct(hits, (h) => h.identity.sourceIdentity)],
    ["Access key", distinct(hits, (h) => h.identity.accessKeyId)],
  ];
}

/**
 * Lines describing the whole group: the same in every part, so made once per group (groups are
 * not changed once made). The planner writes one group at a time: the last group's lines are
 * kept with the group itself (one group stays referenced until the next is written). Not a
 * WeakRef: V8 keeps a WeakRef's target until the current job ends, and a caller that never
 * yields to the event loop (a benchmark loop, a long backtest) would keep every group it ever
 * planned; nor a WeakMap, which each garbage collection walks whole.
 */
let lastDetails: {
  group: AlertGroup;
  hits: readonly SecretAccess[];
  count: number;
  text: string;
} | null = null;

/** The lines of {@link details}, joined (with `\n`, none at either end). */
function details(group: AlertGroup, hit: SecretAccess): string {
  const cached = lastDetails;
  if (cached !== null && cached.group === group && cached.hits === group.hits && cached.count === group.hits.length) {
    return cached.text;
  }
  const hits = group.hits;
  const gv = groupVerdict(group);
  const lags = hits.map((h) => h.deliveryLagSeconds ?? Number.NaN).filter(Number.isFinite);
  const lag = lags.length > 0 ? lags.reduce((a, b) => Math.max(a, b)) : null;
  const lines = section("Verdict", verdictRows(group, gv));
  lines.push("", "What to do");
  const steps = nextSteps(group);
  for (let i = 0; i < steps.length; i++) lines.push(`  ${i + 1}. ${steps[i]}`);
  lines.push(...rapidLines(gv), ...manyLines(group));
  section("What", whatRows(group, hit, gv), lines);
  section("Who", whoRows(group, hit), lines);
  section(
    "From where",
    [
      ["Source", distinct(hits, (h) => origin(h)[1]) ?? NOT_RECORDED],
      ["VPC endpoint", distinct(hits, vpce)],
      ["Region", distinct(hits, (h) => h.region) ?? NOT_RECORDED],
    ],
    lines,
  );
  section("How", [["Client", distinct(hits, clientText) ?? NOT_RECORDED]], lines);
  section(
    "When",
    [
      group.count > 1
        ? ["Event times", `first ${text(group.firstTime, 64)}, last ${text(group.lastTime, 64)}`]
        : ["Event time", text(group.firstTime, 64)],
      ["Delivery lag", duration(lag)],
    ],
    lines,
  );
  section(
    "Raw identifiers",
    [
      ["Principal ARN", text(hit.principalArn ?? hit.identity.principalArn)],
      ["Principal ID", distinct(hits, (h) => h.identity.principalId)],
      ["Requested ID", distinct(hits, requested)],
      ["User agent", distinct(hits, (h) => h.userAgent ?? h.client.raw) ?? NOT_RECORDED],
    ],
    lines,
  );
  const joined = lines.join("\n");
  lastDetails = { group, hits, count: hits.length, text: joined };
  return joined;
}

/**
 * The body up to the event list: the verdict (severity, reasons, expected reader, the policy's
 * flags), what to do, the secrets of a rapid retrieval, then WHAT, WHO, FROM WHERE, HOW, WHEN
 * and the raw identifiers. {@link formatBody} adds one {@link formatEventEntry} per event.
 */
export function formatBodyHeader(group: AlertGroup, ctx: AlertContext, part?: BodyPart): string {
  const hit = group.hits[0];
  const title = `Secret access alert - ${text(subjectPrefix(ctx), 64)}`;
  if (!hit) return `${title}\n\nNo events.`;
  const listed = part?.hits.length ?? group.count;
  const range = part && `events ${part.offset + 1}-${part.offset + listed} of ${group.count}`;
  const partLine = part ? `\nPart ${part.index} of ${part.total}: ${range}; the other parts list the rest.` : "";
  const events = line(
    "Events",
    `${listed}${part ? ` of ${group.count}` : ""} (event ID, time, request ID, console link)`,
  );
  return `${title}${partLine}\n${details(group, hit)}\n${events}`;
}

/**
 * One event of the list: its IDs and time, then its CloudTrail console link. `plainId`: the
 * caller found the event ID to be letters, digits and `-` only, at most 64 (shown as it is).
 */
export function formatEventEntry(hit: SecretAccess, plainId = false): string {
  const id = plainId ? hit.eventID : hit.eventID ? text(hit.eventID, 160) : "(no event ID recorded)";
  const head = `    - event ${id} at ${text(hit.eventTime, 64)}, request ${text(hit.requestID, 160)}`;
  const lines = [head];
  if (hit.consoleUrl) lines.push(`      Console: ${text(hit.consoleUrl, 400)}`);
  // Record quirks (no event ID, an odd event time) a person should know of.
  if (hit.notes?.length) lines.push(`      Notes: ${text(hit.notes.join("; "), 512)}`);
  return lines.join("\n");
}

/**
 * The plain-text email body: the verdict and what to do, the details, then every event of the
 * group (or of `part`, when a big group is split over several messages).
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Message)
 */
export function formatBody(group: AlertGroup, ctx: AlertContext, part?: BodyPart): string {
  const hits = part?.hits ?? group.hits;
  return [formatBodyHeader(group, ctx, part), ...hits.map((hit) => formatEventEntry(hit))].join("\n");
}

/**
 * Message attributes for SNS subscription filter policies: `eventName`, `outcome`, `secret`
 * and `identityType`, each printable ASCII of at most 256 characters (the planner adds `kind`,
 * `severity` and `reasons`). A value that is empty or unknown is left out: SNS rejects a
 * `String` attribute with an empty value. A rapid retrieval names no one `secret`.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export function messageAttributes(group: AlertGroup): StringAttributes {
  const hit = group.hits[0];
  const attributes: StringAttributes = {};
  const secret = group.kind === "rapid" || group.kind === "many" ? null : hit?.secretId;
  const values = [hit?.eventName, hit?.outcome, secret, hit?.identityType];
  for (const [i, name] of ["eventName", "outcome", "secret", "identityType"].entries()) {
    const value = values[i];
    const StringValue = toSubjectText(value, ATTRIBUTE_VALUE_MAX);
    if (StringValue) attributes[name] = { DataType: "String", StringValue };
  }
  return attributes;
}
