/**
 * Enricher checks over the last 24 hours: the Lambda's `Errors` (each failed invocation is
 * retried, then parked in the failure queue) and the failure queue's depth
 * (`ApproximateNumberOfMessagesVisible`: payloads whose detailed alerts were never sent).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { type CheckResult, type FixHints, fail, pass, warn } from "./report.js";

/** Datapoints of one metric (GetMetricData's `Timestamps` and `Values`, in any order). */
export interface Series {
  timestamps: Date[];
  values: number[];
}

export function sum(series: Series): number {
  return series.values.reduce((a, b) => a + b, 0);
}

/** The value of the newest datapoint, or undefined without data. */
export function latest(series: Series): number | undefined {
  let best: { at: number; value: number } | undefined;
  series.timestamps.forEach((t, i) => {
    const value = series.values[i];
    if (value !== undefined && (best === undefined || t.getTime() > best.at)) best = { at: t.getTime(), value };
  });
  return best?.value;
}

/** Checks the Sum of the enricher's `Errors` over the window. */
export function checkEnricherErrors(functionName: string, errors: Series, hints: FixHints): CheckResult {
  const total = sum(errors);
  if (total === 0) return pass("enricher", `enricher ${functionName} had no errors in the last 24 h`);
  return fail(
    "enricher",
    `enricher ${functionName} failed ${total} time${total === 1 ? "" : "s"} in the last 24 h`,
    `read its logs (/aws/lambda/${functionName}); events that still fail after retries wait in the failure queue for ${hints.cli("redrive")}`,
  );
}

/** Checks the Maximum of the failure queue's visible messages: the newest datapoint is its depth now. */
export function checkFailureQueue(queueName: string, depth: Series, hints: FixHints): CheckResult {
  const now = latest(depth) ?? 0;
  const peak = Math.max(0, ...depth.values);
  const redrive = `run ${hints.cli("redrive")}`;
  if (now > 0) {
    return fail(
      "enricher",
      `failure queue ${queueName} holds ${now} message${now === 1 ? "" : "s"}: their alerts were not sent`,
      redrive,
    );
  }
  if (peak > 0) {
    return warn("enricher", `failure queue ${queueName} held up to ${peak} messages in the last 24 h; it is empty now`);
  }
  return pass("enricher", `failure queue ${queueName} is empty`);
}
