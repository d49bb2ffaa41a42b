/** Noise calls on compute and deployment services: EC2, SSM, Lambda, ECS, ELB, CloudFormation, ECR, Logs. */
import type { CallContext, CallSpec, Json } from "./record.js";

export type Op = (ctx: CallContext) => CallSpec;

const items = (values: Json[]) => ({ items: values });
const filter = (name: string, ...values: string[]) => ({ name, valueSet: items(values.map((value) => ({ value }))) });

export const infraOps: Record<string, Op> = {
  DescribeInstances: ({ rng, account }) => ({
    service: "ec2",
    name: "DescribeInstances",
    readOnly: true,
    requestParameters: rng.chance(0.5)
      ? { instancesSet: items([{ instanceId: rng.pick(account.instances) }]), filterSet: {} }
      : { maxResults: 1000, instancesSet: {}, filterSet: items([filter("instance-state-name", "running", "stopped")]) },
  }),
  DescribeSecurityGroups: ({ rng }) => ({
    service: "ec2",
    name: "DescribeSecurityGroups",
    readOnly: true,
    requestParameters: {
      securityGroupSet: {},
      securityGroupIdSet: items([{ groupId: `sg-0${rng.hex(16)}` }]),
      filterSet: {},
    },
  }),
  DescribeSubnets: ({ rng }) => ({
    service: "ec2",
    name: "DescribeSubnets",
    readOnly: true,
    requestParameters: { subnetSet: {}, filterSet: items([filter("vpc-id", `vpc-0${rng.hex(16)}`)]) },
  }),
  DescribeNetworkInterfaces: ({ rng }) => ({
    service: "ec2",
    name: "DescribeNetworkInterfaces",
    readOnly: true,
    requestParameters: {
      networkInterfaceIdSet: items([{ networkInterfaceId: `eni-0${rng.hex(16)}` }]),
      filterSet: {},
    },
  }),
  DescribeVolumes: () => ({
    service: "ec2",
    name: "DescribeVolumes",
    readOnly: true,
    requestParameters: { volumeSet: {}, filterSet: {}, maxResults: 500 },
  }),
  DescribeRegions: () => ({
    service: "ec2",
    name: "DescribeRegions",
    readOnly: true,
    requestParameters: { regionSet: {}, allRegions: false },
  }),
  CreateTags: ({ rng, account }) => ({
    service: "ec2",
    name: "CreateTags",
    readOnly: false,
    requestParameters: {
      resourcesSet: items([{ resourceId: rng.pick(account.instances) }]),
      tagSet: items([{ key: "aws:autoscaling:groupName", value: `asg-${rng.hex(8)}` }]),
    },
    responseElements: { requestId: rng.uuid(), _return: true },
  }),
  UpdateInstanceInformation: ({ rng, region, principal }) => {
    const ip = `10.0.${rng.int(0, 63)}.${rng.int(4, 250)}`;
    return {
      service: "ssm",
      name: "UpdateInstanceInformation",
      readOnly: false,
      requestParameters: {
        instanceId: rng.pick(principal.sessions),
        agentVersion: "3.3.808.0",
        agentStatus: "Active",
        platformType: "Linux",
        platformName: "Amazon Linux",
        platformVersion: "2023",
        iPAddress: ip,
        computerName: `ip-${ip.replaceAll(".", "-")}.${region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`}`,
        agentName: "amazon-ssm-agent",
        availabilityZone: `${region}${rng.pick(["a", "b", "c"])}`,
        availabilityZoneId: `use1-az${rng.int(1, 6)}`,
        sSMConnectionChannel: "ssmmessages",
      },
    };
  },
  ListInstanceAssociations: ({ rng, principal }) => ({
    service: "ssm",
    name: "ListInstanceAssociations",
    readOnly: true,
    requestParameters: { instanceId: rng.pick(principal.sessions), maxResults: 20 },
  }),
  GetParameter: ({ rng, account }) => ({
    service: "ssm",
    name: "GetParameter",
    readOnly: true,
    requestParameters: { name: rng.pick(account.parameters), withDecryption: rng.chance(0.5) },
  }),
  GetParametersByPath: ({ rng, account }) => ({
    service: "ssm",
    name: "GetParametersByPath",
    readOnly: true,
    requestParameters: {
      path: `/${account.name}/${rng.pick(account.functions).split("-")[0]}`,
      recursive: true,
      withDecryption: true,
    },
  }),
  GetFunction: ({ rng, account }) => ({
    service: "lambda",
    name: "GetFunction20150331v2",
    readOnly: true,
    requestParameters: { functionName: rng.pick(account.functions) },
  }),
  ListFunctions: () => ({ service: "lambda", name: "ListFunctions20150331", readOnly: true }),
  GetPolicyLambda: ({ rng, account }) => ({
    service: "lambda",
    name: "GetPolicy20150331v2",
    readOnly: true,
    requestParameters: { functionName: rng.pick(account.functions) },
    error: rng.chance(0.6)
      ? { code: "ResourceNotFoundException", message: "The resource you requested does not exist." }
      : undefined,
  }),
  DescribeServices: ({ rng, account, region }) => ({
    service: "ecs",
    name: "DescribeServices",
    readOnly: true,
    requestParameters: {
      cluster: `arn:aws:ecs:${region}:${account.id}:cluster/${account.name}`,
      services: [rng.pick(account.functions).split("-")[0] ?? "orders"],
      include: ["TAGS"],
    },
  }),
  DiscoverPollEndpoint: ({ rng, account, region }) => ({
    service: "ecs",
    name: "DiscoverPollEndpoint",
    readOnly: true,
    requestParameters: {
      containerInstance: `arn:aws:ecs:${region}:${account.id}:container-instance/${account.name}/${rng.hex(32)}`,
      cluster: account.name,
    },
    responseElements: {
      endpoint: `https://ecs-a-${rng.int(1, 9)}.${region}.amazonaws.com/`,
      telemetryEndpoint: `https://ecs-t-${rng.int(1, 9)}.${region}.amazonaws.com/`,
      serviceConnectEndpoint: `https://ecs-sc.${region}.api.aws`,
    },
  }),
  DescribeTargetHealth: ({ rng, account, region }) => ({
    service: "elasticloadbalancing",
    name: "DescribeTargetHealth",
    readOnly: true,
    apiVersion: "2015-12-01",
    requestParameters: {
      targetGroupArn: `arn:aws:elasticloadbalancing:${region}:${account.id}:targetgroup/${rng.pick(account.functions)}/${rng.hex(16)}`,
    },
  }),
  DescribeStacks: ({ rng, account }) => ({
    service: "cloudformation",
    name: "DescribeStacks",
    readOnly: true,
    requestParameters: { stackName: `${account.name}-${rng.pick(account.functions)}` },
  }),
  GetAuthorizationToken: () => ({ service: "ecr", name: "GetAuthorizationToken", readOnly: true }),
  CreateLogStream: ({ rng, account, time }) => ({
    service: "logs",
    name: "CreateLogStream",
    readOnly: false,
    requestParameters: {
      logGroupName: `/aws/lambda/${rng.pick(account.functions)}`,
      logStreamName: `${time.toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${rng.hex(32)}`,
    },
  }),
  DescribeLogGroups: ({ rng }) => ({
    service: "logs",
    name: "DescribeLogGroups",
    readOnly: true,
    requestParameters: rng.chance(0.5) ? { logGroupNamePrefix: "/aws/lambda/", limit: 50 } : null,
  }),
  StartQuery: ({ rng, account, time }) => ({
    service: "logs",
    name: "StartQuery",
    readOnly: true,
    requestParameters: {
      logGroupNames: [rng.pick(account.logGroups)],
      startTime: Math.floor(time.getTime() / 1000) - 3600,
      endTime: Math.floor(time.getTime() / 1000),
      queryString:
        "fields @timestamp, @message, @logStream | filter @message like /ERROR/ | sort @timestamp desc | limit 200",
    },
    responseElements: { queryId: rng.uuid() },
  }),
};
