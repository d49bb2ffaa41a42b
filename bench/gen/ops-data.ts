/** Noise calls on data, key and identity services: S3, DynamoDB, KMS, SQS, RDS, STS, IAM, CloudWatch. */
import { UPPER_DIGITS } from "../lib/prng.js";
import type { Op } from "./ops-infra.js";
import type { CallContext, CallSpec } from "./record.js";

function s3Bucket(ctx: CallContext, name: string, param: string, error?: CallSpec["error"]): CallSpec {
  const bucket = ctx.rng.pick(ctx.account.buckets);
  return {
    service: "s3",
    name,
    readOnly: true,
    host: `${bucket}.s3.${ctx.region}.amazonaws.com`,
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${ctx.region}.amazonaws.com`, [param]: "" },
    additionalEventData: {
      SignatureVersion: "SigV4",
      CipherSuite: "TLS_AES_128_GCM_SHA256",
      bytesTransferredIn: 0,
      AuthenticationMethod: "AuthHeader",
      "x-amz-id-2": ctx.rng.chars(76, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
      bytesTransferredOut: ctx.rng.int(100, 2000),
    },
    resources: [{ accountId: ctx.account.id, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }],
    ...(error && { error }),
  };
}

function table(ctx: CallContext, name: string): CallSpec {
  const tableName = ctx.rng.pick(ctx.account.tables);
  return {
    service: "dynamodb",
    name,
    readOnly: true,
    requestParameters: { tableName },
    resources: [
      {
        accountId: ctx.account.id,
        type: "AWS::DynamoDB::Table",
        ARN: `arn:aws:dynamodb:${ctx.region}:${ctx.account.id}:table/${tableName}`,
      },
    ],
  };
}

function keyArn(ctx: CallContext): string {
  return `arn:aws:kms:${ctx.region}:${ctx.account.id}:key/${ctx.rng.pick(ctx.account.keyIds)}`;
}

function kms(ctx: CallContext, name: string, params: Record<string, unknown>): CallSpec {
  const arn = keyArn(ctx);
  return {
    service: "kms",
    name,
    readOnly: true,
    requestParameters: { ...(params as Record<string, string>), ...(name === "DescribeKey" && { keyId: arn }) },
    resources: [{ accountId: ctx.account.id, type: "AWS::KMS::Key", ARN: arn }],
  };
}

/** The role a service assumes: a workload role of the same account. */
function assumedRole(ctx: CallContext): { arn: string; name: string; session: string } {
  const roles = ctx.account.principals.filter((p) => p.kind === "lambda" || p.kind === "ecs" || p.kind === "ec2");
  const role = ctx.rng.pick(roles);
  const name = role.roleName ?? "role";
  return {
    arn: `arn:aws:iam::${ctx.account.id}:role${role.rolePath}${name}`,
    name,
    session: ctx.rng.pick(role.sessions),
  };
}

export const dataOps: Record<string, Op> = {
  ListBuckets: (ctx) => ({
    service: "s3",
    name: "ListBuckets",
    readOnly: true,
    host: "s3.amazonaws.com",
    requestParameters: { Host: "s3.amazonaws.com" },
    additionalEventData: {
      SignatureVersion: "SigV4",
      CipherSuite: "TLS_AES_128_GCM_SHA256",
      bytesTransferredIn: 0,
      AuthenticationMethod: "AuthHeader",
      bytesTransferredOut: ctx.rng.int(2000, 9000),
    },
  }),
  GetBucketAcl: (ctx) => s3Bucket(ctx, "GetBucketAcl", "acl"),
  GetBucketVersioning: (ctx) => s3Bucket(ctx, "GetBucketVersioning", "versioning"),
  GetBucketPolicy: (ctx) =>
    s3Bucket(
      ctx,
      "GetBucketPolicy",
      "policy",
      ctx.rng.chance(0.7) ? { code: "NoSuchBucketPolicy", message: "The bucket policy does not exist" } : undefined,
    ),
  GetBucketEncryption: (ctx) => s3Bucket(ctx, "GetBucketEncryption", "encryption"),
  DescribeTable: (ctx) => table(ctx, "DescribeTable"),
  DescribeContinuousBackups: (ctx) => table(ctx, "DescribeContinuousBackups"),
  DescribeTimeToLive: (ctx) => table(ctx, "DescribeTimeToLive"),
  ListTables: () => ({ service: "dynamodb", name: "ListTables", readOnly: true, requestParameters: { limit: 100 } }),
  Decrypt: (ctx) =>
    kms(ctx, "Decrypt", {
      encryptionAlgorithm: "SYMMETRIC_DEFAULT",
      encryptionContext: {
        "aws:lambda:FunctionArn": `arn:aws:lambda:${ctx.region}:${ctx.account.id}:function:${ctx.rng.pick(ctx.account.functions)}`,
      },
    }),
  GenerateDataKey: (ctx) =>
    kms(ctx, "GenerateDataKey", { keyId: `alias/${ctx.account.name}-data`, keySpec: "AES_256" }),
  DescribeKey: (ctx) => kms(ctx, "DescribeKey", {}),
  GetQueueAttributes: (ctx) => ({
    service: "sqs",
    name: "GetQueueAttributes",
    readOnly: true,
    requestParameters: {
      queueUrl: `https://sqs.${ctx.region}.amazonaws.com/${ctx.account.id}/${ctx.rng.pick(ctx.account.functions)}-queue`,
      attributeNames: ["All"],
    },
  }),
  DescribeDBInstances: (ctx) => ({
    service: "rds",
    name: "DescribeDBInstances",
    readOnly: true,
    apiVersion: "2014-10-31",
    requestParameters: ctx.rng.chance(0.5)
      ? { dBInstanceIdentifier: `${ctx.account.name}-${ctx.rng.pick(["orders", "users", "billing"])}` }
      : null,
  }),
  AssumeRole: (ctx) => {
    const { arn, name, session } = assumedRole(ctx);
    const roleId = `AROA${ctx.rng.chars(17, UPPER_DIGITS)}`;
    const expiration = new Date(ctx.time.getTime() + 3600_000);
    return {
      service: "sts",
      name: "AssumeRole",
      readOnly: true,
      requestParameters: { roleArn: arn, roleSessionName: session, durationSeconds: 3600 },
      responseElements: {
        credentials: {
          accessKeyId: `ASIA${ctx.rng.chars(16, UPPER_DIGITS)}`,
          sessionToken: ctx.rng.chars(
            ctx.rng.int(560, 900),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
          ),
          expiration: expiration.toUTCString(),
        },
        assumedRoleUser: {
          assumedRoleId: `${roleId}:${session}`,
          arn: `arn:aws:sts::${ctx.account.id}:assumed-role/${name}/${session}`,
        },
      },
      resources: [{ accountId: ctx.account.id, type: "AWS::IAM::Role", ARN: arn }],
      sharedEventID: ctx.rng.uuid(),
    };
  },
  GetCallerIdentity: () => ({ service: "sts", name: "GetCallerIdentity", readOnly: true }),
  GetRole: (ctx) => ({
    service: "iam",
    name: "GetRole",
    readOnly: true,
    region: "us-east-1",
    host: "iam.amazonaws.com",
    requestParameters: { roleName: ctx.rng.pick(ctx.account.principals.filter((p) => p.roleName)).roleName ?? "" },
  }),
  ListAttachedRolePolicies: (ctx) => ({
    service: "iam",
    name: "ListAttachedRolePolicies",
    readOnly: true,
    region: "us-east-1",
    host: "iam.amazonaws.com",
    requestParameters: { roleName: ctx.rng.pick(ctx.account.principals.filter((p) => p.roleName)).roleName ?? "" },
  }),
  GetPolicyVersion: (ctx) => ({
    service: "iam",
    name: "GetPolicyVersion",
    readOnly: true,
    region: "us-east-1",
    host: "iam.amazonaws.com",
    requestParameters: {
      policyArn: `arn:aws:iam::${ctx.account.id}:policy/${ctx.rng.pick(ctx.account.functions)}-access`,
      versionId: `v${ctx.rng.int(1, 5)}`,
    },
  }),
  DescribeAlarms: (ctx) => ({
    service: "monitoring",
    name: "DescribeAlarms",
    readOnly: true,
    requestParameters: ctx.rng.chance(0.5)
      ? { maxRecords: 100 }
      : { alarmNamePrefix: `${ctx.rng.pick(ctx.account.functions)}-` },
  }),
};
