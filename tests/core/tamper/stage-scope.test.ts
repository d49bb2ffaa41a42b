/** The stage's scope by the stacks' naming rule: the fixtures' dev scope, and an existing log group. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyTamper, stageTamperScope } from "../../../packages/core/src/tamper/index.js";
import { cloudTrailFixture } from "../../helpers/fixtures.js";

const dir = new URL("../../fixtures/cloudtrail/tamper/", import.meta.url);
const fixtureScope = JSON.parse(readFileSync(new URL("scope.json", dir), "utf8"));
const ref = { app: "secretwatch", stage: "dev" };
const topic = "arn:aws:sns:us-east-2:111122223333:secretwatch-dev-alerts";

describe("stageTamperScope", () => {
  const scope = stageTamperScope(ref, { topicArns: [topic, ""], kmsKeys: fixtureScope.kmsKeys });

  it("names the stage's resources as the stacks do", () => {
    expect(scope).toMatchObject({
      trails: ["secretwatch-dev-trail"],
      logGroups: ["/secretwatch/dev/cloudtrail"],
      topics: [topic],
      functions: ["secretwatch-dev-enricher", "secretwatch-dev-digest"],
      tables: ["secretwatch-dev-state"],
    });
    expect(scope.alarms).toEqual(
      expect.arrayContaining(["secretwatch-dev-secret-access", "secretwatch-dev-blind-spot"]),
    );
  });

  it("classifies every fixture as the hand-written dev scope does", () => {
    const sets = ["trail", "logs", "alarms", "sns", "lambda", "dynamodb", "secrets", "kms"];
    for (const record of sets.flatMap((s) => cloudTrailFixture(`tamper/${s}`))) {
      expect(classifyTamper(record as never, scope)?.reasons ?? null, String(record.eventID)).toEqual(
        classifyTamper(record as never, fixtureScope)?.reasons ?? null,
      );
    }
  });

  it("with an existing log group: that group, and every trail (the stage did not create one)", () => {
    const existing = stageTamperScope(ref, { existingLogGroup: " /org/cloudtrail " });
    expect(existing.trails).toBeNull();
    expect(existing.logGroups).toEqual(["/org/cloudtrail"]);
    const stop = {
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "StopLogging",
      requestParameters: { name: "org-trail" },
    };
    expect(classifyTamper(stop, existing)?.reasons).toEqual(["trail-stopped"]);
    expect(classifyTamper(stop, scope)).toBeNull();
  });

  it("a stage whose name merely starts the same is another stage", () => {
    const other = {
      eventSource: "lambda.amazonaws.com",
      eventName: "DeleteFunction20150331",
      requestParameters: { functionName: "secretwatch-dev-alice-enricher" },
    };
    expect(classifyTamper(other, scope)).toBeNull();
    expect(classifyTamper(other, stageTamperScope({ app: "secretwatch", stage: "dev-alice" }))?.reasons).toEqual([
      "function-disabled",
    ]);
  });
});

describe("an unknown trail (existing log group)", () => {
  it("does not call another trail's redirect critical, but still reports it", () => {
    const existing = stageTamperScope(ref, { existingLogGroup: "/org/cloudtrail" });
    const redirect = {
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "UpdateTrail",
      requestParameters: {
        name: "team-trail",
        cloudWatchLogsLogGroupArn: "arn:aws:logs:us-east-2:1:log-group:/team:*",
      },
    };
    const hit = classifyTamper(redirect, existing)!;
    expect(hit.reasons).toEqual(["trail-changed"]);
    expect(hit.findings.join(" ")).toContain("existing log group");
    expect(
      classifyTamper(
        { ...redirect, requestParameters: { ...redirect.requestParameters, name: "secretwatch-dev-trail" } },
        stageTamperScope(ref),
      )!.reasons,
    ).toEqual(["trail-blinded"]);
  });
});
