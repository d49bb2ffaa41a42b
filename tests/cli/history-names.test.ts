/**
 * The names of a stage's history resources (packages/core/src/naming.ts): valid for Glue,
 * Athena and S3 whatever the stage is called, within their limits, distinct between stages.
 */
import { describe, expect, it } from "vitest";
import {
  HISTORY_NAME_LIMITS,
  historyDatabaseName,
  historyResultsBucketName,
  historyWorkgroupName,
} from "../../packages/core/src/naming.js";

const ACCOUNT = "111122223333";
const stages = ["dev", "prod", "Dev", "a--b", "a-b", "feature-x".repeat(30), "x".repeat(200), "9lives"];
const ref = (stage: string) => ({ app: "secretwatch", stage });

describe("history resource names", () => {
  it("keep a canonical stage's plain names", () => {
    expect(historyDatabaseName(ref("prod"))).toBe("secretwatch_prod_history");
    expect(historyWorkgroupName(ref("prod"))).toBe("secretwatch-prod-history");
    expect(historyResultsBucketName(ref("prod"), ACCOUNT)).toBe(`secretwatch-prod-history-${ACCOUNT}`);
  });

  it.each(stages)("are valid and within limits for stage %j", (stage) => {
    const database = historyDatabaseName(ref(stage));
    expect(database).toMatch(/^[a-z0-9_]+$/);
    expect(database.length).toBeLessThanOrEqual(HISTORY_NAME_LIMITS.database);
    const workgroup = historyWorkgroupName(ref(stage));
    expect(workgroup).toMatch(/^[a-zA-Z0-9._-]+$/);
    expect(workgroup.length).toBeLessThanOrEqual(HISTORY_NAME_LIMITS.workgroup);
    const bucket = historyResultsBucketName(ref(stage), ACCOUNT);
    expect(bucket).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
    expect(bucket.length).toBeLessThanOrEqual(63);
  });

  it("never give two stages the same name (Dev and dev, a--b and a-b, long names sharing a prefix)", () => {
    const many = [...stages, `${"feature-x".repeat(30)}-2`, `${"x".repeat(200)}y`];
    for (const name of [historyDatabaseName, historyWorkgroupName]) {
      const names = many.map((s) => name(ref(s)));
      expect(new Set(names).size).toBe(many.length);
    }
    const buckets = many.map((s) => historyResultsBucketName(ref(s), ACCOUNT));
    expect(new Set(buckets).size).toBe(many.length);
  });
});
