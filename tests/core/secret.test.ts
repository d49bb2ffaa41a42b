import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { enrichRecord } from "../../packages/core/src/enrich.js";
import { arnNameVariants, batchDetails, canonicalSecretKey } from "../../packages/core/src/secret.js";
import type { BatchDetails, CloudTrailRecord } from "../../packages/core/src/types.js";

const NOW = new Date("2024-05-14T09:30:00.000Z");
const read = (extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventSource: "secretsmanager.amazonaws.com",
  eventName: "GetSecretValue",
  eventID: "3b6a9d2e-1c4f-4e8a-b7d5-9f0e1a2b3c4d",
  requestParameters: { secretId: "prod/db/postgres" },
  ...extra,
});

describe("the secret a read names", () => {
  const arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db/postgres-AbC123";
  it.each([
    ["a name", "prod/db/postgres", { key: "prod/db/postgres", arn: null }],
    ["a name that looks suffixed", "db-prod-backup", { key: "db-prod-backup", arn: null }],
    ["a full ARN", arn, { key: "prod/db/postgres", arn }],
    ["a GovCloud ARN", "arn:aws-us-gov:secretsmanager:us-gov-west-1:1:secret:db-a1B2c3", { key: "db" }],
    ["a partial ARN", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-prod", { key: "db-prod" }],
    ["a suffix of 5 characters", "arn:aws:secretsmanager:eu-west-1:1:secret:db-AbC12", { key: "db-AbC12" }],
    [
      "another service's ARN",
      "arn:aws:ssm:eu-west-1:1:parameter/db-AbC123",
      { key: "arn:aws:ssm:eu-west-1:1:parameter/db-AbC123", arn: null },
    ],
    ["an empty id", "", { key: "", arn: null }],
  ])("%s", (_case, secretId, expected) => {
    expect(canonicalSecretKey(secretId)).toMatchObject(expected);
  });

  it("reads any text as the ARN's pattern does: the name after the last colon, without a final -XXXXXX", () => {
    // What the key and the variants mean, spelt with the patterns' own capture groups.
    const ARN = /^arn:[a-z0-9-]+:secretsmanager:[^:]*:[^:]*:secret:([^:]+)$/;
    const SUFFIX = /^(.+)-[A-Za-z0-9]{6}$/;
    const part = fc.constantFrom("", "a", "-", ":", "/", "\n", "\u2028", "Ab1", "-AbC123", "-AbC12", "x-y");
    const id = fc.oneof(
      fc.string(),
      fc.array(part, { maxLength: 4 }).map((p) => `arn:aws:secretsmanager:eu-west-1:1:secret:${p.join("")}`),
      fc.array(part, { maxLength: 6 }).map((p) => `arn:${p.join("")}`),
    );
    fc.assert(
      fc.property(id, (text) => {
        const name = ARN.exec(text)?.[1];
        const stripped = name === undefined ? undefined : SUFFIX.exec(name)?.[1];
        expect(canonicalSecretKey(text)).toEqual(
          name === undefined ? { key: text, arn: null } : { key: stripped ?? name, arn: text },
        );
        expect(arnNameVariants(text)).toEqual(name === undefined ? [] : stripped ? [name, stripped] : [name]);
      }),
      { numRuns: 3000 },
    );
  });

  it("gives the same key whether the secret is read by name or by ARN", () => {
    const byName = enrichRecord(read({ requestParameters: { secretId: "prod/db/postgres" } }), { now: NOW });
    const byArn = enrichRecord(read({ requestParameters: { secretId: arn } }), { now: NOW });
    expect(byName.secretId).toBe("prod/db/postgres");
    expect(byArn.secretId).toBe(byName.secretId);
    expect([byName.secretArn, byArn.secretArn]).toEqual([null, arn]);
    expect([byName.requestedSecretId, byArn.requestedSecretId]).toEqual(["prod/db/postgres", arn]);
  });

  it.each<[string, unknown[], string | null]>([
    ["a secret resource", [{ accountId: "111122223333", type: "AWS::SecretsManager::Secret", ARN: arn }], arn],
    ["the older aRN spelling", [{ type: "AWS::SecretsManager::Secret", aRN: arn }], arn],
    [
      "another resource type first",
      [
        { type: "AWS::KMS::Key", ARN: "arn:aws:kms:eu-west-1:1:key/k" },
        { type: "AWS::SecretsManager::Secret", ARN: arn },
      ],
      arn,
    ],
    ["only other resource types", [{ type: "AWS::KMS::Key", ARN: "arn:aws:kms:eu-west-1:1:key/k" }], null],
    ["odd entries", [null, "x", { type: "AWS::SecretsManager::Secret", ARN: 5 }], null],
  ])("takes the ARN of a read by name from resources[]: %s", (_case, resources, expected) => {
    const hit = enrichRecord(read({ resources }), { now: NOW });
    expect([hit.secretId, hit.requestedSecretId, hit.secretArn]).toEqual([
      "prod/db/postgres",
      "prod/db/postgres",
      expected,
    ]);
  });
});

describe("batch broadness", () => {
  const generic = "filter-based batch can return every matching secret";
  it.each<[string, unknown, Partial<BatchDetails>]>([
    ["a secretIdList", { secretIdList: ["a", "b"] }, { broad: false, broadReasons: [], filters: null }],
    ["a name filter", { filters: [{ key: "name", values: ["prod/app"] }] }, { broad: true, broadReasons: [generic] }],
    [
      "a negated value",
      { filters: [{ key: "description", values: ["!prod"] }] },
      { broad: true, broadReasons: [generic, 'negated filter value "!prod" matches every secret except those'] },
    ],
    [
      "a two-character value",
      { filters: [{ key: "name", values: ["db"] }] },
      { broad: true, broadReasons: [generic, 'very short filter value "db" matches many secrets'] },
    ],
    [
      "key all",
      { filters: [{ key: "all", values: ["prod"] }] },
      { broad: true, broadReasons: [generic, 'filter key "all" matches names, descriptions, tags and more'] },
    ],
    [
      "a tag-key",
      { filters: [{ key: "tag-key", values: ["Team"] }] },
      { broad: true, broadReasons: [generic, "tag-key filter matches every secret that carries the tag"] },
    ],
    ["an empty filter list", { filters: [] }, { broad: false, filters: [] }],
    ["filters of the wrong type", { filters: "all" }, { broad: false, filters: null }],
    [
      "odd filter entries",
      { filters: [null, { key: 1 }, { key: "name", values: "x" }] },
      { filters: [{ key: "name", values: [] }] },
    ],
    ["no parameters", null, { broad: false, filters: null, secretIdList: null }],
  ])("%s", (_case, params, expected) => {
    expect(batchDetails(params)).toMatchObject(expected);
    const hit = enrichRecord(read({ eventName: "BatchGetSecretValue", requestParameters: params as null }), {
      now: NOW,
    });
    expect(hit).toMatchObject({ secretId: null, requestedSecretId: null, batch: expected });
  });
});

describe("arnNameVariants: the names an ARN may stand for (decoy and sensitive patterns only)", () => {
  const ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret";
  it.each<[string, string[]]>([
    [`${ARN}:prod/db-AbC123`, ["prod/db-AbC123", "prod/db"]],
    [`${ARN}:canary/db-backup`, ["canary/db-backup", "canary/db"]],
    [`${ARN}:prod/db`, ["prod/db"]],
    ["prod/db-AbC123", []],
    ["arn:aws:iam::111122223333:role/x", []],
  ])("%s", (id, names) => {
    expect(arnNameVariants(id)).toEqual(names);
  });
});
