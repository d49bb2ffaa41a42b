/**
 * Who the actor behind a read is, from fields AWS sets and the caller cannot choose: the key
 * that first-seen and rapid retrieval count by, and whether a person or a workload made the call.
 *
 * Never used here: the user agent, a role session name (chosen by whoever assumes the role),
 * `sourceIdentity` (chosen by the caller). The one exception is the session name of an IAM
 * Identity Center role (`AWSReservedSSO_*` under the `aws-reserved/sso.amazonaws.com/` path,
 * a path only IAM Identity Center can create roles in): Identity Center sets it to the user name.
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
import type { Identity } from "./types.js";

/** The role IAM Identity Center creates for a permission set (optionally under a Region segment). */
const IDENTITY_CENTER_ROLE_ARN =
  /^arn:aws[a-z-]*:iam::(\d{12}):role\/aws-reserved\/sso\.amazonaws\.com\/(?:[a-z0-9-]+\/)?AWSReservedSSO_[A-Za-z0-9+=,.@_-]+$/;

/** Text every Identity Center role ARN holds (see the pattern above). */
const SSO_ROLE_PATH = ":role/aws-reserved/sso.amazonaws.com/";

/** `arn:<partition>:iam::<account>:root` */
const ROOT_ARN = /^arn:aws[a-z-]*:iam::\d{12}:root$/;

/**
 * The Identity Center user name behind an `AWSReservedSSO_*` role session, when the role is
 * one Identity Center made (checked on the session issuer's ARN, path included); else null.
 */
export function identityCenterUser(identity: Identity): string | null {
  if (identity.type !== "AssumedRole" || identity.sessionIssuerArn === null) return null;
  // The pattern holds this text: most roles are ruled out without running it.
  if (!identity.sessionIssuerArn.includes(SSO_ROLE_PATH)) return null;
  if (!IDENTITY_CENTER_ROLE_ARN.test(identity.sessionIssuerArn)) return null;
  return identity.roleSessionName || null;
}

/** The account of an Identity Center role session (from the issuer ARN). */
function issuerAccount(identity: Identity): string | null {
  return IDENTITY_CENTER_ROLE_ARN.exec(identity.sessionIssuerArn ?? "")?.[1] ?? null;
}

/**
 * True when the root user made the call: directly, or with federated-user credentials it asked
 * for (`GetFederationToken` called with root's access key; CloudTrail names root as the
 * session issuer). Those credentials are root's to the letter: no IAM policy can limit them.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html
 */
export function isRoot(identity: Identity): boolean {
  if (identity.type === "Root" || isRootArn(identity.principalArn)) return true;
  return identity.type === "FederatedUser" && isRootArn(identity.sessionIssuerArn);
}

/** `arn:<partition>:iam::<account>:root` (the suffix checked first: most ARNs are ruled out without the pattern). */
function isRootArn(arn: string | null): boolean {
  return arn?.endsWith(":root") === true && ROOT_ARN.test(arn);
}

/**
 * What {@link actorKey}, {@link isPerson} and the policy's principal tests ask of an identity,
 * worked out once per read.
 */
export interface ActorFacts {
  /** {@link isRoot}. */
  root: boolean;
  /** {@link identityCenterUser}. */
  ssoUser: string | null;
}

/** The {@link ActorFacts} of an identity. */
export function actorFacts(identity: Identity): ActorFacts {
  return { root: isRoot(identity), ssoUser: identityCenterUser(identity) };
}

/**
 * The key first-seen and rapid retrieval count by: the role (session issuer) for role sessions,
 * the Identity Center user for its roles, the user for IAM users, `root`, the service for AWS
 * services, and for a federated user (`sts:GetFederationToken`) the IAM user that asked for it
 * (root, when root did). Never a name the caller chose: an ordinary role's session name, or the federated
 * user's name (a caller with one access key could otherwise read 19 secrets under each of many
 * names and never reach the rapid-retrieval threshold).
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
 */
export function actorKey(identity: Identity, facts: ActorFacts = actorFacts(identity)): string {
  if (facts.root) return `root:${identity.accountId ?? "?"}`;
  const ssoUser = facts.ssoUser;
  if (ssoUser !== null) return `sso-user:${issuerAccount(identity)}:${ssoUser.toLowerCase()}`;
  // A role session's role, or the IAM user that asked for a federated user's credentials.
  if ((identity.type === "AssumedRole" || identity.type === "FederatedUser") && identity.sessionIssuerArn) {
    return identity.sessionIssuerArn;
  }
  if (identity.type === "AWSService" && identity.invokedBy) return `service:${identity.invokedBy}`;
  const arn = identity.principalArn;
  if (arn !== null) return ASSUMED_ROLE_SESSION.exec(arn)?.[1] ?? arn;
  const id = identity.principalId;
  if (id !== null) return ROLE_ID_SESSION.exec(id)?.[1] ?? id;
  return identity.accessKeyId ?? `unknown:${identity.type}`;
}

/**
 * A session ARN without the session (recorded with no session issuer): `…:assumed-role/<role>`.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
const ASSUMED_ROLE_SESSION = /^(arn:[^:]+:sts::[^:]*:assumed-role\/[^/]+)\/.+$/;
/**
 * A role's unique ID before the session name (`AROA…:session`, as another account's caller is
 * recorded, type `AWSAccount`): the ID is AWS's, the session name the caller's.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
const ROLE_ID_SESSION = /^(AROA[A-Z0-9]+):.+$/;

/** Identity types that are people (see {@link isPerson}). */
const PERSON_TYPES: ReadonlySet<string> = new Set(["IAMUser", "IdentityCenterUser", "FederatedUser", "SAMLUser"]);

/**
 * A person rather than a workload: a console session, root, an IAM user (long-term access key),
 * an Identity Center user, a federated user. Decided on AWS-set fields only.
 */
export function isPerson(identity: Identity, facts: ActorFacts = actorFacts(identity)): boolean {
  if (identity.consoleSession || facts.root) return true;
  if (facts.ssoUser !== null) return true;
  return PERSON_TYPES.has(identity.type);
}
