/**
 * The bench's detection policy: 100 expected-reader rules for the corpus's world, as a team
 * would write them. Per account, each app's Lambda role (a glob on the generated name suffix),
 * ECS task role (through the VPC endpoint, from the VPC or from the NAT gateways) and the ECS
 * agent reading for it (source `ecs-tasks.amazonaws.com`); the CI user, Terraform, the Lambda
 * service reading RDS-managed secrets, plus a few stale rules of readers that no longer read;
 * Identity Center people from the office; and rules of a third (data platform) account the
 * corpus never sees. Decoys and sensitive patterns as the example policy has them. Same world,
 * same text: deterministic, so its hash names it across runs.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
import type { ExpectedRule, Policy } from "@secretwatch/core";
import type { Account, World } from "./world.js";

const APPS = ["orders", "payments", "billing", "search", "catalog", "users", "notifications", "reports", "ingest"];
const PEOPLE = ["alice.nguyen", "bob.schmidt", "carla.rossi", "dev.patel", "emma.johansson", "farid.haddad"];
/** Teams of an account the corpus never records: their rules are only ever tested, never matched. */
const DATA_TEAMS = [
  "etl",
  "ml",
  "bi",
  "recs",
  "fraud",
  "ledger",
  "export",
  "audit",
  "growth",
  "pricing",
  "forecast",
  "quality",
  "search-index",
];
const DATA_ACCOUNT = "480016243375";
/** The number of rules the bench policy has. */
export const POLICY_RULES = 100;

/** An address as a one-address CIDR: `/32` (IPv4) or `/128` (IPv6). */
const host = (ip: string) => `${ip}/${ip.includes(":") ? 128 : 32}`;

function accountRules(a: Account): ExpectedRule[] {
  const role = (path: string) => `arn:aws:iam::${a.id}:role/${path}`;
  const nat = a.natIps.map(host);
  const rules: ExpectedRule[] = [];
  for (const app of APPS) {
    rules.push({
      id: `${a.name}-${app}-lambda`,
      principal: role(`${app}-api-role-*`),
      secret: `prod/${app}/*`,
      source: nat,
      note: `The ${app} functions read their credentials at cold start, out through the NAT gateways.`,
    });
  }
  for (const app of APPS) {
    rules.push({
      id: `${a.name}-${app}-tasks`,
      principal: role(`service-role/${app}-task-role`),
      secret: `prod/${app}/*`,
      source: [a.vpcEndpointId, "10.0.0.0/18", ...nat],
      note: `The ${app} ECS tasks, through the Secrets Manager VPC endpoint or the NAT gateways.`,
    });
  }
  for (const app of APPS) {
    rules.push({
      id: `${a.name}-${app}-task-start`,
      principal: role(`service-role/${app}-task-role`),
      secret: `prod/${app}/*`,
      source: ["ecs-tasks.amazonaws.com"],
      note: `ECS injects the ${app} task's secrets when a task starts.`,
    });
  }
  rules.push(
    {
      id: `${a.name}-ci-deploy`,
      principal: `arn:aws:iam::${a.id}:user/github-actions-deploy`,
      secret: "ci/*",
      source: ["20.0.0.0/8"],
      note: "GitHub Actions deploys with the deploy token, from GitHub-hosted runners.",
    },
    {
      id: `${a.name}-rds-lambda`,
      principal: "lambda.amazonaws.com",
      secret: `arn:aws:secretsmanager:*:${a.id}:secret:rds!db-*`,
      source: ["lambda.amazonaws.com"],
      note: "Lambda reads the RDS-managed master secrets for the database proxy functions.",
    },
    {
      id: `${a.name}-terraform`,
      principal: role("terraform-deployer"),
      secret: "prod/*",
      source: nat,
      note: "Terraform reads the secrets it wires into the services it deploys.",
    },
    {
      id: `${a.name}-ec2-datadog`,
      principal: role("ec2-ssm-instance-role"),
      secret: "prod/shared/datadog-api-key",
      source: [a.vpcEndpointId, "10.0.0.0/18"],
      note: "The Datadog agent on the SSM-managed hosts reads its API key.",
    },
    {
      id: `${a.name}-rotation`,
      principal: role("secrets-rotation-*"),
      secret: `arn:aws:secretsmanager:*:${a.id}:secret:prod/*`,
      source: [a.vpcEndpointId],
      note: "The rotation functions read AWSCURRENT and AWSPENDING while rotating.",
    },
    {
      id: `${a.name}-stripe-webhook`,
      principal: role("payments-stripe-webhook"),
      secret: "prod/payments/stripe-secret-key",
      source: [a.vpcEndpointId],
      note: "Retired with the old webhook service; kept until its role is deleted.",
    },
  );
  return rules;
}

function peopleRules(world: World): ExpectedRule[] {
  const office = world.officeIps.map(host);
  const staging = PEOPLE.map((p) => ({
    id: `oncall-${p}`,
    principal: `sso-user:${p}@acme.example`,
    secret: "staging/*",
    source: office,
    note: `${p} debugs staging from the office network.`,
  }));
  const prod = PEOPLE.slice(0, 2).map((p) => ({
    id: `admin-${p}`,
    principal: `sso-user:${p}@acme.example`,
    secret: "prod/*",
    source: office,
    note: `${p} is an administrator and rotates production credentials by hand.`,
  }));
  return [...staging, ...prod];
}

function dataPlatformRules(): ExpectedRule[] {
  return DATA_TEAMS.flatMap((team, i) =>
    (["prod", "staging"] as const).map((env, j) => ({
      id: `data-${team}-${env}`,
      principal: `arn:aws:iam::${DATA_ACCOUNT}:role/data-${team}-${env}-*`,
      secret: `analytics/${env}/${team}/*`,
      source: [`10.${64 + j}.${i * 8}.0/21`],
      note: `The data platform's ${team} jobs (${env}).`,
    })),
  );
}

/** The bench policy for `world`: {@link POLICY_RULES} rules, decoys, sensitive patterns, the default thresholds. */
export function benchPolicy(world: World): Policy {
  const expected = [...world.accounts.flatMap(accountRules), ...peopleRules(world), ...dataPlatformRules()];
  if (expected.length !== POLICY_RULES) throw new Error(`the bench policy has ${expected.length} rules`);
  return {
    version: 1,
    notify: "medium",
    page: "high",
    expected,
    decoys: ["admin/root-credentials", "legacy/*-backup", "break-glass/*"],
    sensitive: ["prod/payments/*", "prod/*/db-credentials", "rds!*"],
    // The workloads call out through NAT gateways: their public addresses are the accounts' own.
    networks: [...new Set(world.accounts.flatMap((a) => a.natIps))].map((ip) => (ip.includes(":") ? ip : `${ip}/32`)),
    thresholds: { firstSeenDays: 7, rapidSecrets: 20, rapidMinutes: 6, repeatMinutes: 60 },
  };
}

/**
 * A YAML scalar as a person writes it: plain when YAML reads it back as the same string (no
 * leading indicator such as `*`, no `: ` or ` #`, not a number or boolean), else JSON's
 * double-quoted form, which YAML also reads.
 */
function scalar(s: string): string {
  const plain =
    /^[A-Za-z0-9/][\w ,.@/!?*+=:()'-]*$/.test(s) &&
    !/: | #|:$/.test(s) &&
    !/^(true|false|null|yes|no|on|off|~|[-+]?[\d.]+(e[-+]?\d+)?)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/** The policy as the YAML file a person would keep, in the example policy's style (block lists, plain scalars). */
export function policyYaml(policy: Policy, header: string): string {
  const lines = [
    ...header.split("\n").map((l) => `# ${l}`.trimEnd()),
    `version: ${policy.version}`,
    `notify: ${policy.notify}`,
    `page: ${policy.page}`,
    "",
    "expected:",
  ];
  const list = (indent: string, items: readonly string[]) => items.map((x) => `${indent}- ${scalar(x)}`);
  for (const r of policy.expected) {
    lines.push(`  - id: ${scalar(r.id)}`, `    principal: ${scalar(r.principal)}`, `    secret: ${scalar(r.secret)}`);
    if (r.source) lines.push("    source:", ...list("      ", r.source));
    if (r.note) lines.push(`    note: ${scalar(r.note)}`);
  }
  lines.push("", "decoys:", ...list("  ", policy.decoys), "", "sensitive:", ...list("  ", policy.sensitive));
  if (policy.networks.length > 0) lines.push("", "networks:", ...list("  ", policy.networks));
  lines.push("", "thresholds:", ...Object.entries(policy.thresholds).map(([k, v]) => `  ${k}: ${v}`));
  return `${lines.join("\n")}\n`;
}
