/**
 * Who writes the baseline. The state table's resource policy denies item writes to every
 * principal but the stage's functions and its baseline role (stacks/state.ts), so `baseline`
 * assumes that role (`<app>-<stage>-state-baseline` in the caller's account, or `--role-arn`)
 * and writes with its temporary credentials, renewed before they expire. Each AssumeRole is a
 * management event in the trail: every write outside the functions is tied to a logged caller.
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
import {
  AssumeRoleCommand,
  type AssumeRoleCommandOutput,
  GetCallerIdentityCommand,
  type STSClient,
} from "@aws-sdk/client-sts";
import { describeError, UserError } from "../errors.js";

export type StsSender = Pick<STSClient, "send">;

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** What a DynamoDB client takes as `credentials`. */
export type CredentialsProvider = () => Promise<TemporaryCredentials>;

export type Writer =
  /** The caller's own credentials (`--no-assume-role`, or the caller already is the role). */
  { kind: "caller"; arn: string | null } | { kind: "role"; roleArn: string; credentials: CredentialsProvider };

export const SESSION_NAME = "secretwatch-baseline";
/** Renew this long before the credentials expire. */
const RENEW_BEFORE_MS = 5 * 60_000;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** The stage's baseline role in the caller's account and partition. */
export async function stageRoleArn(sts: StsSender, roleName: string): Promise<{ roleArn: string; callerArn: string }> {
  let identity: { Account?: string; Arn?: string };
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw new UserError(`cannot tell which account this is (${describeError(error)})`, 1, { cause: error });
  }
  const callerArn = identity.Arn ?? "";
  const partition = callerArn.split(":")[1] || "aws";
  if (!identity.Account) throw new UserError("STS GetCallerIdentity returned no account", 1);
  return { roleArn: `arn:${partition}:iam::${identity.Account}:role/${roleName}`, callerArn };
}

/** Whether `callerArn` is a session of the role `roleArn` (then it writes as it is). */
export function isSessionOf(callerArn: string, roleArn: string): boolean {
  const name = ROLE_ARN.exec(roleArn)?.[1];
  const [, partition, , , account] = roleArn.split(":");
  return name !== undefined && callerArn.startsWith(`arn:${partition}:sts::${account}:assumed-role/${name}/`);
}

/** Assumes the role once now (so a missing permission stops the run before any work), then on demand. */
export async function assumeRole(sts: StsSender, roleArn: string, now: () => number): Promise<CredentialsProvider> {
  if (!ROLE_ARN.test(roleArn)) throw new UserError(`--role-arn ${JSON.stringify(roleArn)} is not an IAM role ARN`);
  const assume = async (): Promise<TemporaryCredentials> => {
    let out: AssumeRoleCommandOutput;
    try {
      out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME }));
    } catch (error) {
      throw new UserError(
        `cannot assume the baseline role ${roleArn} (${describeError(error)}): your credentials need sts:AssumeRole on it ` +
          "(is the stage deployed? else pass --role-arn, or --no-assume-role to write as yourself)",
        1,
        { cause: error },
      );
    }
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = out.Credentials ?? {};
    if (!AccessKeyId || !SecretAccessKey || !SessionToken)
      throw new UserError(`STS AssumeRole of ${roleArn} returned no credentials`, 1);
    // Without an expiry given, renew as soon as the shortest session (15 minutes) could end.
    const expiration = Expiration instanceof Date ? Expiration : new Date(now() + 15 * 60_000);
    return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration };
  };
  let current = await assume();
  return async () => {
    if (current.expiration.getTime() - RENEW_BEFORE_MS <= now()) current = await assume();
    return current;
  };
}

export interface WriterOptions {
  /** `--role-arn`, or undefined for the stage's role. */
  roleArn?: string;
  /** False with `--no-assume-role`. */
  assumeRole: boolean;
  /** The stage's baseline role name (packages/core/src/naming.ts `stateBaselineRole`). */
  roleName: string;
}

/** The writer of this run: the role, assumed, or the caller as it is. */
export async function resolveWriter(sts: StsSender, options: WriterOptions, now: () => number): Promise<Writer> {
  if (!options.assumeRole) return { kind: "caller", arn: null };
  if (options.roleArn !== undefined) {
    return { kind: "role", roleArn: options.roleArn, credentials: await assumeRole(sts, options.roleArn, now) };
  }
  const { roleArn, callerArn } = await stageRoleArn(sts, options.roleName);
  if (isSessionOf(callerArn, roleArn)) return { kind: "caller", arn: callerArn };
  return { kind: "role", roleArn, credentials: await assumeRole(sts, roleArn, now) };
}
