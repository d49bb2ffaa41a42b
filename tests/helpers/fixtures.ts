/** Reads the committed CloudTrail fixtures (tests/fixtures/cloudtrail/<name>.json), wherever the test runs from. */
import { readFileSync } from "node:fs";

const FIXTURES = new URL("../fixtures/cloudtrail/", import.meta.url);

/** The records of a fixture: a JSON array of records, or an S3 log file's `{"Records":[...]}`. */
export function cloudTrailFixture<T = Record<string, any>>(name: string): T[] {
  const data = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8"));
  return Array.isArray(data) ? data : data.Records;
}
