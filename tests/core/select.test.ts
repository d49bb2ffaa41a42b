import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BATCH_GET_SECRET_VALUE, GET_SECRET_VALUE, SECRETS_MANAGER_SOURCE } from "../../packages/core/src/events.js";
import { isSecretValueRetrieval, selectSecretValueRetrievals } from "../../packages/core/src/select.js";
import type { CloudTrailRecord } from "../../packages/core/src/types.js";
import { cloudTrailFixture } from "../helpers/fixtures.js";

const fixture = (name: string) => cloudTrailFixture<CloudTrailRecord>(name);

const record = (eventSource: string, eventName: string, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventSource,
  eventName,
  eventID: "e",
  ...extra,
});

describe("isSecretValueRetrieval on real records", () => {
  it("selects the 25 GetSecretValue/BatchGetSecretValue records and not ListSecrets", () => {
    const records = fixture("stratus-secretsmanager");
    expect(records).toHaveLength(26);
    const selected = records.filter(isSecretValueRetrieval);
    expect(selected).toHaveLength(25);
    expect(selected.filter((r) => r.eventName === GET_SECRET_VALUE)).toHaveLength(20);
    expect(selected.filter((r) => r.eventName === BATCH_GET_SECRET_VALUE)).toHaveLength(5);
    expect(records.filter((r) => !isSecretValueRetrieval(r)).map((r) => r.eventName)).toEqual(["ListSecrets"]);
  });

  it("selects every read of the quirks fixture, whatever its eventID and eventTime, and nothing else", () => {
    const records = fixture("quirks");
    const { expected } = JSON.parse(
      readFileSync(new URL("../fixtures/cloudtrail/quirks.expected.json", import.meta.url), "utf8"),
    ) as { expected: unknown[] };
    expect(records.map(isSecretValueRetrieval)).toEqual(expected.map((want) => want !== null));
    expect(selectSecretValueRetrievals(records.map((record) => ({ record })))).toHaveLength(
      expected.filter((want) => want !== null).length,
    );
  });

  it("selects none of the 85 records of other techniques (EC2 passwords, SSM parameters, STS, IAM…)", () => {
    const records = fixture("stratus-other-techniques");
    expect(records).toHaveLength(85);
    expect(records.filter(isSecretValueRetrieval)).toEqual([]);
  });

  it("never selects a policy document that grants secretsmanager:GetSecretValue, nor metadata reads", () => {
    const traps = fixture("policy-traps");
    expect(traps.map((r) => r.eventName)).toEqual([
      "PutResourcePolicy",
      "PutRolePolicy",
      "CreatePolicy",
      "DescribeSecret",
      "GetResourcePolicy",
      "GetParameter",
    ]);
    // The three policy changes carry the action name in their text: a bare-term match would count them.
    expect(traps.slice(0, 3).every((r) => JSON.stringify(r).includes("secretsmanager:GetSecretValue"))).toBe(true);
    expect(traps.filter(isSecretValueRetrieval)).toEqual([]);
  });
});

describe("isSecretValueRetrieval compares fields exactly", () => {
  it.each([
    [SECRETS_MANAGER_SOURCE, GET_SECRET_VALUE, true],
    [SECRETS_MANAGER_SOURCE, BATCH_GET_SECRET_VALUE, true],
    [SECRETS_MANAGER_SOURCE, "ListSecrets", false],
    [SECRETS_MANAGER_SOURCE, "PutSecretValue", false],
    [SECRETS_MANAGER_SOURCE, "getsecretvalue", false],
    [SECRETS_MANAGER_SOURCE, "GetSecretValue ", false],
    [SECRETS_MANAGER_SOURCE, "GetSecretValues", false],
    [SECRETS_MANAGER_SOURCE, "secretsmanager:GetSecretValue", false],
    [SECRETS_MANAGER_SOURCE, "", false],
    ["ssm.amazonaws.com", GET_SECRET_VALUE, false],
    ["secretsmanager.amazonaws.com.attacker.example", GET_SECRET_VALUE, false],
    ["SECRETSMANAGER.AMAZONAWS.COM", GET_SECRET_VALUE, false],
  ])("%s %s → %s", (eventSource, eventName, expected) => {
    expect(isSecretValueRetrieval(record(eventSource, eventName))).toBe(expected);
  });

  it("needs neither eventID nor eventTime: a read missing them is still selected", () => {
    const bare: CloudTrailRecord = { eventSource: SECRETS_MANAGER_SOURCE, eventName: GET_SECRET_VALUE };
    expect(isSecretValueRetrieval(bare)).toBe(true);
    const odd = { ...bare, eventName: BATCH_GET_SECRET_VALUE, eventID: 7, eventTime: 1729201871 };
    expect(isSecretValueRetrieval(odd as unknown as CloudTrailRecord)).toBe(true);
  });

  it("selects failed reads too: a denied read is worth an alert", () => {
    const denied = record(SECRETS_MANAGER_SOURCE, GET_SECRET_VALUE, { errorCode: "AccessDenied" });
    expect(isSecretValueRetrieval(denied)).toBe(true);
  });
});

describe("selectSecretValueRetrievals", () => {
  it("keeps the matching entries, in order, with their other fields", () => {
    const entries = [
      { id: "1", record: record(SECRETS_MANAGER_SOURCE, GET_SECRET_VALUE) },
      { id: "2", record: record("iam.amazonaws.com", "PutRolePolicy") },
      { id: "3", record: record(SECRETS_MANAGER_SOURCE, BATCH_GET_SECRET_VALUE) },
      { id: "4", record: record(SECRETS_MANAGER_SOURCE, "ListSecrets") },
    ];
    const selected = selectSecretValueRetrievals(entries);
    expect(selected.map((e) => e.id)).toEqual(["1", "3"]);
    expect(selected[0]).toBe(entries[0]);
    expect(selectSecretValueRetrievals([])).toEqual([]);
  });
});
