/**
 * The resources a run registered, and small queries over them.
 */
import { expect } from "vitest";

export interface Recorded {
  /** Pulumi type token, e.g. `aws:cloudtrail/trail:Trail`, or `sst:aws:Function`. */
  type: string;
  /** Logical name. */
  name: string;
  /** Custom resource (false for components). */
  custom: boolean;
  /** Inputs as the provider would receive them (Outputs resolved). */
  inputs: Record<string, any>;
  /** The mocked provider's answer: the inputs plus `arn`, `url`... */
  outputs: Record<string, any>;
  /** Logical name of the parent (a component, or the stack). */
  parent?: string;
  /** Names of the resources in the explicit `dependsOn` option. */
  dependsOn: string[];
  /**
   * Logical names of every resource the engine is told this one depends on: explicit
   * `dependsOn` (a component expanded into its custom children) plus those its inputs refer to.
   */
  dependencies: string[];
  retainOnDelete?: boolean;
  protect?: boolean;
  ignoreChanges: string[];
}

export const recorded: Recorded[] = [];

export const ofType = (type: string): Recorded[] => recorded.filter((r) => r.type === type);

/** The one resource with this logical name (fails the test otherwise). */
export function named(name: string): Recorded {
  const found = recorded.filter((r) => r.name === name);
  expect(
    found.map((r) => r.name),
    `resources named ${name}`,
  ).toEqual([name]);
  return found[0] as Recorded;
}

/** The one resource of this type (fails the test when there are none or several). */
export function onlyOfType(type: string): Recorded {
  const found = ofType(type);
  expect(
    found.map((r) => r.name),
    `resources of type ${type}`,
  ).toHaveLength(1);
  return found[0] as Recorded;
}

/** The mocked ARN of a resource: what the resources that refer to it receive. */
export function arnOf(name: string): string {
  const arn = named(name).outputs.arn;
  expect(arn, `ARN of ${name}`).toMatch(/^arn:/);
  return arn;
}

/** Pulumi's marker of a secret value in serialized inputs. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Unwraps an input that may be a Pulumi secret; says whether it was one. */
export function secretValue(input: unknown): { secret: boolean; value: unknown } {
  if (input && typeof input === "object" && (input as any)["4dabf18193072939515e22adb298388d"] === SECRET_SIG) {
    return { secret: true, value: (input as { value: unknown }).value };
  }
  return { secret: false, value: input };
}

/** Custom resources whose parent chain includes the component `name`. */
export function childrenOf(name: string): Recorded[] {
  const parentOf = new Map(recorded.map((r) => [r.name, r.parent]));
  const within = (r: Recorded): boolean => {
    for (let p = r.parent; p !== undefined; p = parentOf.get(p)) if (p === name) return true;
    return false;
  };
  return recorded.filter((r) => r.custom && within(r));
}

export const T = {
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  cors: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
  trail: "aws:cloudtrail/trail:Trail",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  metricFilter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  queue: "aws:sqs/queue:Queue",
  function: "aws:lambda/function:Function",
  eventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  permission: "aws:lambda/permission:Permission",
  subscriptionFilter: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
} as const;
