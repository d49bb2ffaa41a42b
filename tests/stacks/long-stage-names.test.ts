/**
 * Scenario: a stage with a long, mixed-case name (SST allows `[a-zA-Z0-9-]`, of any length).
 * Every physical name the stacks declare, SST's own included, stays within its AWS limit, and
 * carries the hash that keeps this stage apart from `dev-…` or another long name with the same
 * start (packages/core/src/naming.ts).
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { stageResources } from "../../packages/core/src/naming";
import { recorded } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

const STAGE = `Dev-${"Very-Long-Feature-Branch-".repeat(8)}X`;
const HASH = createHash("sha256").update(STAGE).digest("hex").slice(0, 8);

/** The physical names a resource type takes, and AWS's limit for each (see naming.ts). */
const NAMED: Record<string, { field: (inputs: Record<string, any>) => unknown; limit: number }> = {
  "aws:s3/bucket:Bucket": { field: (i) => i.bucket, limit: 63 },
  "aws:cloudtrail/trail:Trail": { field: (i) => i.name, limit: 128 },
  "aws:iam/role:Role": { field: (i) => i.name, limit: 64 },
  "aws:iam/rolePolicy:RolePolicy": { field: (i) => i.name, limit: 128 },
  "aws:cloudwatch/logGroup:LogGroup": { field: (i) => i.name, limit: 512 },
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": { field: (i) => i.name, limit: 512 },
  "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": { field: (i) => i.name, limit: 512 },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { field: (i) => i.name, limit: 255 },
  "aws:cloudwatch/dashboard:Dashboard": { field: (i) => i.dashboardName, limit: 255 },
  "aws:sns/topic:Topic": { field: (i) => i.name, limit: 256 },
  "aws:lambda/function:Function": { field: (i) => i.name, limit: 64 },
  "aws:sqs/queue:Queue": { field: (i) => i.name, limit: 80 },
  "aws:dynamodb/table:Table": { field: (i) => i.name, limit: 255 },
  "aws:scheduler/schedule:Schedule": { field: (i) => i.name, limit: 64 },
  "aws:secretsmanager/secret:Secret": { field: (i) => i.name, limit: 512 },
  "aws:glue/catalogDatabase:CatalogDatabase": { field: (i) => i.name, limit: 255 },
  "aws:glue/catalogTable:CatalogTable": { field: (i) => i.name, limit: 255 },
  "aws:athena/workgroup:Workgroup": { field: (i) => i.name, limit: 128 },
};

/** Named within another resource (a role's inline policy, a database's table): no stage in their names. */
const WITHIN = new Set(["aws:iam/rolePolicy:RolePolicy", "aws:glue/catalogTable:CatalogTable"]);

beforeAll(async () => {
  await runApp({
    stage: STAGE,
    env: { alertEmails: "me@example.com", pagerEmails: "pager@example.com", demoSecret: "true" },
  });
});

const physical = () =>
  recorded
    .filter((r) => r.custom)
    .flatMap((r) => {
      const rule = NAMED[r.type];
      const name = rule?.field(r.inputs) ?? r.inputs.name;
      return typeof name === "string" ? [{ resource: `${r.type} ${r.name}`, type: r.type, name }] : [];
    });

describe(`stage ${STAGE.slice(0, 24)}… (${STAGE.length} characters)`, () => {
  it("declares every named resource type with a known limit", () => {
    const types = new Set(physical().map((p) => p.type));
    expect(types.size).toBeGreaterThan(10);
    for (const type of types) expect(NAMED[type], `add the name limit of ${type}`).toBeDefined();
  });

  it("keeps every physical name within its AWS limit", () => {
    for (const { resource, type, name } of physical()) {
      expect(name.length, `${resource}: ${name}`).toBeLessThanOrEqual(NAMED[type]?.limit ?? 0);
    }
  });

  it("marks every stage name with the hash of the raw stage name", () => {
    // Role policies are named within their role, the history table within its database; every other name carries the stage.
    const staged = physical().filter((p) => !WITHIN.has(p.type));
    for (const { resource, name } of staged) expect(name, resource).toContain(HASH);
    const dev = new Set(Object.values(stageResources({ app: "secretwatch", stage: "dev" })));
    for (const { resource, name } of staged) expect(dev.has(name), resource).toBe(false);
  });
});
