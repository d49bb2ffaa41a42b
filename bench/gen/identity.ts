/**
 * Who makes the calls: workload roles (Lambda, ECS, EC2), SSO people, a CI user, Terraform,
 * service-linked roles and AWS services, each with the userIdentity, source address and
 * user agent CloudTrail records for them.
 */
import { type Rng, UPPER_DIGITS } from "../lib/prng.js";

export type Sdk = "js" | "python" | "go" | "java" | "cli" | "terraform" | "console" | "ssm-agent" | "service";

export interface Principal {
  kind: "lambda" | "ecs" | "ec2" | "sso" | "iam-user" | "terraform" | "service-role" | "service" | "root";
  /** The workload's application, for workload roles. */
  app?: string;
  roleName?: string;
  rolePath?: string;
  userName?: string;
  /** AROA… or AIDA… */
  uniqueId?: string;
  sessions: string[];
  /** `invokedBy` for services and service-linked roles. */
  service?: string;
  sdk: Sdk;
  /** Relative call volume. */
  weight: number;
}

const PEOPLE = ["alice.nguyen", "bob.schmidt", "carla.rossi", "dev.patel", "emma.johansson", "farid.haddad"];

function roleId(rng: Rng): string {
  return `AROA${rng.chars(17, UPPER_DIGITS)}`;
}

function workloads(rng: Rng, app: string): Principal[] {
  const sdk = rng.pick<Sdk>(["js", "js", "python", "go", "java"]);
  return [
    {
      kind: "lambda",
      app,
      roleName: `${app}-api-role-${rng.hex(6)}`,
      rolePath: "/",
      uniqueId: roleId(rng),
      sessions: [`${app}-api`, `${app}-worker`, `${app}-scheduler`],
      sdk,
      weight: 6,
    },
    {
      kind: "ecs",
      app,
      roleName: `${app}-task-role`,
      rolePath: "/service-role/",
      uniqueId: roleId(rng),
      sessions: Array.from({ length: 4 }, () => rng.hex(32)),
      sdk,
      weight: 4,
    },
  ];
}

function serviceRole(rng: Rng, name: string, service: string, session: string, weight: number): Principal {
  return {
    kind: "service-role",
    roleName: name,
    rolePath: `/aws-service-role/${service}/`,
    uniqueId: roleId(rng),
    sessions: [session],
    service,
    sdk: "service",
    weight,
  };
}

export function makePrincipals(rng: Rng, apps: readonly string[]): Principal[] {
  const ssoAdmin = `AWSReservedSSO_AdministratorAccess_${rng.hex(16)}`;
  const ssoDev = `AWSReservedSSO_DeveloperAccess_${rng.hex(16)}`;
  const ssoPath = "/aws-reserved/sso.amazonaws.com/";
  return [
    ...apps.flatMap((app) => workloads(rng, app)),
    {
      kind: "ec2",
      roleName: "ec2-ssm-instance-role",
      rolePath: "/",
      uniqueId: roleId(rng),
      sessions: Array.from({ length: 12 }, () => `i-0${rng.hex(16)}`),
      sdk: "ssm-agent",
      weight: 25,
    },
    {
      kind: "sso",
      roleName: ssoAdmin,
      rolePath: ssoPath,
      uniqueId: roleId(rng),
      sessions: PEOPLE.slice(0, 2).map((p) => `${p}@acme.example`),
      sdk: "cli",
      weight: 5,
    },
    {
      kind: "sso",
      roleName: ssoDev,
      rolePath: ssoPath,
      uniqueId: roleId(rng),
      sessions: PEOPLE.map((p) => `${p}@acme.example`),
      sdk: "console",
      weight: 8,
    },
    {
      kind: "iam-user",
      userName: "github-actions-deploy",
      uniqueId: `AIDA${rng.chars(17, UPPER_DIGITS)}`,
      sessions: [],
      sdk: "cli",
      weight: 3,
    },
    {
      kind: "terraform",
      roleName: "terraform-deployer",
      rolePath: "/",
      uniqueId: roleId(rng),
      sessions: ["aws-go-sdk-1722375070115152000"],
      sdk: "terraform",
      weight: 3,
    },
    serviceRole(rng, "AWSServiceRoleForConfig", "config.amazonaws.com", "AWSConfig-Describe", 20),
    serviceRole(rng, "AWSServiceRoleForECS", "ecs.amazonaws.com", "ECS", 4),
    serviceRole(rng, "AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com", "AutoScaling", 3),
    serviceRole(rng, "AWSServiceRoleForSecurityHub", "securityhub.amazonaws.com", "securityhub", 6),
    ...["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "events.amazonaws.com"].map(
      (service): Principal => ({ kind: "service", service, sessions: [], sdk: "service", weight: 5 }),
    ),
    { kind: "root", sessions: [], sdk: "console", weight: 0.05 },
  ];
}

/** The `userIdentity` object of one call by `p` in `account`. */
export function userIdentity(p: Principal, account: string, rng: Rng, time: Date): Record<string, unknown> {
  if (p.kind === "service") return { type: "AWSService", invokedBy: p.service };
  if (p.kind === "root") {
    return {
      type: "Root",
      principalId: account,
      arn: `arn:aws:iam::${account}:root`,
      accountId: account,
      accessKeyId: `ASIA${rng.chars(16, UPPER_DIGITS)}`,
    };
  }
  if (p.kind === "iam-user") {
    return {
      type: "IAMUser",
      principalId: p.uniqueId,
      arn: `arn:aws:iam::${account}:user/${p.userName}`,
      accountId: account,
      accessKeyId: `AKIA${rng.chars(16, UPPER_DIGITS)}`,
      userName: p.userName,
    };
  }
  const session = rng.pick(p.sessions);
  const created = new Date(time.getTime() - rng.int(60, 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const identity: Record<string, unknown> = {
    type: "AssumedRole",
    principalId: `${p.uniqueId}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${p.roleName}/${session}`,
    accountId: account,
    accessKeyId: `ASIA${rng.chars(16, UPPER_DIGITS)}`,
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: p.uniqueId,
        arn: `arn:aws:iam::${account}:role${p.rolePath}${p.roleName}`,
        accountId: account,
        userName: p.roleName,
      },
      webIdFederationData: {},
      attributes: { creationDate: created, mfaAuthenticated: "false" },
      ...(p.kind === "ec2" && { ec2RoleDelivery: "2.0" }),
    },
  };
  if (p.service) identity.invokedBy = p.service;
  return identity;
}

const JS_MINOR = [600, 614, 637, 645];

/** The user agent of a call by `p`; `api` is the SDK's service id (e.g. `sts`), `command` the CLI's. */
export function userAgent(p: Principal, rng: Rng, api: string, command: string): string {
  switch (p.sdk) {
    case "js": {
      const v = `3.${rng.pick(JS_MINOR)}.0`;
      const env = p.kind === "lambda" ? " exec-env/AWS_Lambda_nodejs20.x" : " exec-env/AWS_ECS_FARGATE";
      return `aws-sdk-js/${v} ua/2.1 os/linux#5.10.219-208.866.amzn2.x86_64 lang/js md/nodejs#20.15.1 api/${api}#${v}${env} m/E,N`;
    }
    case "python":
      return "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.144";
    case "go":
      return `aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/${api}#1.${rng.int(20, 40)}.3`;
    case "java":
      return "aws-sdk-java/2.26.25 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy";
    case "cli":
      return `aws-cli/2.17.18 md/awscrt#0.20.11 ua/2.0 os/${p.kind === "iam-user" ? "linux#6.5.0-1025-azure" : "macos#23.5.0"} md/arch#${p.kind === "iam-user" ? "x86_64" : "arm64"} lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#${command}`;
    case "terraform":
      return `APN/1.0 HashiCorp/1.0 Terraform/1.9.3 (+https://www.terraform.io) terraform-provider-aws/5.60.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/${api}#1.${rng.int(20, 40)}.3`;
    case "console":
      return rng.chance(0.6)
        ? "AWS Internal"
        : "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
    case "ssm-agent":
      return `aws-sdk-go/1.44.260 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.${rng.pick([551, 808, 859])}.0`;
    case "service":
      return p.service ?? "AWS Internal";
  }
}
