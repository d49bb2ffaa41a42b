/**
 * `replay --publish` sends exactly what the enricher Lambda sends for the same records: the
 * `PublishCommand` inputs of both, captured on a mocked SNS client, are compared whole.
 */
import { InternalErrorException, PublishCommand } from "@aws-sdk/client-sns";
import { afterAll, describe, expect, test } from "vitest";
import { publishTwins } from "./publish-twins.js";
import {
  batches,
  failureRecord,
  NOW,
  noise,
  recordsEvent,
  s3File,
  sqsReceive,
  stratus,
  tempDir,
} from "./replay-inputs.js";
import { runCli } from "./run-cli.js";

const TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:secretwatch-prod-alerts";
const { snsMock, published, lambdaPublishes, replayPublishes } = publishTwins({
  topicArn: TOPIC_ARN,
  stage: "prod",
  now: NOW,
});
const dir = tempDir();
afterAll(() => dir.remove());

// Reads of 20 secrets and 5 batch calls plus noise: over the 10-alert cap, so a summary message too.
const records = [...noise.slice(0, 3), ...stratus, stratus[0]!]; // the last one is a duplicate event

describe("replay --publish", () => {
  test("a subscription event: the same PublishCommand inputs as the Lambda's, in the same order", async () => {
    const event = recordsEvent(records);
    const expected = await lambdaPublishes(event);
    expect(expected).toHaveLength(11);
    const { run, inputs } = await replayPublishes(dir.json("event.json", event), "--workers", "1");
    expect(run.code).toBe(0);
    expect(inputs).toEqual(expected);
    expect(run.stderr).toContain("replay: published 11 SNS messages");
  });

  test("the same from a failure-queue record, from SQS output, from an S3 log file, and through worker threads", async () => {
    const expected = await lambdaPublishes(recordsEvent(records));
    const files = [
      dir.json("failed.json", failureRecord(records)),
      dir.json("sqs.json", sqsReceive([failureRecord(records)])),
      dir.gzip("trail.json.gz", s3File(records)),
    ];
    for (const file of files) {
      for (const workers of ["1", "3"]) {
        snsMock.resetHistory();
        const { run, inputs } = await replayPublishes(file, "--workers", workers);
        expect(run.code).toBe(0);
        expect(inputs).toEqual(expected);
      }
    }
  });

  test("each delivery unit is planned on its own, like separate invocations", async () => {
    const [first, second] = [recordsEvent([stratus[0]!, batches[0]!]), recordsEvent([stratus[1]!])];
    const expected = [...(await lambdaPublishes(first)), ...(await lambdaPublishes(second))];
    const { inputs } = await replayPublishes(dir.ndjson("two.ndjson", [first, second]), "--workers", "1");
    expect(inputs).toEqual(expected);
    expect(inputs).toHaveLength(3);
  });

  test("filters apply before publishing", async () => {
    const { inputs } = await replayPublishes(
      dir.json("f.json", s3File(records)),
      "--secret",
      "stratus-red-team-retrieve-secret-18",
    );
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.MessageAttributes?.secret?.StringValue).toBe("stratus-red-team-retrieve-secret-18");
  });

  test("a publish failure stops the replay with one line and exit code 1, after the summary", async () => {
    snsMock.on(PublishCommand).rejects(new InternalErrorException({ message: "SNS is down", $metadata: {} }));
    const file = dir.ndjson("units.ndjson", [recordsEvent([stratus[0]!]), recordsEvent([stratus[1]!])]);
    const { run, inputs } = await replayPublishes(file, "--workers", "1");
    expect(run.code).toBe(1);
    expect(inputs).toHaveLength(1); // the second unit was not attempted
    expect(run.stderr).toMatch(
      /\nsecretwatch: 1 alert message\(s\) of .*units\.ndjson > line 1 > subscription event could not be published \(InternalErrorException: SNS is down\); stopped there\n$/,
    );
    // Everything is read (and assessed) before anything is published: the summary covers both units.
    expect(run.stderr).toContain("2 secret-value retrievals, 2 after filters");
  });

  test("usage errors: --publish without --topic-arn, --topic-arn without --publish, a malformed ARN", async () => {
    const file = dir.json("u.json", s3File(records));
    const cases: [string[], RegExp][] = [
      [["--publish"], /--publish needs --topic-arn/],
      [["--topic-arn", TOPIC_ARN], /--topic-arn is only used with --publish/],
      [["--publish", "--topic-arn", "arn:aws:sqs:us-east-1:111122223333:q"], /is not an SNS topic ARN/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(["replay", file, ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.split("\n")).toHaveLength(2);
    }
    expect(published()).toEqual([]);
  });
});
