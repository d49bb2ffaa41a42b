/**
 * The two sides `replay --publish` must match: what the enricher Lambda publishes for a
 * subscription event, and what `replay --publish` publishes for a file, both captured on one
 * mocked SNS client (`PublishCommand` inputs, compared whole by the tests).
 */
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, vi } from "vitest";
import { createHandler, type EnricherDeps } from "../../packages/functions/src/enricher.js";
import type { recordsEvent } from "./replay-inputs.js";
import { runCli } from "./run-cli.js";

export interface PublishTwinsOptions {
  topicArn: string;
  stage: string;
  now: Date;
}

/** Call at a test file's top level: it registers the SNS mock's reset before each test. */
export function publishTwins(o: PublishTwinsOptions) {
  const region = o.topicArn.split(":")[3];
  const snsMock = mockClient(SNSClient);
  const published = () => snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input as PublishCommandInput);
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
  });

  /** What the Lambda publishes for one subscription event. */
  async function lambdaPublishes(event: ReturnType<typeof recordsEvent>): Promise<PublishCommandInput[]> {
    snsMock.resetHistory();
    const handler = createHandler({
      sns: new SNSClient({ region }),
      topicArn: o.topicArn,
      ...{ app: "secretwatch", stage: o.stage, clock: () => o.now },
      logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() } as unknown as EnricherDeps["logger"],
    });
    await handler(event);
    const inputs = published();
    snsMock.resetHistory();
    return inputs;
  }

  /** What `replay FILE --publish --topic-arn T --stage S [args]` publishes, and how the run ended. */
  async function replayPublishes(file: string, ...args: string[]) {
    const run = await runCli(["replay", file, "--publish", "--topic-arn", o.topicArn, "--stage", o.stage, ...args], {
      now: o.now,
    });
    return { run, inputs: published() };
  }

  return { snsMock, published, lambdaPublishes, replayPublishes };
}
