/**
 * `lookup --principal`: which LookupEvents attribute finds a principal's events, and which of
 * the returned events are really that principal's. LookupEvents takes one attribute per
 * request; `Username` matches an IAM user's friendly name or an assumed role's session name
 * (not the role name), in every account the Region's event history holds, so an ARN is
 * looked up by that name and the events are then kept only when their `userIdentity` is the
 * ARN's principal. An access key id is unique and needs no filter.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupAttribute.html
 * @see https://repost.aws/knowledge-center/view-iam-history (User name: "the IAM user's friendly name or the assumed role session name")
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
import { type CloudTrailRecord, identityOf } from "@secretwatch/core";
import { UserError } from "../errors.js";
import type { LookupAttribute } from "./history.js";

export type PrincipalKind = "access-key" | "iam-user" | "assumed-role" | "root" | "name";

export interface PrincipalLookup {
  kind: PrincipalKind;
  /** The one attribute to look up. */
  attribute: LookupAttribute;
  /** Keeps a record of this principal; null when every record the attribute finds is kept. */
  filter: ((record: CloudTrailRecord) => boolean) | null;
  /** What the filter keeps, in words; null without a filter. */
  filterText: string | null;
  /** A caveat for the summary (a bare name matches many principals; root is unconfirmed). */
  note: string | null;
}

const PARTITION = "aws(?:-[a-z]+)*";
const ACCOUNT = "\\d{12}";
/** IAM user, role and session names. */
const NAME = "[\\w+=,.@-]{1,64}";
/** An IAM path (`/division/`): printable ASCII. */
const PATH = "(?:[\\x21-\\x7e]*/)?";

const ACCESS_KEY_ID = /^(?:AKIA|ASIA)[A-Z0-9]{16}$/;
const ACCESS_KEY_LIKE = /^(?:AKIA|ASIA)[A-Z0-9]*$/;
const IAM_USER_ARN = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):user/${PATH}(${NAME})$`);
const ROLE_ARN = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):role/${PATH}(${NAME})$`);
const SESSION_ARN = new RegExp(`^arn:(${PARTITION}):sts::(${ACCOUNT}):assumed-role/(${NAME})/(${NAME})$`);
const ROOT_ARN = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):root$`);
const BARE_NAME = new RegExp(`^${NAME}$`);

/** What `--principal` takes and how each form is looked up: the help text's body. */
export const PRINCIPAL_HELP = `
--principal <arn|name|access-key-id>: every event of one principal in the window (not only
secret reads), oldest first. LookupEvents takes one lookup attribute per request, and its
Username is an IAM user's name or a role session's name in any account, so an ARN is looked
up by that name and the events are then kept only when userIdentity is that principal:
  AKIA.../ASIA... (20 characters)    AccessKeyId, every event kept
  arn:aws:iam::<acct>:user/<name>    Username <name>, kept where userIdentity.arn is the ARN
  arn:aws:sts::<acct>:assumed-role/<role>/<session>
                                     Username <session>, kept where userIdentity.arn is the
                                     ARN (without an ARN: that session of that role)
  arn:aws:iam::<acct>:root           Username root (what event history shows for root; not
                                     confirmed by AWS documentation)
  <name>                             Username <name>, every user and session of that name
An IAM role ARN (arn:aws:iam::<acct>:role/<name>) is refused: event history cannot look up
"any session of this role"; pass the session ARN from the alert, or its access key id.
--format text: time, Region, event source, event name, outcome and error code, source IP,
and the secret and severity of secret reads, every record string sanitised. json: one object
per event of AWS-set fields (no request parameters), escaped to printable ASCII.`;

/** A role ARN names every session of the role; LookupEvents can only find one session name. */
function roleArnError(arn: string, match: RegExpExecArray): UserError {
  const [, partition, account, role] = match;
  return new UserError(
    `--principal ${arn} is an IAM role: event history has no lookup for "any session of this role" (Username is the ` +
      `session name); pass the session ARN from the alert (arn:${partition}:sts::${account}:assumed-role/${role}/<session>) ` +
      "or the session's access key id (ASIA...)",
  );
}

function iamUser(arn: string, match: RegExpExecArray): PrincipalLookup {
  const name = match[3] ?? "";
  return {
    kind: "iam-user",
    attribute: { key: "Username", value: name },
    filter: (record) => identityOf(record).principalArn === arn,
    filterText: `userIdentity.arn is ${arn}`,
    note: null,
  };
}

function roleSession(arn: string, match: RegExpExecArray): PrincipalLookup {
  const [, partition, account, role, session] = match;
  /** The session issuer is this role (any path) in this partition and account. */
  const isThisRole = (issuerArn: string | null) => {
    const issuer = issuerArn === null ? null : ROLE_ARN.exec(issuerArn);
    return issuer !== null && issuer[1] === partition && issuer[2] === account && issuer[3] === role;
  };
  return {
    kind: "assumed-role",
    attribute: { key: "Username", value: session ?? "" },
    filter: (record) => {
      const id = identityOf(record);
      if (id.principalArn !== null) return id.principalArn === arn;
      return id.type === "AssumedRole" && id.roleSessionName === session && isThisRole(id.sessionIssuerArn);
    },
    filterText: `userIdentity.arn is ${arn} (or, without one, the session ${session} of role ${role} in ${account})`,
    note: null,
  };
}

function root(arn: string, match: RegExpExecArray): PrincipalLookup {
  const account = match[2];
  return {
    kind: "root",
    attribute: { key: "Username", value: "root" },
    filter: (record) => {
      const id = identityOf(record);
      return id.principalArn === null ? id.type === "Root" && id.accountId === account : id.principalArn === arn;
    },
    filterText: `userIdentity.arn is ${arn}`,
    note:
      'the root user is looked up as Username "root", what event history shows as its User name (not confirmed by AWS ' +
      "documentation): if nothing turns up, pass the access key id of the alert",
  };
}

/**
 * How to look up `input`: an access key id, an IAM user, role session or root ARN, or a bare
 * name. Throws a {@link UserError} for a role ARN (see {@link roleArnError}), another kind of ARN,
 * or text that is none of these.
 */
export function parsePrincipal(input: string): PrincipalLookup {
  const text = input.trim();
  if (ACCESS_KEY_ID.test(text)) {
    return {
      kind: "access-key",
      attribute: { key: "AccessKeyId", value: text },
      filter: null,
      filterText: null,
      note: null,
    };
  }
  if (text.startsWith("arn:")) {
    const user = IAM_USER_ARN.exec(text);
    if (user) return iamUser(text, user);
    const session = SESSION_ARN.exec(text);
    if (session) return roleSession(text, session);
    const rootArn = ROOT_ARN.exec(text);
    if (rootArn) return root(text, rootArn);
    const role = ROLE_ARN.exec(text);
    if (role) throw roleArnError(text, role);
    throw new UserError(
      `--principal ${JSON.stringify(text)}: not an ARN event history can look up; pass an IAM user, role session or root ARN, ` +
        "an access key id, or the name shown as User name in event history",
    );
  }
  if (ACCESS_KEY_LIKE.test(text)) {
    throw new UserError(
      `--principal ${text} looks like an access key id but has ${text.length} characters (20 expected); ` +
        "to look up a user of that name, pass its ARN",
    );
  }
  if (!BARE_NAME.test(text)) {
    throw new UserError(
      `--principal ${JSON.stringify(text)}: expected an ARN, an access key id, or a user or session name ` +
        "(1 to 64 of letters, digits and + = , . @ _ -)",
    );
  }
  return {
    kind: "name",
    attribute: { key: "Username", value: text },
    filter: null,
    filterText: null,
    note:
      `"${text}" is every IAM user and every role session of that name in the event history: pass the ARN from the ` +
      "alert to keep only one principal",
  };
}
