/**
 * Metric filter check: the filter counting secret reads exists, uses the JSON pattern (a
 * bare term also counts policy documents that mention the action), and publishes the metric
 * the alarm watches.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeMetricFilters.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import type { MetricFilter } from "@aws-sdk/client-cloudwatch-logs";
import { normalizePattern } from "./logs.js";
import { type CheckResult, type FixHints, fail, pass } from "./report.js";

export interface MetricFilterExpectation {
  logGroupName: string;
  /** `stageResources(ref).metricFilter` */
  filterName: string;
  /** METRIC_FILTER_PATTERN */
  pattern: string;
  /** METRIC_NAMESPACE */
  namespace: string;
  /** `secretAccessMetricName(ref)` */
  metricName: string;
  hints: FixHints;
}

/** A pattern that is not a JSON (`{ ... }`) or space-delimited (`[ ... ]`) pattern: terms matched anywhere. */
export function isBareTermPattern(pattern: string | undefined): boolean {
  const p = (pattern ?? "").trim();
  return p !== "" && !p.startsWith("{") && !p.startsWith("[");
}

/** Checks DescribeMetricFilters' `metricFilters` (of the watched log group). */
export function checkMetricFilter(filters: readonly MetricFilter[], expect: MetricFilterExpectation): CheckResult[] {
  const { namespace, metricName } = expect;
  const filter =
    filters.find((f) => f.filterName === expect.filterName) ??
    filters.find((f) =>
      f.metricTransformations?.some((t) => t.metricNamespace === namespace && t.metricName === metricName),
    );
  if (filter === undefined) {
    return [
      fail(
        "metric filter",
        `metric filter ${expect.filterName} is missing from log group ${expect.logGroupName}: the alarm never fires`,
        expect.hints.deploy,
      ),
    ];
  }

  const label = `metric filter ${filter.filterName}`;
  const results: CheckResult[] = [];
  const useJson = `use the JSON pattern ${expect.pattern} (${expect.hints.deploy})`;
  if (isBareTermPattern(filter.filterPattern)) {
    results.push(
      fail(
        "metric filter",
        `${label} uses the bare-term pattern "${filter.filterPattern}": it matches policy documents that mention GetSecretValue`,
        useJson,
      ),
    );
  } else if (normalizePattern(filter.filterPattern) !== normalizePattern(expect.pattern)) {
    results.push(fail("metric filter", `${label} has pattern ${filter.filterPattern ?? "(none)"}`, useJson));
  } else {
    results.push(pass("metric filter", `${label} matches GetSecretValue events of secretsmanager.amazonaws.com`));
  }

  const transformation = filter.metricTransformations?.[0];
  const publishes = `${transformation?.metricNamespace}/${transformation?.metricName}`;
  if (transformation?.metricNamespace !== namespace || transformation.metricName !== metricName) {
    results.push(
      fail(
        "metric filter",
        `${label} publishes ${publishes}, but the alarm watches ${namespace}/${metricName}`,
        expect.hints.deploy,
      ),
    );
  } else if (transformation.metricValue !== "1") {
    results.push(
      fail("metric filter", `${label} counts each match as ${transformation.metricValue}, not 1`, expect.hints.deploy),
    );
  } else {
    results.push(pass("metric filter", `${label} counts each read as 1 in ${publishes}`));
  }
  return results;
}
