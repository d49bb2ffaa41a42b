import { afterAll, describe, expect, test } from "vitest";
import { publishTwins } from "./publish-twins.js";
import { noise, recordsEvent, s3File, stratus, tempDir } from "./replay-inputs.js";
import { TAMPER_SETS, tamperRecords } from "./replay-tamper-cases.js";

const NOW = new Date("2026-12-01T09:30:00Z");
const TOPIC_ARN = "arn:aws:sns:us-east-2:111122223333:secretwatch-dev-alerts";
const twins = publishTwins({ topicArn: TOPIC_ARN, stage: "dev", now: NOW });
const { lambdaPublishes } = twins;
const replayPublishes = (file: string) => twins.replayPublishes(file, "--workers", "1");
const dir = tempDir("replay-publish-tamper-");
afterAll(() => dir.remove());

describe("replay --publish --stage dev", () => {
  test.each(TAMPER_SETS)(
    "the %s set with reads and noise: the Lambda's PublishCommand inputs, in order",
    async (set) => {
      const records = [...noise.slice(0, 2), ...tamperRecords(set), stratus[0]!];
      const event = recordsEvent(records);
      const expected = await lambdaPublishes(event);
      expect(expected.length).toBeGreaterThan(0);
      const { run, inputs } = await replayPublishes(dir.json(`${set}-event.json`, event));
      expect(run.code, run.stderr).toBe(0);
      expect(inputs).toEqual(expected);
    },
  );

  test("from an S3 log file too (the fast path's prefilter lets the tamper records through)", async () => {
    const records = [...noise.slice(0, 2), ...tamperRecords("trail"), ...tamperRecords("lambda")];
    const expected = await lambdaPublishes(recordsEvent(records));
    expect(expected.filter((i) => i.MessageAttributes?.category?.StringValue === "tamper").length).toBeGreaterThan(5);
    const { inputs } = await replayPublishes(dir.json("trail.json", s3File(records)));
    expect(inputs).toEqual(expected);
  });
});
