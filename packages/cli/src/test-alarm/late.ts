/**
 * `secretwatch test-alarm --late`: proves on a real deploy that a read CloudTrail delivers late
 * still sets the secret-access alarm. Puts one datapoint on the alarm's metric back-dated 15
 * minutes (PutMetricData accepts timestamps up to two weeks old), then watches the alarm's
 * state. The same datapoint goes on the enricher's `ReadsAssessed` metric, so the
 * reconciliation alarm (reads counted vs assessed) stays balanced.
 *
 * Refused while the alarm's window holds real reads: a state change would prove nothing.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { UserError } from "../errors.js";
import { EXIT } from "../exit-codes.js";

/**
 * The enricher's count of the reads it assessed (before any suppression). Proposed as
 * `ENRICHER_METRICS.readsAssessed` in packages/core/src/naming.ts; stacks/monitoring.ts uses the same name.
 */
export const READS_ASSESSED_METRIC = "ReadsAssessed";

/** How far back the test datapoint is dated. */
export const LATE_TEST_MINUTES = 15;
/** How often the alarm's state is read while waiting. */
export const POLL_SECONDS = 20;

export interface MetricRef {
  namespace: string;
  metricName: string;
  dimensions?: Record<string, string>;
}

export interface LateTestInput {
  alarmName: string;
  /** The alarm's metric (the metric filter's), and the enricher's assessed-reads metric. */
  reads: MetricRef;
  assessed: MetricRef;
  /** Seconds to wait for the state change. */
  waitSeconds: number;
}

export interface LateTestDeps {
  cw: CloudWatchClient;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

export interface LateTestResult {
  changed: boolean;
  /** The state found before the test. */
  before: string;
  /** The state found last. */
  after: string;
  /** When the alarm went to ALARM (changed only). */
  changedAt?: Date;
  reason?: string;
  datapointAt: Date;
  putAt: Date;
}

/** Raised when the test cannot prove anything (no such alarm, real reads in its window). */
export class LateTestError extends UserError {
  override name = "LateTestError";
}

async function describe(cw: CloudWatchClient, name: string): Promise<MetricAlarm | undefined> {
  const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["MetricAlarm"] }));
  return out.MetricAlarms?.find((a) => a.AlarmName === name);
}

const dims = (ref: MetricRef) => Object.entries(ref.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value }));

/** Real reads in the alarm's look-back (Period x EvaluationPeriods), plus a minute. */
async function readsInWindow(cw: CloudWatchClient, alarm: MetricAlarm, ref: MetricRef, now: Date): Promise<number> {
  const period = alarm.Period ?? 60;
  const span = period * (alarm.EvaluationPeriods ?? 1) + 60;
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - span * 1000),
      EndTime: now,
      MetricDataQueries: [
        {
          Id: "reads",
          MetricStat: {
            Metric: { Namespace: ref.namespace, MetricName: ref.metricName, Dimensions: dims(ref) },
            Period: period,
            Stat: "Sum",
          },
          ReturnData: true,
        },
      ],
    }),
  );
  const values = out.MetricDataResults?.find((r) => r.Id === "reads")?.Values ?? [];
  return values.reduce((a, b) => a + b, 0);
}

export async function runLateTest(input: LateTestInput, deps: LateTestDeps): Promise<LateTestResult> {
  const { cw } = deps;
  const alarm = await describe(cw, input.alarmName);
  if (alarm === undefined) {
    throw new LateTestError(`the alarm ${input.alarmName} does not exist: check --stage, --app and --region`);
  }
  const start = deps.now();
  const real = await readsInWindow(cw, alarm, input.reads, start);
  if (real > 0) {
    throw new LateTestError(
      `the alarm's window holds ${real} real secret read(s): a state change would prove nothing; run again after ${((alarm.Period ?? 60) * (alarm.EvaluationPeriods ?? 1)) / 60} quiet minutes`,
      EXIT.findings,
    );
  }
  const before = alarm.StateValue ?? "unknown";
  const stamp = `secretwatch test-alarm --late at ${start.toISOString()}`;
  if (before === "ALARM") {
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: input.alarmName,
        StateValue: "OK",
        StateReason: `${stamp}: reset to OK (no real read in its window) so that the late datapoint's ALARM is a change`,
      }),
    );
  }
  const datapointAt = new Date(start.getTime() - LATE_TEST_MINUTES * 60_000);
  for (const ref of [input.reads, input.assessed]) {
    await cw.send(
      new PutMetricDataCommand({
        Namespace: ref.namespace,
        MetricData: [
          { MetricName: ref.metricName, Dimensions: dims(ref), Timestamp: datapointAt, Value: 1, Unit: "Count" },
        ],
      }),
    );
  }
  const putAt = deps.now();
  const attempts = Math.max(1, Math.ceil(input.waitSeconds / POLL_SECONDS));
  let after = before === "ALARM" ? "OK" : before;
  for (let i = 0; i < attempts; i++) {
    await deps.sleep(POLL_SECONDS * 1000);
    const now = await describe(cw, input.alarmName);
    after = now?.StateValue ?? "unknown";
    const updated = now?.StateUpdatedTimestamp;
    if (after === "ALARM" && updated !== undefined && updated.getTime() >= putAt.getTime() - 60_000) {
      return { changed: true, before, after, changedAt: updated, reason: now?.StateReason ?? "", datapointAt, putAt };
    }
  }
  return { changed: false, before, after, datapointAt, putAt };
}
