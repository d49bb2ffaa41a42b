/**
 * Records shaped as CloudTrail writes them (tests/fixtures/cloudtrail/tamper/<set>.json) through the
 * classifier, against the outcomes written beside them (<set>.expected.json) for the dev stage's
 * scope (scope.json): severity, reasons, the resource, the deploy-tool notice, or no hit and why.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyTamper, type TamperScope } from "../../../packages/core/src/tamper/index.js";
import { cloudTrailFixture } from "../../helpers/fixtures.js";

type Expected =
  | { eventID: string; api: string; severity: string; reasons: string[]; resource: string; notice: boolean }
  | { eventID: string; hit: null; why: string };

const dir = new URL("../../fixtures/cloudtrail/tamper/", import.meta.url);
const scope = JSON.parse(readFileSync(new URL("scope.json", dir), "utf8")) as TamperScope;
const SETS = ["trail", "logs", "alarms", "sns", "lambda", "dynamodb", "secrets", "kms"];

describe.each(SETS)("tamper fixtures: %s", (set) => {
  const records = cloudTrailFixture(`tamper/${set}`);
  const expected = JSON.parse(readFileSync(new URL(`${set}.expected.json`, dir), "utf8")) as Expected[];

  it("has one expected outcome per record, in order", () => {
    expect(expected.map((e) => e.eventID)).toEqual(records.map((r) => r.eventID));
  });

  it.each(expected.map((e, i) => [i, e] as const))("record %i", (i, want) => {
    const hit = classifyTamper(records[i] as never, scope);
    if ("hit" in want) {
      expect(hit, want.why).toBeNull();
      return;
    }
    expect(hit).not.toBeNull();
    expect({
      eventID: hit!.eventID,
      api: hit!.api,
      severity: hit!.severity,
      reasons: hit!.reasons,
      resource: hit!.resource,
      notice: hit!.notice,
    }).toEqual(want);
  });
});
