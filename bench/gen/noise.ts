/**
 * The 99%: what each kind of caller typically does, with the usual sprinkle of errors
 * (throttling, denials), plus real captured records reused as templates.
 */
import type { Principal } from "./identity.js";
import { dataOps } from "./ops-data.js";
import { infraOps, type Op } from "./ops-infra.js";
import { buildRecord, type CallContext, type CallSpec, type JsonObject } from "./record.js";
import { secretMetadataOps } from "./secrets.js";
import { templateRecord } from "./templates.js";

const OPS: Record<string, Op> = { ...infraOps, ...dataOps, ...secretMetadataOps };

type Menu = readonly (readonly [string, number])[];

const AUDIT: Menu = [
  ["DescribeInstances", 3],
  ["DescribeSecurityGroups", 3],
  ["DescribeSubnets", 2],
  ["DescribeNetworkInterfaces", 3],
  ["DescribeVolumes", 2],
  ["GetBucketAcl", 3],
  ["GetBucketPolicy", 3],
  ["GetBucketVersioning", 2],
  ["GetBucketEncryption", 2],
  ["GetRole", 3],
  ["ListAttachedRolePolicies", 3],
  ["GetPolicyVersion", 2],
  ["GetFunction", 2],
  ["GetPolicyLambda", 2],
  ["DescribeTable", 2],
  ["DescribeContinuousBackups", 1],
  ["DescribeKey", 2],
  ["DescribeLogGroups", 1],
  ["DescribeDBInstances", 1],
  ["GetQueueAttributes", 1],
  ["DescribeAlarms", 1],
  ["DescribeSecret", 2],
  ["ListSecrets", 1],
  ["GetResourcePolicy", 1],
];

const MENUS: Record<string, Menu> = {
  lambda: [
    ["CreateLogStream", 6],
    ["GetParameter", 4],
    ["Decrypt", 3],
    ["DescribeTable", 1],
    ["GetQueueAttributes", 1],
    ["GetCallerIdentity", 1],
  ],
  ecs: [
    ["GetParameter", 2],
    ["Decrypt", 2],
    ["GenerateDataKey", 2],
    ["GetQueueAttributes", 2],
    ["DescribeTable", 1],
    ["GetCallerIdentity", 1],
  ],
  ec2: [
    ["UpdateInstanceInformation", 6],
    ["ListInstanceAssociations", 4],
    ["DiscoverPollEndpoint", 3],
    ["GetParameter", 1],
    ["DescribeInstances", 1],
  ],
  sso: [
    ["DescribeInstances", 3],
    ["ListBuckets", 2],
    ["DescribeLogGroups", 2],
    ["StartQuery", 2],
    ["ListFunctions", 2],
    ["GetFunction", 2],
    ["DescribeAlarms", 2],
    ["DescribeStacks", 2],
    ["DescribeTable", 1],
    ["GetRole", 1],
    ["DescribeDBInstances", 1],
    ["GetCallerIdentity", 1],
    ["DescribeRegions", 1],
    ["ListTables", 1],
    ["ListSecrets", 1],
    ["DescribeSecret", 1],
    ["GetParametersByPath", 1],
  ],
  "iam-user": [
    ["GetAuthorizationToken", 3],
    ["DescribeServices", 3],
    ["DescribeStacks", 3],
    ["GetCallerIdentity", 2],
    ["ListBuckets", 1],
    ["GetFunction", 1],
  ],
  terraform: [...AUDIT, ["GetParameter", 2], ["DescribeStacks", 1], ["CreateTags", 1]],
  "config.amazonaws.com": AUDIT,
  "securityhub.amazonaws.com": AUDIT,
  "ecs.amazonaws.com": [
    ["DescribeNetworkInterfaces", 3],
    ["DescribeTargetHealth", 3],
    ["DescribeSubnets", 1],
  ],
  "autoscaling.amazonaws.com": [
    ["DescribeInstances", 3],
    ["CreateTags", 1],
    ["DescribeSubnets", 1],
  ],
  service: [["AssumeRole", 1]],
  root: [
    ["ListBuckets", 1],
    ["DescribeRegions", 1],
  ],
};

function menuFor(p: Principal): Menu {
  const menu = (p.kind === "service-role" && p.service ? MENUS[p.service] : undefined) ?? MENUS[p.kind];
  if (!menu) throw new Error(`no menu for ${p.kind}`);
  return menu;
}

/** A generic error for ~1.5% of calls, shaped like the service's own. */
function genericError(ctx: CallContext, spec: CallSpec): CallSpec["error"] {
  const { rng } = ctx;
  if (spec.service === "ec2") {
    return rng.chance(0.5)
      ? { code: "Client.RequestLimitExceeded", message: "Request limit exceeded." }
      : { code: "Client.UnauthorizedOperation", message: "You are not authorized to perform this operation." };
  }
  if (rng.chance(0.4)) return { code: "ThrottlingException", message: "Rate exceeded" };
  const who = String((ctx.principal.roleName ?? ctx.principal.userName) || "caller");
  return {
    code: spec.service === "kms" || spec.service === "dynamodb" ? "AccessDeniedException" : "AccessDenied",
    message: `User: arn:aws:sts::${ctx.account.id}:assumed-role/${who}/${ctx.principal.sessions[0] ?? "session"} is not authorized to perform: ${spec.service}:${spec.name.replace(/20\d{6}(v\d)?$/, "")} because no identity-based policy allows the ${spec.service}:${spec.name.replace(/20\d{6}(v\d)?$/, "")} action`,
  };
}

const HUMAN = new Set<Principal["kind"]>(["sso", "iam-user", "terraform"]);

/** One noise record: a principal's typical call, or (2.5%) a real template with a human caller. */
export function noiseRecord(base: Omit<CallContext, "principal">): JsonObject {
  const { rng, account } = base;
  if (rng.chance(0.025)) {
    const principal = rng.pick(account.principals.filter((p) => HUMAN.has(p.kind)));
    return templateRecord({ ...base, principal });
  }
  const principal = rng.weighted(account.principals.map((p) => [p, p.weight] as const));
  const ctx: CallContext = { ...base, principal };
  const menu = menuFor(principal);
  for (;;) {
    const spec = OPS[rng.weighted(menu)]?.(ctx);
    if (!spec) throw new Error("menu names an unknown operation");
    if (spec.region && spec.region !== ctx.region) continue;
    if (!spec.error && rng.chance(0.015)) spec.error = genericError(ctx, spec);
    return buildRecord(ctx, spec);
  }
}
