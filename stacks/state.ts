/**
 * The state table: what the enricher remembers across invocations (pairs seen, each actor's
 * recent reads, the last alert per group, delivery records), one table per stage. Its keys
 * come from `stateTableDefinition`, the definition the store, its tests and the benchmark
 * create the table from. On demand, TTL on the store's expiry attribute, point-in-time
 * recovery, encrypted with an AWS owned key (DynamoDB's default: no KMS key to pay for or
 * grant); production keeps it (deletion protection, retained on `sst remove`).
 *
 * Item writes are DynamoDB data events, which the trail (management events only) does not
 * log: anyone able to write "seen" or "already alerted" items could silence alerts and leave
 * no trace. So the table's resource policy denies item writes to every principal but the
 * writers below. Changing or deleting that policy is a management event the trail does log,
 * and only item writes are denied, so the account's administrators (the root user included)
 * keep managing the table and its policy: nobody is locked out.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
import type { ResourceKind } from "../packages/core/src/naming";
import { STATE_TTL_ATTRIBUTE, stateTableDefinition } from "../packages/functions/src/state";
import { accountId, nameOf, partition, production } from "./settings";

type KeyType = (typeof stateTableDefinition.KeySchema)[number]["KeyType"];

/** The attribute named for `type` in the definition's key schema. */
function keyOf(type: KeyType): string {
  const key = stateTableDefinition.KeySchema.find((k) => k.KeyType === type);
  if (!key) throw new Error(`stateTableDefinition has no ${type} key`);
  return key.AttributeName;
}

export const stateTableName = nameOf("stateTable");
const hashKey = keyOf("HASH");
const rangeKey = keyOf("RANGE");

export const stateTable = new aws.dynamodb.Table(
  "StateTable",
  {
    name: stateTableName,
    billingMode: stateTableDefinition.BillingMode,
    hashKey,
    rangeKey,
    attributes: stateTableDefinition.AttributeDefinitions.map((a) => ({
      name: a.AttributeName,
      type: a.AttributeType,
    })),
    ttl: { attributeName: STATE_TTL_ATTRIBUTE, enabled: true },
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: production,
  },
  { retainOnDelete: production },
);

/**
 * The stage's first deploy, which learning is measured from (the store reads `at`, epoch ms,
 * from `meta`/`deployed`). `Date.now()` is taken on every run, but `ignoreChanges` keeps the
 * value written on create, so later deploys never move it. Written by the deploying principal
 * before the resource policy exists (the policy depends on it), and never deleted by Pulumi:
 * the table's own deletion removes it, and a retained table keeps it. (A DeleteItem on removal
 * would be denied, or race the eventually consistent removal of the policy.)
 */
export const DEPLOY_MARKER = { pk: "meta", sk: "deployed", attribute: "at" } as const;

export const stateDeployMarker = new aws.dynamodb.TableItem(
  "StateDeployMarker",
  {
    tableName: stateTable.name,
    hashKey,
    rangeKey,
    item: JSON.stringify({
      [hashKey]: { S: DEPLOY_MARKER.pk },
      [rangeKey]: { S: DEPLOY_MARKER.sk },
      [DEPLOY_MARKER.attribute]: { N: String(Date.now()) },
    }),
  },
  { ignoreChanges: ["item"], retainOnDelete: true },
);

/** What `secretwatch baseline` does on the table: loads the pairs it merges with, writes pairs and the `baseline` marker. */
export const BASELINE_TABLE_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:GetItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:PutItem",
];

/**
 * The baseline command's writer: a role of the stage, not the deploying principal (who changes
 * from one deploy to the next, and whose `aws:PrincipalArn` is a role ARN with a path that its
 * caller identity does not show). Any principal of this account may assume it whose own IAM
 * policies allow `sts:AssumeRole` on it; each AssumeRole is a management event in the trail,
 * so every write to the table outside the functions is tied to a logged caller.
 */
export const stateBaselineRole = new aws.iam.Role("StateBaselineRole", {
  name: nameOf("stateBaselineRole"),
  description: `secretwatch baseline seeds ${stateTableName}`,
  assumeRolePolicy: aws.iam.getPolicyDocumentOutput({
    statements: [
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "AWS", identifiers: [$interpolate`arn:${partition}:iam::${accountId}:root`] }],
      },
    ],
  }).json,
  // Inline and exclusive: a policy attached out of band is removed on the next deploy.
  inlinePolicies: [
    {
      name: "seed-state-table",
      policy: aws.iam.getPolicyDocumentOutput({
        statements: [{ actions: BASELINE_TABLE_ACTIONS, resources: [stateTable.arn] }],
      }).json,
    },
  ],
  managedPolicyArns: [],
});

/**
 * Functions that write the table, by the naming kind of their role. Each function module
 * imports this one (for the table's name and ARN), so the ARN is built from the role's name
 * rather than read from the role; a new writer (the digest) adds its role's kind here.
 */
export const STATE_WRITER_FUNCTION_ROLES: readonly ResourceKind[] = ["enricherRole"];

const roleArn = (kind: ResourceKind) => $interpolate`arn:${partition}:iam::${accountId}:role/${nameOf(kind)}`;

/** Every principal allowed to write items (as `aws:PrincipalArn`, a role session's role ARN). */
export const stateWriterRoleArns: $util.Output<string>[] = [
  ...STATE_WRITER_FUNCTION_ROLES.map(roleArn),
  stateBaselineRole.arn,
];

/**
 * Every way to write an item. Transactions (TransactWriteItems) are authorized as the PutItem,
 * UpdateItem and DeleteItem they contain; PartiQL statements by their own actions.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
 */
export const ITEM_WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:PartiQLInsert",
  "dynamodb:PartiQLUpdate",
  "dynamodb:PartiQLDelete",
];

/** Denies item writes to all but the writers; grants nothing (each writer's own IAM policy does). */
export const stateTablePolicy = new aws.dynamodb.ResourcePolicy(
  "StateTablePolicy",
  {
    resourceArn: stateTable.arn,
    policy: aws.iam.getPolicyDocumentOutput({
      statements: [
        {
          sid: "ItemWritesOnlyBySecretwatch",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ITEM_WRITE_ACTIONS,
          resources: [stateTable.arn],
          conditions: [{ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: stateWriterRoleArns }],
        },
      ],
    }).json,
  },
  { dependsOn: [stateDeployMarker], retainOnDelete: production },
);
