/**
 * Dev stage (see ./dev-stage.ts): the self-monitoring alarms of issue 8 §3 on their rendered
 * settings. The blind-spot alarm is run through a model of CloudWatch's documented state rules
 * (treatMissingData, and which action list a transition notifies) over three timelines: data
 * then none ("delivery stopped"), a deleted group (its metric just stops), a fresh deploy.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 */
import { beforeAll, describe, expect, it } from "vitest";
import { READS_ASSESSED_METRIC } from "../../packages/cli/src/test-alarm/late";
import { METRIC_NAMESPACE } from "../../packages/core/src/events";
import { ENRICHER_METRICS_NAMESPACE, secretAccessMetricName } from "../../packages/core/src/naming";
import { ref, topicArn } from "./dev-stage";
import { named } from "./harness/recorder";
import { runApp } from "./harness/sst-globals";

beforeAll(async () => {
  await runApp({ stage: "dev", env: { alertEmails: "security@example.com" } });
});

type State = "OK" | "ALARM" | "INSUFFICIENT_DATA";
/** One evaluation: the Sum of the window, or null when the metric has no datapoint at all. */
type Window = number | null;

interface AlarmInputs {
  threshold: number;
  comparisonOperator: string;
  treatMissingData: string;
  alarmActions?: string[];
  okActions?: string[];
  insufficientDataActions?: string[];
}

/**
 * CloudWatch's rules for a 1-of-1 alarm: a new alarm starts in INSUFFICIENT_DATA; a window with
 * no datapoint is treated per `treatMissingData` (missing: INSUFFICIENT_DATA, breaching: ALARM,
 * notBreaching: OK, ignore: unchanged); a state change notifies the new state's action list.
 * Returns the notifications sent, as `STATE -> topic`.
 */
function notifications(alarm: AlarmInputs, windows: Window[]): string[] {
  const breaches = (value: number) =>
    alarm.comparisonOperator === "LessThanThreshold" ? value < alarm.threshold : value >= alarm.threshold;
  const missing: Record<string, State | null> = {
    missing: "INSUFFICIENT_DATA",
    breaching: "ALARM",
    notBreaching: "OK",
    ignore: null,
  };
  const actions: Record<State, string[]> = {
    ALARM: alarm.alarmActions ?? [],
    OK: alarm.okActions ?? [],
    INSUFFICIENT_DATA: alarm.insufficientDataActions ?? [],
  };
  let state: State = "INSUFFICIENT_DATA";
  const sent: string[] = [];
  for (const window of windows) {
    const next: State | null =
      window === null ? (missing[alarm.treatMissingData] ?? null) : breaches(window) ? "ALARM" : "OK";
    if (next === null || next === state) continue;
    state = next;
    for (const topic of actions[state]) sent.push(`${state} -> ${topic}`);
  }
  return sent;
}

describe("blind-spot alarm", () => {
  const blindSpot = () => named("BlindSpotAlarm").inputs as AlarmInputs;

  it("no data after data: delivery that stops after having worked emails once", () => {
    expect(notifications(blindSpot(), [420, 388, null, null])).toEqual([`INSUFFICIENT_DATA -> ${topicArn()}`]);
  });

  it("group deleted: its metric stops like any stopped delivery, and the alarm does not go with it", () => {
    expect(notifications(blindSpot(), [950, null])).toEqual([`INSUFFICIENT_DATA -> ${topicArn()}`]);
    // Watched by name, not by the group resource's ARN: deleting (or re-creating) the group
    // leaves the alarm in place and pointed at the same name.
    expect(named("BlindSpotAlarm").inputs.dimensions).toEqual({ LogGroupName: "/secretwatch/dev/cloudtrail" });
    expect(named("BlindSpotAlarm").parent ?? "").not.toMatch(/TrailLogGroup/);
  });

  it("fresh deploy: nothing delivered yet, then the first events, sends nothing", () => {
    expect(notifications(blindSpot(), [null, null, 12, 300])).toEqual([]);
  });

  it("the old settings (missing data breaching, OK emailed) would email ALARM then OK on every deploy", () => {
    const old = { ...blindSpot(), treatMissingData: "breaching", okActions: [topicArn()] };
    expect(notifications(old, [null, 12])).toEqual([`ALARM -> ${topicArn()}`, `OK -> ${topicArn()}`]);
  });

  it("says in its email what INSUFFICIENT_DATA means here and what to run", () => {
    const text = named("BlindSpotAlarm").inputs.alarmDescription as string;
    expect(text).toMatch(/INSUFFICIENT_DATA: no data at all/);
    expect(text).toContain("secretwatch doctor --stage dev");
  });
});

describe("subscription delivery alarms", () => {
  it.each([
    ["EnricherSubscriptionErrorsAlarm", "DeliveryErrors", /could not deliver/],
    ["EnricherSubscriptionThrottlingAlarm", "DeliveryThrottling", /throttled/],
  ])("%s sums AWS/Logs %s of the enricher's filter on the watched group", (name, metric, wording) => {
    const { inputs } = named(name);
    expect(inputs).toMatchObject({
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
      alarmActions: [topicArn()],
    });
    expect(inputs.alarmDescription).toMatch(wording);
    const [query, ...rest] = inputs.metricQueries;
    expect(rest).toEqual([]);
    expect(query).toMatchObject({ id: "delivery", period: 300, returnData: true });
    expect(query.expression).toBe(
      `SELECT SUM(${metric}) FROM SCHEMA("AWS/Logs", DestinationType, FilterName, LogGroupName) ` +
        "WHERE LogGroupName = '/secretwatch/dev/cloudtrail' AND FilterName = 'secretwatch-dev-enricher'",
    );
    expect(named("EnricherSubscription").inputs.name).toBe("secretwatch-dev-enricher");
  });
});

describe("reconciliation alarm", () => {
  const queries = () => named("ReadsNotAssessedAlarm").inputs.metricQueries as any[];

  it("compares, per hour, the metric filter's reads with the reads the enricher assessed", () => {
    const byId = Object.fromEntries(queries().map((q) => [q.id, q]));
    expect(byId.reads).toEqual({
      id: "reads",
      metric: { namespace: METRIC_NAMESPACE, metricName: secretAccessMetricName(ref), period: 3600, stat: "Sum" },
      returnData: false,
    });
    expect(byId.assessed).toEqual({
      id: "assessed",
      metric: {
        namespace: ENRICHER_METRICS_NAMESPACE,
        metricName: "ReadsAssessed",
        dimensions: { service: "secretwatch-dev-enricher" },
        period: 3600,
        stat: "Sum",
      },
      returnData: false,
    });
    expect(byId.unassessed).toMatchObject({ expression: "FILL(reads, 0) - FILL(assessed, 0)", returnData: true });
    expect(queries().filter((q) => q.returnData)).toHaveLength(1);
    // test-alarm --late balances the same metric it compares.
    expect(byId.assessed.metric.metricName).toBe(READS_ASSESSED_METRIC);
  });

  it("fires at one unassessed read, and an hour without reads is fine", () => {
    const { inputs } = named("ReadsNotAssessedAlarm");
    expect(inputs).toMatchObject({
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
      alarmActions: [topicArn()],
    });
    // The expression on sample hours: reads 3 / assessed 3, 3 / 1, 3 / none, none / none.
    const unassessed = (reads: number | null, assessed: number | null) => (reads ?? 0) - (assessed ?? 0);
    const fires = (value: number) => value >= inputs.threshold;
    expect([unassessed(3, 3), unassessed(3, 1), unassessed(3, null), unassessed(null, null)].map(fires)).toEqual([
      false,
      true,
      true,
      false,
    ]);
    // More assessed than counted (a redelivered payload) is not a gap.
    expect(fires(unassessed(1, 2))).toBe(false);
  });
});
