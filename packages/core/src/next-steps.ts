/**
 * What the verdicts of an alert's reads say, taken together, and what the reader of the alert
 * should do next: steps specific to the reasons (a decoy read is an intrusion, a rapid
 * retrieval a possible dump, a denied call an attempt), to the kind of principal (revoke a
 * role's sessions, deactivate a user's access key, secure the root user) and to the outcome
 * (rotate only what was returned). Record values in the steps are sanitised body text.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html (not for service-linked roles)
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html (federated users)
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_now.html
 */
import { identityCenterUser, isRoot } from "./actor.js";
import type { AlertGroup } from "./format.js";
import { isReasonCode, REASON_ORDER, type ReasonCode, reasonSeverity } from "./reasons.js";
import { toBodyText } from "./sanitize.js";
import { maxSeverity, type Severity, severityRank } from "./severity.js";
import type { AssessedAccess } from "./types.js";
import { plural } from "./words.js";

/** One reason of a group: the highest severity it carried, and in how many of its hits a rule lowered it. */
export interface GroupReason {
  code: ReasonCode;
  severity: Severity;
  hits: number;
  lowered: number;
}

/** The verdicts of a group's hits, taken together. */
export interface GroupVerdict {
  /** Highest severity first (the table's order among equals). */
  reasons: GroupReason[];
  /** The expected-reader rules that matched, with the number of hits each matched. */
  rules: Array<{ id: string; note: string | null; hits: number }>;
  /** Hits matched by a rule; hits of a decoy; of a sensitive secret; repeats of an emailed alert. */
  expected: number;
  decoy: number;
  sensitive: number;
  repeats: number;
  /** Every secret counted by a rapid retrieval of the group (sorted), and the widest window. */
  rapid: { secrets: string[]; from: string; to: string } | null;
}

/**
 * The group worked out last: the planner writes one group at a time and asks about it again and
 * again (subject, verdict, steps, each part). One entry, held strongly until the next group (a
 * WeakRef's target lives until the current job ends, so a caller that never yields would keep
 * every group; a WeakMap is walked whole by each garbage collection).
 */
let last: {
  group: AlertGroup;
  hits: readonly AssessedAccess[];
  count: number;
  verdict: GroupVerdict;
} | null = null;

/**
 * Every reason of the hits once, at the highest severity it has in any of them (`info` where a
 * rule lowered it), with in how many hits it stands and was lowered: highest severity first,
 * then the table's order. A group's `reasons` (plan.ts) and its alert's "Reason" lines both
 * come from here, so they always agree.
 */
export function rankedReasons(hits: readonly AssessedAccess[]): GroupReason[] {
  // A group's hits share a handful of codes: found by a scan, in the order first seen (as a Map keeps them).
  const reasons: GroupReason[] = [];
  for (const { verdict: v } of hits) {
    for (const code of v.reasons) {
      if (!isReasonCode(code)) continue;
      let r: GroupReason | undefined;
      for (const known of reasons) {
        if (known.code === code) {
          r = known;
          break;
        }
      }
      if (r === undefined) {
        r = { code, severity: "info", hits: 0, lowered: 0 };
        reasons.push(r);
      }
      const lowered = v.lowered.length > 0 && v.lowered.includes(code);
      r.severity = maxSeverity(r.severity, reasonSeverity(code, v.sensitive, lowered));
      r.hits++;
      if (lowered) r.lowered++;
    }
  }
  return reasons.sort(byRank);
}

/** Highest severity first, then the table's order: the order of {@link rankedReasons} (a total one: each code once). */
export const byRank = (a: GroupReason, b: GroupReason) =>
  severityRank(b.severity) - severityRank(a.severity) || REASON_ORDER[a.code] - REASON_ORDER[b.code];

/** The group's verdicts taken together: one pass over its hits, made once per group. */
export function groupVerdict(group: AlertGroup): GroupVerdict {
  if (last !== null && last.group === group && last.hits === group.hits && last.count === group.hits.length) {
    return last.verdict;
  }
  const rules = new Map<string, { id: string; note: string | null; hits: number }>();
  const secrets = new Set<string>();
  const verdict: GroupVerdict = {
    reasons: rankedReasons(group.hits),
    rules: [],
    expected: 0,
    decoy: 0,
    sensitive: 0,
    repeats: 0,
    rapid: null,
  };
  let [from, to] = ["", ""];
  for (const hit of group.hits) {
    const v = hit.verdict;
    if (v.expected) {
      const rule = rules.get(v.expected.id) ?? { id: v.expected.id, note: v.expected.note, hits: 0 };
      rule.hits++;
      rules.set(rule.id, rule);
      verdict.expected++;
    }
    if (v.decoy) verdict.decoy++;
    if (v.sensitive) verdict.sensitive++;
    if (v.suppressed !== null) verdict.repeats++;
    if (v.rapid) {
      for (const s of v.rapid.secrets) secrets.add(s);
      from = from === "" || v.rapid.from < from ? v.rapid.from : from;
      to = v.rapid.to > to ? v.rapid.to : to;
    }
  }
  verdict.rules = [...rules.values()];
  if (secrets.size > 0) verdict.rapid = { secrets: [...secrets].sort(), from, to };
  last = { group, hits: group.hits, count: group.hits.length, verdict };
  return verdict;
}

/** A record value inside a sentence: one sanitised line, never empty. */
const v = (value: unknown, max = 256) => toBodyText(value, max) || "(not recorded)";

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `value` as one shell word: as-is when it only holds safe characters, else single-quoted. */
export function shellArg(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The distinct non-empty values of `pick` over the hits, sanitised, `a, b, c (+2 more)`. */
function values(hits: readonly AssessedAccess[], pick: (hit: AssessedAccess) => string | null): string {
  const all = [...new Set(hits.map(pick).filter((x) => x))];
  const shown = all.slice(0, 3).map((x) => v(x, 128));
  return all.length > 3 ? `${shown.join(", ")} (+${all.length - 3} more)` : shown.join(", ");
}

/** How to cut the principal's access off, by the kind of principal (root: see its own step). */
function containment(hit: AssessedAccess): string | null {
  const id = hit.identity;
  if (isRoot(id)) return null;
  if (id.type === "AWSService" || id.invokedBy) {
    return `find the resource of yours that has ${v(id.invokedBy ?? id.label)} read the secret, and who changed it lately; an AWS service's access cannot be revoked, only the resource's`;
  }
  const user = identityCenterUser(id);
  if (user !== null) {
    return `disable the IAM Identity Center user ${v(user)} (or remove its permission set assignment) in IAM Identity Center and end its active sessions there; the role ${v(id.sessionIssuerArn)} is managed by Identity Center`;
  }
  if (id.type === "AssumedRole" && id.sessionIssuerArn?.includes(":role/aws-service-role/")) {
    return `find the AWS service resource that uses the service-linked role ${v(id.sessionIssuerArn)}: its sessions cannot be revoked`;
  }
  if (id.type === "AssumedRole") {
    const role = id.sessionIssuerName ?? id.userName;
    return `revoke the role's active sessions: IAM console > Roles > ${v(role)} > Revoke sessions > Revoke active sessions (role ${v(id.sessionIssuerArn)}); every session issued before then stops working`;
  }
  if (id.type === "IAMUser") {
    const user = v(id.userName);
    if (id.accessKeyId?.startsWith("AKIA")) {
      const key = v(id.accessKeyId, 64);
      return `deactivate the access key ${key} of IAM user ${user}: aws iam update-access-key --user-name ${shellArg(user)} --access-key-id ${shellArg(key)} --status Inactive`;
    }
    return `deactivate the access keys of IAM user ${user} (IAM console > Users > ${user} > Security credentials) and reset its console password; this call used temporary credentials ${v(id.accessKeyId, 64)} issued to that user`;
  }
  if (id.type === "FederatedUser" && id.sessionIssuerArn) {
    // GetFederationToken credentials cannot be revoked; they can do only what the user that asked for them may do
    // (root's own: see isRoot and the root step).
    const user = v(id.sessionIssuerName ?? id.sessionIssuerArn);
    return `stop the federated user's credentials: attach a policy that denies everything to IAM user ${user}, which asked for them (GetFederationToken credentials cannot be revoked, and can do only what that user may), and deactivate that user's access keys so it can ask for no more (IAM console > Users > ${user})`;
  }
  return `find the credentials behind ${v(hit.principalArn ?? id.principalArn ?? id.label)} and deactivate or revoke them`;
}

/** What to rotate, or why nothing needs rotating. */
function rotation(group: AlertGroup, gv: GroupVerdict, secret: string): string | null {
  if (!group.hits.some((h) => h.outcome === "success")) return null;
  if (gv.rapid) return `rotate all ${plural(gv.rapid.secrets.length, "secret")} listed under "Rapid retrieval"`;
  if (group.kind === "batch") {
    return "rotate every secret the batch returned (each one is also logged, and alerted, as its own GetSecretValue read)";
  }
  return `rotate ${secret} (Secrets Manager console > the secret > Rotate secret immediately, or store a new value if it has no rotation) and update its readers`;
}

/** `secretwatch lookup --principal <arn>`, or what to search CloudTrail for when no ARN was recorded. */
function lookup(hit: AssessedAccess): string {
  const id = hit.identity;
  const arn = hit.principalArn ?? id.principalArn;
  if (arn) return `secretwatch lookup --principal ${shellArg(v(arn, 512))}`;
  const known: Array<[string, string | null]> = [
    ["the AWS service", id.invokedBy],
    ["access key", id.accessKeyId],
    ["principal ID", id.principalId],
  ];
  const search = known.flatMap(([what, value]) => (value ? [`${what} ${v(value, 128)}`] : [])).join(" or ");
  return search
    ? `no principal ARN was recorded, so search CloudTrail for ${search}.`
    : "no principal ARN or other identifier was recorded; look the events below up in CloudTrail.";
}

/** Adds the step when `when` holds (made only then: some steps look at every hit). */
function add(steps: string[], when: boolean, step: () => string): void {
  if (when) steps.push(step());
}

/** The addresses the group's calls came from, `a, b, c (+2 more)`. */
function addresses(group: AlertGroup, code: ReasonCode): string {
  return values(carrying(group, code), (h) => h.source.ip ?? h.source.raw) || "(not recorded)";
}

/**
 * The group's reads that have `code` among their reasons, so a reason's details name only its
 * own reads (the addresses a role was used from on the internet, not the group's private ones);
 * all the group's reads when none has it (a verdict made without it).
 */
export function carrying(group: AlertGroup, code: ReasonCode): readonly AssessedAccess[] {
  const own = group.hits.filter((h) => h.verdict.reasons.includes(code));
  return own.length > 0 ? own : group.hits;
}

/**
 * The steps for the person who reads the alert, most urgent first: the reasons' own steps
 * (intrusion, root, dump, attempt…), confirming the read with whoever can, cutting the
 * principal off and rotating what was returned if nobody expected it, and always a look at
 * the principal's other activity with `secretwatch lookup --principal <arn>`.
 */
export function nextSteps(group: AlertGroup): string[] {
  const hit = group.hits[0];
  if (!hit) return [];
  const gv = groupVerdict(group);
  const codes = new Set(gv.reasons.map((r) => r.code));
  const who = v(hit.identity.label);
  const secret =
    group.kind === "batch"
      ? "the secrets the batch returned"
      : gv.rapid
        ? `the ${plural(gv.rapid.secrets.length, "secret")} listed under "Rapid retrieval"`
        : v(hit.secretId ?? hit.requestedSecretId);
  const steps: string[] = [];

  add(
    steps,
    codes.has("decoy"),
    () =>
      `Treat this as an intrusion: ${secret} is a decoy that nobody has a reason to read, so whoever holds the credentials of ${who} is looking around. Start your incident response now.`,
  );
  add(
    steps,
    codes.has("root"),
    () =>
      "Secure the root user now: sign in as root, change its password, check that its MFA device is yours, delete any root access keys, and find out who holds the root credentials.",
  );
  add(
    steps,
    codes.has("catch-all-batch"),
    () => "Treat this as a dump of every secret value: the batch call's filters match every secret in the Region.",
  );
  add(
    steps,
    gv.rapid !== null || codes.has("rapid-retrieval"),
    () =>
      `The principal may be dumping secrets: it read ${plural(gv.rapid?.secrets.length ?? 0, "different secret")} within minutes (listed under "Rapid retrieval").`,
  );
  add(
    steps,
    codes.has("unreadable-record"),
    () =>
      `Open the event in CloudTrail event history (event ID ${values(group.hits, (h) => h.eventID) || "not recorded"}): secretwatch could not read the record, so who read ${secret} and from where is shown only as recorded, unchecked. Report the fault to the secretwatch maintainers with the record.`,
  );
  add(steps, codes.has("sensitive"), () => `Handle this alert first: the policy marks ${secret} as sensitive.`);
  const lowered = gv.reasons.some((r) => r.lowered > 0) ? '; the rule lowered the reasons marked "lowered" above' : "";
  for (const rule of gv.rules) {
    const note = rule.note ? ` ("${v(rule.note)}")` : "";
    steps.push(
      `Confirm with the owner of the policy rule ${v(rule.id, 128)}${note} that ${who} is still the reader it describes${lowered}.`,
    );
  }
  add(
    steps,
    gv.rules.length === 0 && !codes.has("decoy"),
    () => `Confirm with the secret's owner that ${who} is meant to read ${secret}.`,
  );
  add(
    steps,
    codes.has("console-session"),
    () =>
      `Ask the person: ${who} read the secret value in an AWS console session. Was it them, and why did they need the value?`,
  );
  add(
    steps,
    codes.has("public-ip"),
    () =>
      `Ask the person behind ${who} whether the call from ${addresses(group, "public-ip")} was theirs; if not, their credentials are in someone else's hands.`,
  );
  add(
    steps,
    codes.has("role-session-from-internet"),
    () =>
      `Check whether ${addresses(group, "role-session-from-internet")} is one of your own addresses (an office, a CI runner, a partner): the role's credentials were used from there, not from inside AWS. If it is not yours, treat them as stolen.`,
  );
  add(steps, codes.has("foreign-vpc-endpoint"), () => {
    const through = carrying(group, "foreign-vpc-endpoint");
    return `Find out whose VPC endpoint ${values(through, (h) => h.source.vpcEndpointId)} is (account ${values(through, (h) => h.source.vpcEndpointAccountId)}): the credentials were used through that account's network, not yours. If it is your own network account (a shared VPC), list its ID under "networks" in the detection policy; if not, treat the credentials as stolen.`;
  });
  add(
    steps,
    codes.has("cross-account"),
    () =>
      `Find out who owns account ${values(group.hits, (h) => h.identity.accountId) || "(not recorded)"} and why it may read the secret: check the secret's resource policy (aws secretsmanager get-resource-policy) and the policy of its KMS key.`,
  );
  add(
    steps,
    codes.has("denied"),
    () =>
      `Find out who tried: ${who} was refused. Check the principal's permissions (its IAM policies and the secret's resource policy): a workload that is refused is usually misconfigured; a principal with no business near this secret may be probing. The value was not returned, so there is nothing to rotate.`,
  );
  add(
    steps,
    codes.has("error"),
    () =>
      `Look at the error (${values(group.hits, (h) => h.errorCode) || "no error code recorded"}): a failing reader is usually misconfigured (a KMS key it may not use, a secret that no longer exists); many failures for many names can be someone guessing.`,
  );
  add(
    steps,
    codes.has("broad-batch"),
    () =>
      "Check the batch's filters: a batch by filter returns every secret that matches, so it reads more than any one secret's name shows.",
  );
  add(
    steps,
    gv.rules.length === 0 && !codes.has("decoy") && (codes.has("first-seen") || codes.has("state-unavailable")),
    () =>
      "If this reader is expected, add an expected-reader rule for it (principal, secret and source) to the detection policy, so its next reads are not reported as new.",
  );
  add(
    steps,
    codes.has("state-unavailable"),
    () =>
      "Check the enricher's logs: the read history could not be read, so every read is reported as a first read until it can.",
  );
  add(
    steps,
    codes.has("policy-unavailable"),
    () =>
      "Fix the detection policy: it could not be loaded (the enricher's logs say why), so every read is reported until a valid policy is deployed.",
  );
  add(
    steps,
    codes.has("aws-service"),
    () =>
      `Check which of your resources makes ${values(group.hits, (h) => h.identity.invokedBy) || "the AWS service"} read this secret; if that is expected, add an expected-reader rule for the service.`,
  );
  add(steps, codes.has("plain-read"), () => "Nothing unusual was found: act only if you do not know this reader.");
  add(
    steps,
    codes.has("expected") && gv.expected === group.hits.length,
    () => "Nothing else to do if the rule's owner confirms the read: the policy expects this reader.",
  );

  const lead =
    codes.has("decoy") || codes.has("root")
      ? "Now"
      : gv.expected === group.hits.length
        ? "If the rule's owner does not recognise this read"
        : "If nobody expected this read";
  const cutOff = containment(hit);
  const rotate = codes.has("decoy") ? null : rotation(group, gv, secret);
  add(steps, cutOff !== null, () => `${lead}: ${cutOff}.`);
  add(steps, rotate !== null, () => `${lead}: ${rotate}.`);
  steps.push(`Look at the principal's other activity: ${lookup(hit)}`);
  return steps;
}
