/**
 * Log group checks: CloudTrail events arrive (the `IncomingLogEvents` metric), and the
 * enricher's subscription filter is there, with the right pattern and destination.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeSubscriptionFilters.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
 */
import type { SubscriptionFilter } from "@aws-sdk/client-cloudwatch-logs";
import { type CheckResult, type FixHints, fail, pass, warn } from "./report.js";

/** CloudWatch Logs allows at most two subscription filters per log group (a hard limit). */
export const SUBSCRIPTION_FILTER_LIMIT = 2;

function hours(n: number): string {
  return n === 1 ? "hour" : `${n} hours`;
}

/** Checks the sum of `IncomingLogEvents` over the last `windowHours`. */
export function checkIncomingEvents(logGroupName: string, total: number, windowHours: number): CheckResult {
  if (total > 0)
    return pass("log group", `log group ${logGroupName} received ${total} events in the last ${hours(windowHours)}`);
  return fail(
    "log group",
    `log group ${logGroupName} received no events in the last ${hours(windowHours)}`,
    "CloudTrail is not delivering to it: fix the trail checks above",
  );
}

/** Function name of a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export function lambdaFunctionName(arn: string | undefined): string | undefined {
  const parts = arn?.split(":") ?? [];
  return parts[2] === "lambda" && parts[5] === "function" ? parts[6] : undefined;
}

export interface SubscriptionExpectation {
  logGroupName: string;
  /** `stageResources(ref).subscriptionFilter` */
  filterName: string;
  /** SUBSCRIPTION_FILTER_PATTERN */
  pattern: string;
  /** `stageResources(ref).enricher` */
  functionName: string;
  hints: FixHints;
}

/** Collapses runs of white space: CloudWatch Logs keeps a pattern as it was sent. */
export function normalizePattern(pattern: string | undefined): string {
  return (pattern ?? "").trim().replace(/\s+/g, " ");
}

/** Checks DescribeSubscriptionFilters' `subscriptionFilters` for the enricher's filter. */
export function checkSubscriptionFilters(
  filters: readonly SubscriptionFilter[],
  expect: SubscriptionExpectation,
): CheckResult[] {
  const group = expect.logGroupName;
  const names = filters.map((f) => f.filterName).join(", ");
  const atLimit = filters.length >= SUBSCRIPTION_FILTER_LIMIT;
  const ours =
    filters.find((f) => f.filterName === expect.filterName) ??
    filters.find((f) => lambdaFunctionName(f.destinationArn) === expect.functionName);

  if (ours === undefined) {
    return [
      atLimit
        ? fail(
            "log group",
            `subscription filter ${expect.filterName} is missing, and log group ${group} already has ${filters.length} subscription filters (the limit): ${names}`,
            `delete one of them (aws logs delete-subscription-filter --log-group-name ${group} --filter-name <name>), then ${expect.hints.deploy}`,
          )
        : fail(
            "log group",
            `subscription filter ${expect.filterName} is missing from log group ${group}: the enricher receives nothing`,
            expect.hints.deploy,
          ),
    ];
  }

  const results: CheckResult[] = [];
  const label = `subscription filter ${ours.filterName}`;
  const target = lambdaFunctionName(ours.destinationArn);
  if (normalizePattern(ours.filterPattern) !== normalizePattern(expect.pattern)) {
    results.push(
      fail(
        "log group",
        `${label} has pattern ${ours.filterPattern ?? "(none)"}, expected ${expect.pattern}`,
        expect.hints.deploy,
      ),
    );
  }
  if (target !== expect.functionName) {
    results.push(
      fail(
        "log group",
        `${label} sends to ${ours.destinationArn}, not to function ${expect.functionName}`,
        expect.hints.deploy,
      ),
    );
  }
  if (results.length === 0)
    results.push(pass("log group", `${label} sends secret reads to function ${expect.functionName}`));
  if (atLimit) {
    results.push(
      warn(
        "log group",
        `log group ${group} has ${filters.length} subscription filters (${names}), the limit: no other subscription can be added`,
      ),
    );
  }
  return results;
}
