/**
 * `replay --publish --stage dev` sends exactly what the enricher Lambda sends for the same
 * records, tamper alerts included (first, as the Lambda publishes them): the `PublishCommand`
 * inputs of both, captured on a mocked SNS client, are compared whole. The Lambda's scope is its
 * own (the stage's names and its topic ARN); replay's recognises the topic by name.
 */
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, test, vi } from "vitest";
import { createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import { noise, recordsEvent, s3File, stratus, tempDir } from "./replay-inputs.js";
import { TAMPER_SETS, tamperRecords } from "./replay-tamper-cases.js";
import { runCli } from "./run-cli.js";

const NOW = new Date("2026-12-01T09:30:00Z");
const TOPIC_ARN = "arn:aws:sns:us-east-2:111122223333:secretwatch-dev-alerts";
const snsMock = mockClient(SNSClient);
const published = () => snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input as PublishCommandInput);
const dir = tempDir("replay-publish-tamper-");
afterAll(() => dir.remove());

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
});

async function lambdaPublishes(event: ReturnType<typeof recordsEvent>): Promise<PublishCommandInput[]> {
  snsMock.resetHistory();
  const handler = createHandler({
    sns: new SNSClient({ region: "us-east-2" }),
    topicArn: TOPIC_ARN,
    ...{ app: "secretwatch", stage: "dev", clock: () => NOW },
    logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() } as unknown as EnricherDeps["logger"],
  });
  await handler(event);
  const inputs = published();
  snsMock.resetHistory();
  return inputs;
}

async function replayPublishes(file: string) {
  const args = ["replay", file, "--publish", "--topic-arn", TOPIC_ARN, "--stage", "dev", "--workers", "1"];
  const run = await runCli(args, { now: NOW });
  return { run, inputs: published() };
}

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
