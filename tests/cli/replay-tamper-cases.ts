/**
 * The tamper fixtures (tests/fixtures/cloudtrail/tamper/<set>.json, records as CloudTrail writes
 * them) and what the CLI must report for them, read from the outcomes written beside them
 * (<set>.expected.json, for the dev stage's scope in scope.json). The CLI's scope for
 * `--stage dev` differs from scope.json in one way only: the stage uses no KMS key yet, so the
 * `kms` set gives no hit. Without a stage, only the Secrets Manager set can give hits.
 */
import { readFileSync } from "node:fs";
import { cloudTrailFixture } from "../helpers/fixtures.js";
import type { Rec } from "./replay-inputs.js";

export interface ExpectedHit {
  eventID: string;
  api: string;
  severity: string;
  reasons: string[];
  resource: string;
  notice: boolean;
}

type Expected = ExpectedHit | { eventID: string; hit: null; why: string };

export const TAMPER_SETS = ["trail", "logs", "alarms", "sns", "lambda", "dynamodb", "secrets", "kms"] as const;
export type TamperSet = (typeof TAMPER_SETS)[number];

const dir = new URL("../fixtures/cloudtrail/tamper/", import.meta.url);

export const tamperRecords = (set: TamperSet): Rec[] => cloudTrailFixture<Rec>(`tamper/${set}`);

/** The hits the CLI reports for one set: with `--stage dev` (staged) or without a stage. */
export function expectedHits(set: TamperSet, staged: boolean): ExpectedHit[] {
  if (set === "kms" || (!staged && set !== "secrets")) return [];
  const expected = JSON.parse(readFileSync(new URL(`${set}.expected.json`, dir), "utf8")) as Expected[];
  return expected.filter((e): e is ExpectedHit => !("hit" in e));
}

/** The fields compared, from a `kind: "tamper"` JSON line or a TamperHit. */
export const compared = (line: Record<string, any>): ExpectedHit => ({
  eventID: line.eventID,
  api: line.api,
  severity: line.severity,
  reasons: line.reasons,
  resource: line.resource,
  notice: line.notice,
});
