/**
 * The enricher's failure queue, read without losing anything: every message received is
 * hidden for a visibility timeout, deleted only when the caller says it is done with it,
 * and handed back (visibility 0) otherwise. A crash leaves the messages hidden until the
 * timeout ends, then they are visible again.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { UserError } from "../errors.js";

export type SqsSender = Pick<SQSClient, "send">;

export interface FailureQueue {
  name: string;
  url: string;
  arn: string;
  partition: string;
  region: string;
  account: string;
  /** ApproximateNumberOfMessages: visible now. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received by someone, not yet deleted. */
  inFlight: number;
}

const QUEUE_MISSING = new Set(["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"]);

/** Finds the queue by name (GetQueueUrl) and reads its ARN and approximate depth. */
export async function findQueue(sqs: SqsSender, name: string, regionHint: string | undefined): Promise<FailureQueue> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (!(error instanceof Error) || !QUEUE_MISSING.has(error.name)) throw error;
  }
  if (!url) {
    const where = regionHint ? ` in ${regionHint}` : "";
    throw new UserError(
      `the failure queue ${name} does not exist${where}: check --stage, --app and --region (is the stage deployed?)`,
    );
  }
  const { Attributes: attrs = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  const arn = attrs.QueueArn ?? "";
  const [, partition = "aws", , region = regionHint ?? "", account = ""] = arn.split(":");
  return {
    name,
    url,
    arn,
    partition,
    region,
    account,
    visible: Number(attrs.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attrs.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** SQS's largest receive batch. */
const BATCH = 10;

/** Receives messages batch by batch and remembers each until it is deleted or released. */
export class QueueReader {
  /** Received, not deleted: message ID → latest receipt handle. */
  private readonly held = new Map<string, string>();
  private readonly seen = new Set<string>();
  private done = false;

  constructor(
    private readonly sqs: SqsSender,
    private readonly queueUrl: string,
    private readonly options: { visibilityTimeout: number; max: number },
  ) {}

  /** How many distinct messages were received. */
  get received(): number {
    return this.seen.size;
  }

  /** The next batch of messages not seen before; empty when the queue is drained or `max` reached. */
  async next(): Promise<Message[]> {
    const room = this.options.max - this.seen.size;
    if (this.done || room <= 0) {
      this.done = true;
      return [];
    }
    const { Messages = [] } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(BATCH, room),
        // Long polling of 1 s asks every SQS server: an empty answer means an empty queue.
        WaitTimeSeconds: 1,
        VisibilityTimeout: this.options.visibilityTimeout,
        MessageSystemAttributeNames: ["SentTimestamp", "ApproximateReceiveCount"],
      }),
    );
    const fresh: Message[] = [];
    for (const message of Messages) {
      if (!message.MessageId || !message.ReceiptHandle) continue;
      this.held.set(message.MessageId, message.ReceiptHandle);
      if (this.seen.has(message.MessageId)) continue;
      this.seen.add(message.MessageId);
      fresh.push(message);
    }
    // Nothing new: the queue is drained (or only messages whose visibility ran out came back).
    if (fresh.length === 0) this.done = true;
    return fresh;
  }

  /** Deletes a message the caller is done with (its alerts were published). */
  async delete(message: Message): Promise<void> {
    const handle = this.held.get(message.MessageId ?? "") ?? message.ReceiptHandle;
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: handle }));
    this.held.delete(message.MessageId ?? "");
  }

  /** Makes every message still held visible again at once; returns how many could not be. */
  async releaseAll(): Promise<number> {
    const entries = [...this.held].map(([id, handle], i) => ({ Id: `m${i}`, ReceiptHandle: handle, MessageId: id }));
    let failed = 0;
    for (let i = 0; i < entries.length; i += BATCH) {
      const batch = entries.slice(i, i + BATCH);
      try {
        const out = await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map(({ Id, ReceiptHandle }) => ({ Id, ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        );
        failed += out.Failed?.length ?? 0;
      } catch {
        failed += batch.length;
      }
    }
    this.held.clear();
    return failed;
  }
}

/** When SQS received the message (`SentTimestamp`, epoch milliseconds); null if absent. */
export function sentAt(message: Message): Date | null {
  const ms = Number(message.Attributes?.SentTimestamp);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : null;
}
