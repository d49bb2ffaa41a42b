/**
 * Secrets Manager traffic: the secret-value retrievals the product alerts on (GetSecretValue,
 * BatchGetSecretValue with its per-secret companions, denials, misses) with the KMS Decrypt
 * Secrets Manager makes on the caller's behalf, and the metadata calls that are not reads.
 */
import type { Principal } from "./identity.js";
import type { Op } from "./ops-infra.js";
import { buildRecord, type CallContext, type JsonObject } from "./record.js";

type Secret = CallContext["account"]["secrets"][number];

function secretArn(ctx: CallContext, s: Secret): string {
  return `arn:aws:secretsmanager:${ctx.region}:${ctx.account.id}:secret:${s.name}-${s.suffix}`;
}

function secretRef(ctx: CallContext, s: Secret): string {
  return ctx.rng.chance(0.5) ? s.name : secretArn(ctx, s);
}

function callerArn(ctx: CallContext, p: Principal): string {
  if (p.kind === "iam-user") return `arn:aws:iam::${ctx.account.id}:user/${p.userName}`;
  return `arn:aws:sts::${ctx.account.id}:assumed-role/${p.roleName}/${p.sessions[0]}`;
}

function appSecrets(ctx: CallContext, app: string | undefined): Secret[] {
  const own = ctx.account.secrets.filter((s) => app !== undefined && s.name.includes(`/${app}/`));
  return own.length > 0 ? own : ctx.account.secrets;
}

/** The Decrypt Secrets Manager logs when it unwraps the secret for the caller. */
function kmsCompanion(ctx: CallContext, s: Secret): JsonObject {
  const keyArn = `arn:aws:kms:${ctx.region}:${ctx.account.id}:key/${ctx.account.keyIds[0]}`;
  const principal: Principal = { ...ctx.principal, service: "secretsmanager.amazonaws.com" };
  return buildRecord(
    { ...ctx, principal },
    {
      service: "kms",
      name: "Decrypt",
      readOnly: true,
      requestParameters: {
        encryptionContext: { SecretARN: secretArn(ctx, s), SecretVersionId: ctx.rng.uuid() },
        encryptionAlgorithm: "SYMMETRIC_DEFAULT",
      },
      resources: [{ accountId: ctx.account.id, type: "AWS::KMS::Key", ARN: keyArn }],
    },
  );
}

function getSecretValue(
  ctx: CallContext,
  s: Secret,
  error?: { code: string; message: string },
  extra: JsonObject = {},
) {
  const params: JsonObject = { secretId: secretRef(ctx, s) };
  if (ctx.rng.chance(0.25)) params.versionStage = "AWSCURRENT";
  const spec = { service: "secretsmanager", name: "GetSecretValue", readOnly: true, requestParameters: params };
  return buildRecord(ctx, error ? { ...spec, error } : spec, extra);
}

function denied(ctx: CallContext, p: Principal, s: Secret, action = "GetSecretValue") {
  return {
    code: "AccessDenied",
    message: `User: ${callerArn(ctx, p)} is not authorized to perform: secretsmanager:${action} on resource: ${s.name} because no identity-based policy allows the secretsmanager:${action} action`,
  };
}

/** A batch call and, when it succeeds, one GetSecretValue per secret it returned (same request ID). */
function batch(ctx: CallContext): JsonObject[] {
  const { rng } = ctx;
  const byFilter = rng.chance(0.3);
  const secrets = byFilter
    ? ctx.account.secrets.filter((s) => s.name.startsWith("prod/")).slice(0, rng.int(3, 8))
    : appSecrets(ctx, ctx.principal.app).slice(0, rng.int(2, 4));
  const first = secrets[0] ?? ctx.account.secrets[0]!;
  const requestParameters: JsonObject = byFilter
    ? { filters: [{ key: rng.pick(["tag-key", "name"]), values: [rng.pick(["team", "prod/"])] }] }
    : { secretIdList: secrets.map((s) => secretRef(ctx, s)) };
  const fail = rng.chance(0.15) ? denied(ctx, ctx.principal, first, "BatchGetSecretValue") : undefined;
  const call = buildRecord(ctx, {
    service: "secretsmanager",
    name: "BatchGetSecretValue",
    readOnly: true,
    requestParameters,
    ...(fail && { error: fail }),
  });
  if (fail) return [call];
  const shared: JsonObject = {
    userIdentity: call.userIdentity,
    sourceIPAddress: call.sourceIPAddress,
    userAgent: call.userAgent,
    requestID: call.requestID,
  };
  return [call, ...secrets.map((s) => getSecretValue(ctx, s, undefined, shared))];
}

/** One secret-read scenario: its records (reads first, then companions such as KMS Decrypt). */
export function secretScenario(base: Omit<CallContext, "principal">): JsonObject[] {
  const { rng } = base;
  const kind = rng.weighted([
    ["workload", 60],
    ["vpce", 10],
    ["ecs-agent", 6],
    ["human", 8],
    ["ci", 3],
    ["lambda-service", 2],
    ["denied", 5],
    ["missing", 1.5],
    ["batch", 3],
  ] as const);
  const workload = (p: Principal) => p.kind === "lambda" || p.kind === "ecs";
  const pickCtx = (test: (p: Principal) => boolean): CallContext => ({
    ...base,
    principal: rng.pick(base.account.principals.filter(test)),
  });
  switch (kind) {
    case "workload":
    case "vpce": {
      const ctx = pickCtx(kind === "vpce" ? (p) => p.kind === "ecs" : workload);
      const reads = rng.chance(0.2) ? rng.int(2, 3) : 1;
      const own = appSecrets(ctx, ctx.principal.app);
      const out: JsonObject[] = [];
      for (let i = 0; i < reads; i++) {
        const s = rng.pick(own);
        const extra =
          kind === "vpce"
            ? { sourceIPAddress: `10.0.${rng.int(0, 63)}.${rng.int(4, 250)}`, vpcEndpointId: ctx.account.vpcEndpointId }
            : {};
        out.push(getSecretValue(ctx, s, undefined, extra));
        if (rng.chance(0.6)) out.push(kmsCompanion(ctx, s));
      }
      return out;
    }
    case "ecs-agent": {
      const ctx = pickCtx((p) => p.kind === "ecs");
      const agent = { ...ctx, principal: { ...ctx.principal, service: "ecs-tasks.amazonaws.com" } };
      return [getSecretValue(agent, rng.pick(appSecrets(ctx, ctx.principal.app)))];
    }
    case "human": {
      const ctx = pickCtx((p) => p.kind === "sso");
      return [getSecretValue(ctx, rng.pick(ctx.account.secrets))];
    }
    case "ci": {
      const ctx = pickCtx((p) => p.kind === "iam-user");
      const s = ctx.account.secrets.find((x) => x.name.startsWith("ci/")) ?? ctx.account.secrets[0]!;
      return [getSecretValue(ctx, s)];
    }
    case "lambda-service": {
      const ctx = pickCtx((p) => p.service === "lambda.amazonaws.com");
      return [getSecretValue(ctx, rng.pick(ctx.account.secrets.filter((s) => s.name.startsWith("rds!"))))];
    }
    case "denied": {
      const ctx = pickCtx(workload);
      const s = rng.pick(ctx.account.secrets.filter((x) => !x.name.includes(`/${ctx.principal.app}/`)));
      return [getSecretValue(ctx, s, denied(ctx, ctx.principal, s))];
    }
    case "missing": {
      const ctx = pickCtx(workload);
      const s = { name: `prod/${ctx.principal.app}/legacy-token`, suffix: "000000" };
      return [
        getSecretValue(ctx, s, {
          code: "ResourceNotFoundException",
          message: "Secrets Manager can't find the specified secret.",
        }),
      ];
    }
    case "batch":
      return batch(pickCtx((p) => workload(p) || p.kind === "sso" || p.kind === "terraform"));
  }
}

/** Secrets Manager calls that read metadata, not values: noise that shares the event source. */
export const secretMetadataOps: Record<string, Op> = {
  DescribeSecret: (ctx) => ({
    service: "secretsmanager",
    name: "DescribeSecret",
    readOnly: true,
    requestParameters: { secretId: secretArn(ctx, ctx.rng.pick(ctx.account.secrets)) },
  }),
  ListSecrets: (ctx) => ({
    service: "secretsmanager",
    name: "ListSecrets",
    readOnly: true,
    requestParameters: ctx.rng.chance(0.5)
      ? { maxResults: 100 }
      : { filters: [{ key: "name", values: ["prod/"] }], maxResults: 100 },
  }),
  GetResourcePolicy: (ctx) => ({
    service: "secretsmanager",
    name: "GetResourcePolicy",
    readOnly: true,
    requestParameters: { secretId: secretArn(ctx, ctx.rng.pick(ctx.account.secrets)) },
  }),
};
