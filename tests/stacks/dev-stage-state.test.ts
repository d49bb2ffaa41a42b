/**
 * Dev stage (see ./dev-stage.ts): the state table (keys from the store's own definition, TTL,
 * billing, recovery, removable), its resource policy (only the writers may write items), the
 * deploy marker, the baseline role, what the enricher may do on the table, and the StateErrors
 * alarm. The marker is read back by the real store, from dynalite.
 */
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { ENRICHER_METRICS_NAMESPACE, resourceName } from "../../packages/core/src/naming";
import { DEFAULT_THRESHOLDS } from "../../packages/core/src/policy";
import { DynamoStateStore, STATE_TTL_ATTRIBUTE, stateTableDefinition } from "../../packages/functions/src/state";
import { startDynamo } from "../helpers/dynalite";
import { ACCOUNT, ref, topicArn } from "./dev-stage";
import { readPolicy, type Statement } from "./harness/policy";
import { denies } from "./harness/policy-eval";
import { arnOf, named, ofType } from "./harness/recorder";
import { type RunResult, runApp } from "./harness/sst-globals";

const TABLE = "aws:dynamodb/table:Table";
const POLICY = "aws:dynamodb/resourcePolicy:ResourcePolicy";
const ITEM = "aws:dynamodb/tableItem:TableItem";

let result: RunResult;
let before = 0;
let after = 0;
beforeAll(async () => {
  before = Date.now();
  result = await runApp({ stage: "dev", env: { alertEmails: "security@example.com" } });
  after = Date.now();
});

/** Every item write DynamoDB authorizes (transactions are authorized as Put/Update/Delete). */
const ITEM_WRITES = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:PartiQLInsert",
  "dynamodb:PartiQLUpdate",
  "dynamodb:PartiQLDelete",
];
const ITEM_READS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan"];
const TABLE_MANAGEMENT = [
  "dynamodb:DescribeTable",
  "dynamodb:UpdateTable",
  "dynamodb:DeleteTable",
  "dynamodb:UpdateTimeToLive",
  "dynamodb:UpdateContinuousBackups",
  "dynamodb:PutResourcePolicy",
  "dynamodb:GetResourcePolicy",
  "dynamodb:DeleteResourcePolicy",
  "dynamodb:TagResource",
];

const enricherRoleArn = () => arnOf("EnricherRole");
const baselineRoleArn = () => arnOf("StateBaselineRole");
const tablePolicy = (): Statement[] => readPolicy(named("StateTablePolicy").inputs.policy);

describe("the state table", () => {
  it("is the one table, named for the stage and output", () => {
    expect(ofType(TABLE).map((t) => t.name)).toEqual(["StateTable"]);
    expect(named("StateTable").inputs.name).toBe(resourceName(ref, "stateTable"));
    expect(named("StateTable").inputs.name).toBe("secretwatch-dev-state");
    expect(result.outputs.stateTable).toBe("secretwatch-dev-state");
  });

  it("has the keys and attribute definitions of stateTableDefinition, on demand", () => {
    const { inputs } = named("StateTable");
    const key = (type: string) => stateTableDefinition.KeySchema.find((k) => k.KeyType === type)?.AttributeName;
    expect(inputs.hashKey).toBe(key("HASH"));
    expect(inputs.rangeKey).toBe(key("RANGE"));
    expect(inputs.attributes).toEqual(
      stateTableDefinition.AttributeDefinitions.map((a) => ({ name: a.AttributeName, type: a.AttributeType })),
    );
    expect(inputs.billingMode).toBe(stateTableDefinition.BillingMode);
    // And what the definition says, so a change there is a visible change here.
    expect([inputs.hashKey, inputs.rangeKey, inputs.billingMode]).toEqual(["pk", "sk", "PAY_PER_REQUEST"]);
    expect(inputs.readCapacity ?? 0).toBe(0);
    expect(inputs.writeCapacity ?? 0).toBe(0);
  });

  it("expires items on the store's TTL attribute and keeps point-in-time recovery", () => {
    const { inputs } = named("StateTable");
    expect(inputs.ttl).toEqual({ attributeName: STATE_TTL_ATTRIBUTE, enabled: true });
    expect(STATE_TTL_ATTRIBUTE).toBe("expires");
    expect(inputs.pointInTimeRecovery).toMatchObject({ enabled: true });
  });

  it("is removed with a developer stage: no deletion protection, not retained", () => {
    expect(named("StateTable").inputs.deletionProtectionEnabled).toBe(false);
    expect(named("StateTable").retainOnDelete).not.toBe(true);
    expect(named("StateTablePolicy").retainOnDelete).not.toBe(true);
  });
});

describe("the table's resource policy", () => {
  it("is one Deny of every item write, on this table, unless the caller is a writer role", () => {
    expect(ofType(POLICY).map((p) => p.name)).toEqual(["StateTablePolicy"]);
    expect(named("StateTablePolicy").inputs.resourceArn).toBe(arnOf("StateTable"));
    const statements = tablePolicy();
    expect(statements).toHaveLength(1);
    const [deny] = statements;
    expect(deny).toMatchObject({ Effect: "Deny", Principal: "*", Resource: [arnOf("StateTable")] });
    expect([...deny!.Action].sort()).toEqual([...ITEM_WRITES].sort());
    expect(deny!.Condition).toEqual({
      ArnNotEquals: { "aws:PrincipalArn": [enricherRoleArn(), baselineRoleArn()] },
    });
  });

  it("exempts exactly the enricher's role and the baseline role from item writes", () => {
    const statements = tablePolicy();
    const resource = arnOf("StateTable");
    const others = [
      `arn:aws:iam::${ACCOUNT}:root`,
      `arn:aws:iam::${ACCOUNT}:user/deployer`,
      `arn:aws:iam::${ACCOUNT}:role/Admin`,
      `arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-enricher-copy`,
      "arn:aws:iam::999988887777:role/secretwatch-dev-enricher",
    ];
    for (const action of ITEM_WRITES) {
      for (const principalArn of others) {
        expect(denies(statements, { principalArn, action, resource }), `${principalArn} ${action}`).toBe(true);
      }
      for (const principalArn of [enricherRoleArn(), baselineRoleArn()]) {
        expect(denies(statements, { principalArn, action, resource }), `${principalArn} ${action}`).toBe(false);
      }
    }
  });

  it("denies no read and no table management to anyone (the root user keeps managing table and policy)", () => {
    const statements = tablePolicy();
    const resource = arnOf("StateTable");
    for (const action of [...ITEM_READS, ...TABLE_MANAGEMENT]) {
      for (const principalArn of [`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:role/Admin`]) {
        expect(denies(statements, { principalArn, action, resource }), `${principalArn} ${action}`).toBe(false);
      }
    }
    expect(named("StateTablePolicy").inputs.confirmRemoveSelfResourceAccess).toBeUndefined();
  });

  it("names the enricher's role by the ARN the role really has", () => {
    expect(enricherRoleArn()).toBe(`arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-enricher`);
    expect(tablePolicy()[0]!.Condition.ArnNotEquals!["aws:PrincipalArn"]).toContain(named("EnricherRole").outputs.arn);
  });

  it("is attached after the deploy marker is written (the deployer is no writer)", () => {
    expect(named("StateTablePolicy").dependsOn).toEqual(["StateDeployMarker"]);
    expect(named("StateTablePolicy").dependencies).toEqual(expect.arrayContaining(["StateDeployMarker", "StateTable"]));
  });
});

describe("the deploy marker", () => {
  const marker = () => named("StateDeployMarker");
  const item = () => JSON.parse(marker().inputs.item) as Record<string, { S?: string; N?: string }>;

  it("is meta/deployed with `at`, the deploy's time in epoch ms, and nothing else", () => {
    expect(ofType(ITEM).map((i) => i.name)).toEqual(["StateDeployMarker"]);
    expect(marker().inputs).toMatchObject({ tableName: "secretwatch-dev-state", hashKey: "pk", rangeKey: "sk" });
    const { at, ...keys } = item();
    expect(keys).toEqual({ pk: { S: "meta" }, sk: { S: "deployed" } });
    expect(at?.N).toMatch(/^\d+$/);
    expect(Number(at?.N)).toBeGreaterThanOrEqual(before);
    expect(Number(at?.N)).toBeLessThanOrEqual(after);
  });

  it("keeps the first deploy's time on later deploys, and is never deleted by Pulumi", () => {
    expect(marker().ignoreChanges).toEqual(["item"]);
    expect(marker().retainOnDelete).toBe(true);
  });

  it("is what the state store reads as the stage's deploy time", async () => {
    const db = await startDynamo();
    try {
      await db.client.send(new PutItemCommand({ TableName: db.tableName, Item: item() as never }));
      const store = new DynamoStateStore({
        client: db.client,
        tableName: db.tableName,
        thresholds: DEFAULT_THRESHOLDS,
      });
      const snapshot = await store.load({ pairs: [], windows: [], alerts: [] });
      expect(snapshot.meta).toEqual({ deployedAt: Number(item().at?.N), baselineAt: null });
    } finally {
      await db.stop();
    }
  });
});

describe("the baseline role", () => {
  it("may be assumed by this account's principals (as their own IAM policies allow), nobody else", () => {
    const role = named("StateBaselineRole");
    expect(role.inputs.name).toBe(resourceName(ref, "stateBaselineRole"));
    expect(readPolicy(role.inputs.assumeRolePolicy)).toEqual<Statement[]>([
      {
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] },
        Action: ["sts:AssumeRole"],
        Resource: [],
        Condition: {},
      },
    ]);
  });

  it("may read the pairs it merges with and write items, on this table only", () => {
    const role = named("StateBaselineRole");
    expect(role.inputs.managedPolicyArns).toEqual([]);
    expect(role.inputs.inlinePolicies).toHaveLength(1);
    const statements = readPolicy(role.inputs.inlinePolicies[0].policy);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: "Allow", Resource: [arnOf("StateTable")], Condition: {} });
    expect([...statements[0]!.Action].sort()).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
    ]);
  });
});

describe("the enricher on the table", () => {
  it("gets the table's name", () => {
    expect(named("EnricherFunction").inputs.environment.variables.SECRETWATCH_TABLE_NAME).toBe("secretwatch-dev-state");
  });

  it("may use only the item actions it needs, on the table's ARN only", () => {
    const statements = readPolicy(named("EnricherRole").inputs.inlinePolicies[0].policy);
    const dynamo = statements.filter((s) => s.Action.some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]).toMatchObject({ Effect: "Allow", Resource: [arnOf("StateTable")], Condition: {} });
    expect([...dynamo[0]!.Action].sort()).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
  });
});

describe("StateErrors", () => {
  it("alarms at the first state error of the enricher, to the topic", () => {
    expect(named("EnricherStateErrorsAlarm").inputs).toMatchObject({
      name: "secretwatch-dev-enricher-state-errors",
      namespace: ENRICHER_METRICS_NAMESPACE,
      metricName: "StateErrors",
      dimensions: { service: "secretwatch-dev-enricher" },
      statistic: "Sum",
      period: 300,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
      alarmActions: [topicArn()],
    });
    expect(named("EnricherStateErrorsAlarm").inputs.name).toBe(resourceName(ref, "stateErrorsAlarm"));
    expect(named("EnricherStateErrorsAlarm").inputs.alarmDescription).toMatch(/^secretwatch dev: .*state table/);
  });

  it("is graphed with the table's consumption and throttling", () => {
    const body = JSON.parse(named("Dashboard").inputs.dashboardBody) as { widgets: any[] };
    const widget = body.widgets.find((w) => w.properties.title === "State table");
    expect(widget?.properties.metrics).toEqual([
      [ENRICHER_METRICS_NAMESPACE, "StateErrors", "service", "secretwatch-dev-enricher"],
      ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "secretwatch-dev-state"],
      ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", "secretwatch-dev-state"],
      ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", "secretwatch-dev-state"],
      ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", "secretwatch-dev-state"],
    ]);
    const alarms = body.widgets.filter((w) => w.type === "alarm").flatMap((w) => w.properties.alarms);
    expect(alarms).toContain(arnOf("EnricherStateErrorsAlarm"));
  });
});
