/**
 * The simulated AWS estate the corpus is drawn from: two accounts, three Regions, and the
 * buckets, functions, tables, keys, parameters and secrets their workloads touch.
 */
import { ALNUM, Rng } from "../lib/prng.js";
import { makePrincipals, type Principal } from "./identity.js";

export interface Account {
  id: string;
  name: string;
  principals: Principal[];
  /** Secret names (with the 6-character suffix Secrets Manager adds to ARNs). */
  secrets: { name: string; suffix: string }[];
  buckets: string[];
  functions: string[];
  tables: string[];
  parameters: string[];
  logGroups: string[];
  keyIds: string[];
  instances: string[];
  vpcEndpointId: string;
  /** Public addresses of the NAT gateways the workloads call out from. */
  natIps: string[];
}

export interface World {
  accounts: Account[];
  /** Regions and their share of the files. */
  regions: readonly (readonly [string, number])[];
  officeIps: string[];
}

const APPS = ["orders", "payments", "billing", "search", "catalog", "users", "notifications", "reports", "ingest"];
const ENVS = ["prod", "staging"];

function publicIp(rng: Rng): string {
  const first = rng.pick([3, 13, 18, 34, 35, 44, 52, 54, 99, 100]);
  return `${first}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function makeSecrets(rng: Rng): Account["secrets"] {
  const names: string[] = [];
  for (const env of ENVS) {
    for (const app of APPS) {
      names.push(`${env}/${app}/db-credentials`);
      if (rng.chance(0.6)) names.push(`${env}/${app}/api-key`);
    }
  }
  names.push("prod/payments/stripe-secret-key", "prod/shared/datadog-api-key", "ci/github-deploy-token");
  for (let i = 0; i < 4; i++) names.push(`rds!db-${rng.uuid()}`);
  return names.map((name) => ({ name, suffix: rng.chars(6, ALNUM) }));
}

function makeAccount(rng: Rng, id: string, name: string): Account {
  const apps = APPS.map((app) => `${name}-${app}`);
  return {
    id,
    name,
    principals: makePrincipals(rng, APPS),
    secrets: makeSecrets(rng),
    buckets: [
      ...apps.map((a) => `${a}-assets-${id}`),
      `${name}-cloudtrail-logs-${id}`,
      `${name}-terraform-state`,
      `cdk-hnb659fds-assets-${id}-us-east-1`,
    ],
    functions: APPS.flatMap((app) => [`${app}-api`, `${app}-worker`, `${app}-scheduler`]),
    tables: APPS.map((app) => `${app}-${rng.pick(["events", "items", "state", "sessions"])}`),
    parameters: APPS.flatMap((app) => [`/${name}/${app}/config`, `/${name}/${app}/feature-flags`]).concat([
      "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended",
    ]),
    logGroups: APPS.flatMap((app) => [`/aws/lambda/${app}-api`, `/aws/lambda/${app}-worker`, `/ecs/${app}`]),
    keyIds: Array.from({ length: 6 }, () => rng.uuid()),
    instances: Array.from({ length: 24 }, () => `i-0${rng.hex(16)}`),
    vpcEndpointId: `vpce-0${rng.hex(16)}`,
    natIps: Array.from({ length: 3 }, () => publicIp(rng)),
  };
}

export function makeWorld(seed: number): World {
  const rng = new Rng(seed ^ 0x5eed);
  const accountId = () => `${rng.int(1, 9)}${rng.chars(11, "0123456789")}`;
  return {
    accounts: [makeAccount(rng, accountId(), "acme-prod"), makeAccount(rng, accountId(), "acme-shared")],
    regions: [
      ["us-east-1", 5],
      ["eu-west-1", 3],
      ["us-west-2", 2],
    ],
    officeIps: [...Array.from({ length: 6 }, () => publicIp(rng)), `2a02:c7c:${rng.hex(4)}:c00::${rng.hex(4)}`],
  };
}
