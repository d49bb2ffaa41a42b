/**
 * One file being read: recognises each form a CloudTrail record arrives in and routes records
 * into delivery units. The file's own records (S3 log file, array, NDJSON lines, a bare record,
 * `aws cloudtrail lookup-events` output)
 * form one unit; each subscription event, decoded payload or failure-queue record in it is a
 * unit of its own, as it was one Lambda invocation.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html (destination records)
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html (Events[].CloudTrailEvent)
 */
import {
  type DecodedPayload,
  decodeLogsPayload,
  decodeSubscriptionData,
  isCloudTrailRecord,
  isJsonObject,
} from "@secretwatch/core";
import type { FileReport, FileTask, ProcessorConfig, ProcessorMessage } from "./protocol.js";
import { needsEventNames } from "./tamper.js";
import { Unit } from "./unit.js";

/** Problems kept word for word per file; the rest are only counted. */
const MAX_NOTES = 5;
/** Containers inside containers (an SQS message holding a failure record holding an event…). */
const MAX_DEPTH = 8;

type ProblemKind = "invalidJson" | "notCloudTrail" | "badPayloads";

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0];
const label = (where: readonly string[]) => where.join(" > ");

export class FileReading {
  readonly report: FileReport;
  private own: Unit | null = null;
  private readonly now: Date | null;
  /** The S3 fast path must also parse records by their event name (tamper events of a stage). */
  readonly tamperNames: boolean;

  constructor(
    private readonly task: FileTask,
    private readonly config: ProcessorConfig,
    private readonly send: (message: ProcessorMessage) => void,
  ) {
    this.now = config.now === null ? null : new Date(config.now);
    this.tamperNames = config.tamper ? needsEventNames(config.tamper) : false;
    this.report = {
      ...{ index: task.index, path: task.path, status: "read", error: null, usable: false },
      ...{ records: 0, payloads: 0, invalidJson: 0, notCloudTrail: 0, badPayloads: 0, digests: 0, notes: [] },
    };
  }

  private unit(part: string | null): Unit {
    return new Unit(part, this.now, this.config.filters, this.config.tamper ?? null);
  }

  /** Counts a skipped value; notes where it was (a whole file's problem needs no location, only a reason). */
  problem(kind: ProblemKind, where: readonly string[], what: string, reason?: string): void {
    this.report[kind]++;
    const note = where.length > 0 ? `${label(where)}: ${what}` : reason;
    if (note && this.report.notes.length < MAX_NOTES) this.report.notes.push(note);
  }

  /** The file could not be read at all. */
  fail(status: "unreadable" | "empty", reason: string | null): void {
    Object.assign(this.report, { status, error: reason });
  }

  /** Elements of an S3 log file's `Records` that the fast path counted without parsing. */
  countUnparsed(records: number): void {
    this.report.usable = true;
    this.report.records += records;
  }

  /** Routes one parsed JSON value (a record, or any container form) into units. */
  take(value: unknown, where: string[] = [], depth = 0): void {
    if (isCloudTrailRecord(value)) {
      this.report.usable = true;
      this.report.records++;
      this.own ??= this.unit(null);
      this.own.add(value);
    } else if (depth > MAX_DEPTH) this.problem("notCloudTrail", where, "nested too deeply");
    else if (Array.isArray(value)) {
      this.report.usable = true;
      this.takeEach(value, where, "item", depth);
    } else if (!isJsonObject(value)) this.problem("notCloudTrail", where, `not a CloudTrail record (${typeof value})`);
    else this.takeObject(value, where, depth);
  }

  private takeEach(items: unknown[], where: string[], name: string, depth: number): void {
    items.forEach((item, i) => {
      this.take(item, [...where, `${name} ${i + 1}`], depth + 1);
    });
  }

  private takeObject(value: Record<string, unknown>, where: string[], depth: number): void {
    const body = value.Body ?? value.body;
    if (Array.isArray(value.Records)) {
      this.report.usable = true;
      this.takeEach(value.Records, where, "record", depth);
    } else if ("awslogs" in value) {
      const data = isJsonObject(value.awslogs) ? value.awslogs.data : undefined;
      this.payload([...where, "subscription event"], () => decodeSubscriptionData(data as string));
    } else if (typeof value.messageType === "string") {
      this.payload([...where, "subscription payload"], () => decodeLogsPayload(value));
    } else if ("requestPayload" in value && ("requestContext" in value || "responseContext" in value)) {
      this.take(value.requestPayload, [...where, "failure-queue record"], depth + 1);
    } else if (Array.isArray(value.Events)) {
      this.report.usable = true;
      this.takeEach(value.Events, where, "event", depth);
    } else if (typeof value.CloudTrailEvent === "string") {
      this.lookupEvent(value.CloudTrailEvent, where, depth);
    } else if (Array.isArray(value.Messages)) {
      this.takeEach(value.Messages, where, "message", depth);
    } else if (typeof body === "string") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        this.problem("invalidJson", where, "message body is not JSON");
        return;
      }
      this.take(parsed, where, depth + 1);
    } else if (typeof value.digestStartTime === "string" && Array.isArray(value.logFiles)) {
      this.report.digests++; // a CloudTrail digest file: integrity data, no records
    } else this.problem("notCloudTrail", where, "not a CloudTrail record");
  }

  /** An event of `aws cloudtrail lookup-events` output: its record is the JSON text in `CloudTrailEvent`. */
  private lookupEvent(text: string, where: string[], depth: number): void {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      this.problem("invalidJson", where, "CloudTrailEvent is not JSON");
      return;
    }
    this.take(record, where, depth + 1);
  }

  /** One subscription payload: its own delivery unit, decoded by core exactly as the Lambda does. */
  private payload(where: string[], decode: () => DecodedPayload): void {
    let decoded: DecodedPayload;
    try {
      decoded = decode();
    } catch (error) {
      this.problem("badPayloads", where, describe(error) ?? "undecodable");
      return;
    }
    this.report.usable = true;
    this.report.payloads++;
    this.report.records += decoded.events.length;
    for (const bad of decoded.malformed) {
      const kind = bad.reason === "invalid-json" ? "invalidJson" : "notCloudTrail";
      this.problem(
        kind,
        [...where, `log event ${bad.id}`],
        bad.reason === "invalid-json" ? "invalid JSON" : "not a CloudTrail record",
      );
    }
    const unit = this.unit(label(where));
    unit.addEvents(decoded.events);
    if (unit.hasHits) this.send({ type: "unit", unit: unit.result(this.task.index) });
  }

  /** Sends the file's own unit (if it found anything) and the file's report. */
  finish(): void {
    if (this.own?.hasHits) this.send({ type: "unit", unit: this.own.result(this.task.index) });
    this.send({ type: "done", report: this.report });
  }
}
