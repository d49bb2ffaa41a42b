import { describe, expect, it } from "vitest";
import {
  logGroupName,
  RESOURCE_SUFFIXES,
  type ResourceKind,
  resourceName,
  secretAccessMetricName,
  stageResources,
  trailBucketName,
} from "../../packages/core/src/naming.js";

const prod = { app: "secretwatch", stage: "prod" };
const dev = { app: "secretwatch", stage: "dev" };

describe("resource names", () => {
  it("put app and stage in every name, so two stages never collide", () => {
    for (const kind of Object.keys(RESOURCE_SUFFIXES) as ResourceKind[]) {
      const a = resourceName(prod, kind);
      expect(a).toMatch(/^secretwatch-prod-/);
      expect(a).not.toBe(resourceName(dev, kind));
    }
    expect(logGroupName(prod)).toBe("/secretwatch/prod/cloudtrail");
    expect(logGroupName(prod)).not.toBe(logGroupName(dev));
  });

  it("are lower-case hyphenated and within the length limit", () => {
    const odd = { app: "SecretWatch", stage: "Feature/ABC_123--very-long-branch-name-that-goes-on-and-on-and-on" };
    const name = resourceName(odd, "failureQueue");
    expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(resourceName(odd, "enricher", 20).length).toBeLessThanOrEqual(20);
  });

  it("give the trail bucket a globally unique, valid S3 name", () => {
    const name = trailBucketName(prod, "123456789012");
    expect(name).toBe("secretwatch-prod-trail-123456789012");
    const long = trailBucketName({ app: "secretwatch", stage: "x".repeat(80) }, "123456789012");
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]*-123456789012$/);
  });

  it("name the secret-access metric per stage (filters take no constant dimensions)", () => {
    expect(secretAccessMetricName(prod)).toBe("Secret is accessed (secretwatch-prod)");
    expect(secretAccessMetricName(dev)).not.toBe(secretAccessMetricName(prod));
  });
});

describe("stageResources", () => {
  it("lists every kind's name, as stacks/ creates them", () => {
    const names = stageResources(prod);
    expect(names.topic).toBe("secretwatch-prod-alerts");
    expect(names.secretAccessAlarm).toBe("secretwatch-prod-secret-access");
    expect(names.failureQueue).toBe("secretwatch-prod-enricher-failures");
    expect(names.pagerTopic).toBe("secretwatch-prod-pager");
    expect(names.policyErrorsAlarm).toBe("secretwatch-prod-enricher-policy-errors");
    expect(Object.keys(names).sort()).toEqual(Object.keys(RESOURCE_SUFFIXES).sort());
  });

  it("lets alarm names grow to CloudWatch's 255 characters, others stop at 64", () => {
    const long = { app: "secretwatch", stage: "s".repeat(100) };
    expect(resourceName(long, "blindSpotAlarm").length).toBeGreaterThan(64);
    expect(resourceName(long, "blindSpotAlarm").length).toBeLessThanOrEqual(255);
    expect(resourceName(long, "enricher").length).toBeLessThanOrEqual(64);
  });
});
