/**
 * Who made a call, from the record's `userIdentity`. Every field may be missing or of the
 * wrong type: such fields become `null`, never an exception.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
import { isJsonObject, stringOrNull } from "./decode.js";
import type { CloudTrailRecord, Identity } from "./types.js";

/** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>` */
const ASSUMED_ROLE_ARN = /^arn:[^:]+:sts::[^:]*:assumed-role\/([^/]+)\/(.+)$/;
/** `arn:<partition>:sts::<account>:federated-user/<name>` */
const FEDERATED_USER_ARN = /^arn:[^:]+:sts::[^:]*:federated-user\/(.+)$/;
/** `arn:<partition>:iam::<account>:user/<path/><name>` */
const IAM_USER_ARN = /^arn:[^:]+:iam::[^:]*:user\/(?:.*\/)?([^/]+)$/;
/** The role IAM Identity Center creates for a permission set. */
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;
/** The path IAM Identity Center creates its roles under (no one else can). */
const IDENTITY_CENTER_PATH = /:role\/aws-reserved\/sso\.amazonaws\.com\//;

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return isJsonObject(value) ? value : {};
}

/** `true`/`"true"` → true, `false`/`"false"` → false, anything else → null. */
function flag(value: unknown): boolean | null {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return null;
}

/** The `group` capture of `pattern` in `text`, or null. */
function capture(pattern: RegExp, text: string | null, group = 1): string | null {
  if (text === null) return null;
  return pattern.exec(text)?.[group] ?? null;
}

function userNameOf(
  type: string,
  ui: Record<string, unknown>,
  arn: string | null,
  issuerName: string | null,
): string | null {
  switch (type) {
    case "Root":
      return "root";
    case "IAMUser":
      return stringOrNull(ui.userName) ?? capture(IAM_USER_ARN, arn);
    case "AssumedRole":
      return issuerName ?? capture(ASSUMED_ROLE_ARN, arn);
    case "FederatedUser":
      return capture(FEDERATED_USER_ARN, arn) ?? stringOrNull(ui.userName);
    case "AWSService":
      return stringOrNull(ui.invokedBy);
    default:
      return stringOrNull(ui.userName);
  }
}

/** The session name of an assumed role: the ARN's last segment, else after `:` in the principal ID. */
function sessionNameOf(type: string, arn: string | null, principalId: string | null): string | null {
  if (type !== "AssumedRole") return null;
  return capture(ASSUMED_ROLE_ARN, arn, 2) ?? capture(/^[^:]+:(.+)$/, principalId);
}

/** A short label: user, `role/session` (`session (SSO permission-set)`), service, id… */
function labelOf(
  identity: Pick<Identity, "type" | "userName" | "roleSessionName" | "invokedBy" | "principalId" | "sessionIssuerArn">,
  onBehalfOf: string | null,
): string {
  const { userName, roleSessionName, type } = identity;
  if (type === "AssumedRole" && roleSessionName !== null) {
    // "SSO" only for a role IAM Identity Center made (its path): a role merely named AWSReservedSSO_* is not.
    const sso = identity.sessionIssuerArn !== null && IDENTITY_CENTER_PATH.test(identity.sessionIssuerArn);
    const permissionSet = sso ? capture(IDENTITY_CENTER_ROLE, userName) : null;
    if (permissionSet !== null) return `${roleSessionName} (SSO ${permissionSet})`;
    return userName ? `${userName}/${roleSessionName}` : roleSessionName;
  }
  return userName || identity.invokedBy || identity.principalId || onBehalfOf || "unknown";
}

/**
 * Describes the principal behind `record`: IAM user, assumed role (including IAM Identity
 * Center `AWSReservedSSO_*` roles), root, federated user, AWS service, other account, or
 * `Unknown` when the record has no `userIdentity`.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export function identityOf(record: CloudTrailRecord): Identity {
  const ui = objectOrEmpty(record.userIdentity);
  const context = objectOrEmpty(ui.sessionContext);
  const issuer = objectOrEmpty(context.sessionIssuer);
  const attributes = objectOrEmpty(context.attributes);
  const type = stringOrNull(ui.type) ?? "Unknown";
  const principalArn = stringOrNull(ui.arn);
  const accountId = stringOrNull(ui.accountId);
  const recipient = stringOrNull(record.recipientAccountId);
  const principalId = stringOrNull(ui.principalId);
  const sessionIssuerName = stringOrNull(issuer.userName);
  const userName = userNameOf(type, ui, principalArn, sessionIssuerName);
  const roleSessionName = sessionNameOf(type, principalArn, principalId);
  const invokedBy = stringOrNull(ui.invokedBy);
  const sessionIssuerArn = stringOrNull(issuer.arn);
  const onBehalfOf = stringOrNull(objectOrEmpty(ui.onBehalfOf).userId);
  return {
    type,
    principalArn,
    principalId,
    accountId,
    userName,
    roleSessionName,
    sessionIssuerArn,
    sessionIssuerName,
    sessionIssuerType: stringOrNull(issuer.type),
    invokedBy,
    accessKeyId: stringOrNull(ui.accessKeyId),
    sourceIdentity: stringOrNull(context.sourceIdentity),
    mfaAuthenticated: flag(attributes.mfaAuthenticated),
    consoleSession: flag(record.sessionCredentialFromConsole) === true,
    crossAccount: accountId !== null && accountId !== "" && recipient !== null && accountId !== recipient,
    label: labelOf({ type, userName, roleSessionName, invokedBy, principalId, sessionIssuerArn }, onBehalfOf),
  };
}
