/**
 * A tamper record the classifier fails on (a fault not met yet) is still reported: a bare hit,
 * `tamper-unreadable` (high), of the record's own texts, planned and worded like any tamper hit.
 * The classifier is made to fail on purpose here (the pipeline fuzz test finds no record that does).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  classifyTamper,
  classifyTamperOrBare,
  type TamperScope,
  tamperSteps,
} from "../../../packages/core/src/tamper/index.js";
import { cloudTrailFixture } from "../../helpers/fixtures.js";

const dir = new URL("../../fixtures/cloudtrail/tamper/", import.meta.url);
const scope = JSON.parse(readFileSync(new URL("scope.json", dir), "utf8")) as TamperScope;
const ctx = { app: "secretwatch", stage: "dev" };
const trail = cloudTrailFixture("tamper/trail");
const stop = trail.find((r) => r.eventName === "StopLogging")!;
const failing = () => {
  throw new TypeError("a fault in the classifier");
};

describe("classifyTamperOrBare", () => {
  it("is classifyTamper when classifying works", () => {
    for (const record of trail)
      expect(classifyTamperOrBare(record as never, scope)).toEqual(classifyTamper(record as never, scope));
  });

  it("makes a bare high hit of the record's own texts when the classifier throws", () => {
    const hit = classifyTamperOrBare(stop as never, scope, "medium", failing);
    expect(hit).toMatchObject({
      kind: "tamper",
      eventID: stop.eventID,
      eventName: "StopLogging",
      api: "StopLogging",
      resourceKind: "trail",
      resource: "(not read)",
      severity: "high",
      reasons: ["tamper-unreadable"],
      notice: false,
      changes: [],
      identityType: "Unknown",
      principalArn: stop.userIdentity.arn,
      consoleUrl: null,
    });
    expect(hit?.findings).toEqual([
      "secretwatch could not read this record (TypeError); it is reported with its own texts only",
    ]);
  });

  it("a record of no tamper event stays no tamper hit", () => {
    expect(
      classifyTamperOrBare({ ...stop, eventName: "DescribeTrails" } as never, scope, "medium", failing),
    ).toBeNull();
  });

  it("is alerted, with the fault's next step, like any high tamper hit", () => {
    const hit = classifyTamperOrBare(stop as never, scope, "medium", failing)!;
    expect(tamperSteps(hit, ctx)[0]).toMatch(
      /^Open the event in CloudTrail event history: secretwatch could not read the record/,
    );
  });
});
