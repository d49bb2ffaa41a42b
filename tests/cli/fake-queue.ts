/**
 * An SQS queue with real visibility semantics behind aws-sdk-client-mock: ReceiveMessage
 * hides what it returns (a fresh receipt handle each time), DeleteMessage needs the receipt
 * handle, ChangeMessageVisibilityBatch to 0 hands a message back. Response shapes are SQS's.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 */
import { createHash } from "node:crypto";
import {
  ChangeMessageVisibilityBatchCommand,
  type ChangeMessageVisibilityBatchCommandInput,
  DeleteMessageCommand,
  type DeleteMessageCommandInput,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { AwsStub } from "aws-sdk-client-mock";

export const ACCOUNT = "111122223333";
export const QUEUE_NAME = "secretwatch-test-enricher-failures";
export const QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${QUEUE_NAME}`;
export const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:${QUEUE_NAME}`;

interface Stored {
  id: string;
  body: string;
  sentTimestamp: number;
  receiveCount: number;
  hidden: boolean;
  handle: string | null;
}

export class FakeQueue {
  readonly messages: Stored[] = [];
  /** Everything that happened, in order: `receive`, `delete:<id>`, `release:<id>`. */
  readonly log: string[];
  private receipts = 0;

  constructor(log: string[] = []) {
    this.log = log;
  }

  add(body: string, sentTimestamp: number): string {
    const id = `0b1e8d5c-0000-4000-8000-${String(this.messages.length + 1).padStart(12, "0")}`;
    this.messages.push({ id, body, sentTimestamp, receiveCount: 0, hidden: false, handle: null });
    return id;
  }

  /** IDs still in the queue, and which of them are visible. */
  get remaining(): string[] {
    return this.messages.map((m) => m.id);
  }
  get visible(): string[] {
    return this.messages.filter((m) => !m.hidden).map((m) => m.id);
  }

  install(sqs: AwsStub<any, any, SQSClient["config"]>): void {
    sqs.on(GetQueueUrlCommand).callsFake((input: { QueueName: string }) => {
      if (input.QueueName !== QUEUE_NAME) {
        throw new QueueDoesNotExist({
          message: "The specified queue does not exist.",
          $metadata: { httpStatusCode: 400 },
        });
      }
      return { QueueUrl: QUEUE_URL };
    });
    sqs.on(GetQueueAttributesCommand).callsFake(() => ({
      Attributes: {
        QueueArn: QUEUE_ARN,
        ApproximateNumberOfMessages: String(this.visible.length),
        ApproximateNumberOfMessagesNotVisible: String(this.messages.length - this.visible.length),
      },
    }));
    sqs.on(ReceiveMessageCommand).callsFake((input: ReceiveMessageCommandInput) => this.receive(input));
    sqs.on(DeleteMessageCommand).callsFake((input: DeleteMessageCommandInput) => {
      const index = this.messages.findIndex((m) => m.handle !== null && m.handle === input.ReceiptHandle);
      if (index >= 0) {
        this.log.push(`delete:${this.messages[index]!.id}`);
        this.messages.splice(index, 1);
      }
      return {};
    });
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: ChangeMessageVisibilityBatchCommandInput) => {
      for (const entry of input.Entries ?? []) {
        const message = this.messages.find((m) => m.handle === entry.ReceiptHandle);
        if (message && entry.VisibilityTimeout === 0) {
          message.hidden = false;
          this.log.push(`release:${message.id}`);
        }
      }
      return { Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id })), Failed: [] };
    });
  }

  private receive(input: ReceiveMessageCommandInput): { Messages?: Message[] } {
    this.log.push("receive");
    const out = this.messages.filter((m) => !m.hidden).slice(0, input.MaxNumberOfMessages ?? 1);
    if (out.length === 0) return {};
    return {
      Messages: out.map((m) => {
        m.hidden = true;
        m.receiveCount++;
        m.handle = `AQEB${createHash("sha256")
          .update(`${m.id}:${++this.receipts}`)
          .digest("base64")}`;
        return {
          MessageId: m.id,
          ReceiptHandle: m.handle,
          MD5OfBody: createHash("md5").update(m.body).digest("hex"),
          Body: m.body,
          Attributes: {
            SenderId: "AROAEXAMPLEROLEID:awslambda_123_20240731125000000",
            SentTimestamp: String(m.sentTimestamp),
            ApproximateReceiveCount: String(m.receiveCount),
            ApproximateFirstReceiveTimestamp: String(m.sentTimestamp + 60_000),
          },
        };
      }),
    };
  }
}
