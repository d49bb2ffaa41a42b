import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  demoSecretName,
  logGroupName,
  METRIC_NAME_LIMIT,
  NAME_LIMITS,
  NamingError,
  RESOURCE_SUFFIXES,
  type ResourceKind,
  resourceName,
  type StageRef,
  secretAccessMetricName,
  stageAlarmNames,
  stageResources,
  trailBucketName,
} from "../../packages/core/src/naming.js";

const ACCOUNT = "123456789012";
const ref = (stage: string, app = "secretwatch"): StageRef => ({ app, stage });
const kinds = Object.keys(RESOURCE_SUFFIXES) as ResourceKind[];
const alarmKinds = kinds.filter((k) => k.endsWith("Alarm"));

// What AWS accepts, per service (the documents cited in naming.ts).
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const TRAIL = /^[a-zA-Z0-9](?:[a-zA-Z0-9]|[._-](?=[a-zA-Z0-9]))*$/; // no adjacent . _ -
const IAM_ROLE = /^[\w+=,.@-]+$/;
const LAMBDA = /^[a-zA-Z0-9_-]+$/;
const SQS = /^[a-zA-Z0-9_-]+$/;
const SNS_TOPIC = /^[a-zA-Z0-9_-]+$/;
const DASHBOARD = /^[a-zA-Z0-9_-]+$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]+$/;
const FILTER = /^[^:*]+$/;
const SECRET = /^[a-zA-Z0-9/_+=.@-]+$/;
const ALARM = /^[\x20-\x7e]+$/;

const DYNAMODB_TABLE = /^[a-zA-Z0-9_.-]{3,}$/;
const SCHEDULE = /^[0-9a-zA-Z_.-]+$/;

/** Per kind: the service whose names must be unique, and the characters it accepts. */
const KINDS: Record<ResourceKind, { service: string; charset: RegExp }> = {
  trail: { service: "cloudtrail", charset: TRAIL },
  trailBucket: { service: "s3", charset: S3_BUCKET },
  trailRole: { service: "iam", charset: IAM_ROLE },
  logGroup: { service: "logs", charset: LOG_GROUP },
  metricFilter: { service: "metric-filter", charset: FILTER },
  secretAccessAlarm: { service: "alarm", charset: ALARM },
  topic: { service: "sns", charset: SNS_TOPIC },
  pagerTopic: { service: "sns", charset: SNS_TOPIC },
  enricher: { service: "lambda", charset: LAMBDA },
  enricherRole: { service: "iam", charset: IAM_ROLE },
  subscriptionFilter: { service: "subscription-filter", charset: FILTER },
  failureQueue: { service: "sqs", charset: SQS },
  dashboard: { service: "dashboard", charset: DASHBOARD },
  demoSecret: { service: "secretsmanager", charset: SECRET },
  enricherErrorsAlarm: { service: "alarm", charset: ALARM },
  enricherThrottlesAlarm: { service: "alarm", charset: ALARM },
  enricherDroppedAlarm: { service: "alarm", charset: ALARM },
  enricherDestinationAlarm: { service: "alarm", charset: ALARM },
  failureQueueAlarm: { service: "alarm", charset: ALARM },
  deliveryFailedAlarm: { service: "alarm", charset: ALARM },
  blindSpotAlarm: { service: "alarm", charset: ALARM },
  malformedMessagesAlarm: { service: "alarm", charset: ALARM },
  policyErrorsAlarm: { service: "alarm", charset: ALARM },
  stateErrorsAlarm: { service: "alarm", charset: ALARM },
  stateTable: { service: "dynamodb", charset: DYNAMODB_TABLE },
  stateBaselineRole: { service: "iam", charset: IAM_ROLE },
  digest: { service: "lambda", charset: LAMBDA },
  digestRole: { service: "iam", charset: IAM_ROLE },
  digestSchedule: { service: "scheduler", charset: SCHEDULE },
  digestSchedulerRole: { service: "iam", charset: IAM_ROLE },
  digestFailureQueue: { service: "sqs", charset: SQS },
  digestErrorsAlarm: { service: "alarm", charset: ALARM },
  digestFailuresAlarm: { service: "alarm", charset: ALARM },
  subscriptionErrorsAlarm: { service: "alarm", charset: ALARM },
  subscriptionThrottlingAlarm: { service: "alarm", charset: ALARM },
  reconciliationAlarm: { service: "alarm", charset: ALARM },
  opsTopic: { service: "sns", charset: SNS_TOPIC },
  tamperTrailMetricFilter: { service: "metric-filter", charset: FILTER },
  tamperLogsMetricFilter: { service: "metric-filter", charset: FILTER },
  tamperEnricherMetricFilter: { service: "metric-filter", charset: FILTER },
  tamperDigestMetricFilter: { service: "metric-filter", charset: FILTER },
  tamperTopicsMetricFilter: { service: "metric-filter", charset: FILTER },
  tamperTrailAlarm: { service: "alarm", charset: ALARM },
  tamperLogsAlarm: { service: "alarm", charset: ALARM },
  tamperFunctionsAlarm: { service: "alarm", charset: ALARM },
  tamperTopicsAlarm: { service: "alarm", charset: ALARM },
};

/** Every naming rule: the name it gives, the longest AWS allows, what AWS accepts. */
interface Rule {
  rule: string;
  name: (r: StageRef) => string;
  limit: number;
  charset: RegExp;
}
const RULES: Rule[] = [
  ...kinds.map((kind) => ({
    rule: `resourceName ${kind}`,
    name: (r: StageRef) => resourceName(r, kind),
    limit: NAME_LIMITS[kind],
    charset: KINDS[kind].charset,
  })),
  { rule: "trailBucketName", name: (r) => trailBucketName(r, ACCOUNT), limit: 63, charset: S3_BUCKET },
  { rule: "logGroupName", name: logGroupName, limit: NAME_LIMITS.logGroup, charset: LOG_GROUP },
  { rule: "demoSecretName", name: demoSecretName, limit: NAME_LIMITS.demoSecret, charset: SECRET },
  { rule: "secretAccessMetricName", name: secretAccessMetricName, limit: METRIC_NAME_LIMIT, charset: ALARM },
];

const hash = (raw: string) => createHash("sha256").update(raw).digest("hex").slice(0, 8);

describe("names of canonical stages stay what they were (renaming replaces a resource)", () => {
  it("pins every name of the dev stage", () => {
    expect(stageResources(ref("dev"))).toEqual({
      trail: "secretwatch-dev-trail",
      trailBucket: "secretwatch-dev-trail",
      trailRole: "secretwatch-dev-trail-logs",
      logGroup: "/secretwatch/dev/cloudtrail",
      metricFilter: "secretwatch-dev-secret-access",
      secretAccessAlarm: "secretwatch-dev-secret-access",
      topic: "secretwatch-dev-alerts",
      pagerTopic: "secretwatch-dev-pager",
      enricher: "secretwatch-dev-enricher",
      enricherRole: "secretwatch-dev-enricher",
      subscriptionFilter: "secretwatch-dev-enricher",
      failureQueue: "secretwatch-dev-enricher-failures",
      dashboard: "secretwatch-dev-dashboard",
      demoSecret: "secretwatch-dev-TopSecretInfo",
      enricherErrorsAlarm: "secretwatch-dev-enricher-errors",
      enricherThrottlesAlarm: "secretwatch-dev-enricher-throttles",
      enricherDroppedAlarm: "secretwatch-dev-enricher-events-dropped",
      enricherDestinationAlarm: "secretwatch-dev-enricher-destination-failures",
      failureQueueAlarm: "secretwatch-dev-enricher-failures-waiting",
      deliveryFailedAlarm: "secretwatch-dev-alerts-delivery-failed",
      blindSpotAlarm: "secretwatch-dev-blind-spot",
      malformedMessagesAlarm: "secretwatch-dev-enricher-malformed-messages",
      policyErrorsAlarm: "secretwatch-dev-enricher-policy-errors",
      stateErrorsAlarm: "secretwatch-dev-enricher-state-errors",
      stateTable: "secretwatch-dev-state",
      stateBaselineRole: "secretwatch-dev-state-baseline",
      digest: "secretwatch-dev-digest",
      digestRole: "secretwatch-dev-digest",
      digestSchedule: "secretwatch-dev-digest",
      digestSchedulerRole: "secretwatch-dev-digest-scheduler",
      digestFailureQueue: "secretwatch-dev-digest-failures",
      digestErrorsAlarm: "secretwatch-dev-digest-errors",
      digestFailuresAlarm: "secretwatch-dev-digest-failures-waiting",
      subscriptionErrorsAlarm: "secretwatch-dev-enricher-subscription-errors",
      subscriptionThrottlingAlarm: "secretwatch-dev-enricher-subscription-throttled",
      reconciliationAlarm: "secretwatch-dev-reads-not-assessed",
      opsTopic: "secretwatch-dev-ops",
      tamperTrailMetricFilter: "secretwatch-dev-tamper-trail",
      tamperLogsMetricFilter: "secretwatch-dev-tamper-logs",
      tamperEnricherMetricFilter: "secretwatch-dev-tamper-enricher",
      tamperDigestMetricFilter: "secretwatch-dev-tamper-digest",
      tamperTopicsMetricFilter: "secretwatch-dev-tamper-topics",
      tamperTrailAlarm: "secretwatch-dev-tamper-trail",
      tamperLogsAlarm: "secretwatch-dev-tamper-logs",
      tamperFunctionsAlarm: "secretwatch-dev-tamper-functions",
      tamperTopicsAlarm: "secretwatch-dev-tamper-topics",
    });
    expect(trailBucketName(ref("dev"), ACCOUNT)).toBe(`secretwatch-dev-trail-${ACCOUNT}`);
    expect(secretAccessMetricName(ref("dev"))).toBe("Secret is accessed (secretwatch-dev)");
  });

  it.each([
    ["prod", (r: StageRef) => resourceName(r, "enricher"), "secretwatch-prod-enricher"],
    ["prod", logGroupName, "/secretwatch/prod/cloudtrail"],
    ["prod", (r: StageRef) => trailBucketName(r, ACCOUNT), `secretwatch-prod-trail-${ACCOUNT}`],
    ["pr-1234", (r: StageRef) => resourceName(r, "failureQueue"), "secretwatch-pr-1234-enricher-failures"],
    // Long, but canonical and within every limit: unchanged.
    [
      "feature-login-redesign-2",
      (r: StageRef) => resourceName(r, "enricherRole"),
      "secretwatch-feature-login-redesign-2-enricher",
    ],
    ["feature-login-redesign-2", demoSecretName, "secretwatch-feature-login-redesign-2-TopSecretInfo"],
  ])("stage %s keeps %s", (stage, rule, expected) => {
    expect(rule(ref(stage))).toBe(expected);
  });
});

describe("two different stages never share a physical name", () => {
  const long = "feature-".repeat(12);
  const pairs: [string, string, string][] = [
    ["case", "Dev", "dev"],
    ["case, both changed", "Dev", "DEV"],
    ["double hyphen", "a--b", "a-b"],
    ["leading hyphen", "-dev", "dev"],
    ["trailing hyphen", "dev-", "dev"],
    ["a stage that starts with another", "dev", "dev-alice"],
    ["long names with a common prefix", `${long}alice`, `${long}bob`],
    ["a long name and its prefix", `${long}x`, long],
    ["very long, differing at the end", `${"s".repeat(600)}1`, `${"s".repeat(600)}2`],
    ["hyphens only vs the empty slug", "---", "--"],
  ];

  it.each(pairs)("%s: %s vs %s, in every naming rule", (_, a, b) => {
    for (const { rule, name } of RULES) expect(name(ref(a)), rule).not.toBe(name(ref(b)));
    expect(stageAlarmNames(ref(a)).filter((n) => stageAlarmNames(ref(b)).includes(n))).toEqual([]);
  });

  it("app names go through the same rule", () => {
    for (const { rule, name } of RULES) {
      expect(name(ref("dev", "SecretWatch")), rule).not.toBe(name(ref("dev", "secretwatch")));
      expect(name(ref("dev", "a".repeat(40))), rule).not.toBe(name(ref("dev", `${"a".repeat(40)}b`)));
    }
  });

  it("marks a changed stage with the hash of its raw name", () => {
    expect(resourceName(ref("Dev"), "enricher")).toBe(`secretwatch-dev-${hash("Dev")}-enricher`);
    expect(resourceName(ref("a--b"), "topic")).toBe(`secretwatch-a-b-${hash("a--b")}-alerts`);
    expect(logGroupName(ref("Dev"))).toBe(`/secretwatch/dev-${hash("Dev")}/cloudtrail`);
    expect(resourceName(ref("dev", "SecretWatch"), "topic")).toBe(`secretwatch-${hash("SecretWatch")}-dev-alerts`);
    // Cut to fit: the suffix stays whole, the stage is cut and hashed.
    const stage = "x".repeat(70);
    const queue = resourceName(ref(stage), "failureQueue");
    expect(queue).toBe(`secretwatch-${"x".repeat(80 - 12 - 18 - 9)}-${hash(stage)}-enricher-failures`);
    expect(queue).toHaveLength(80);
    expect(resourceName(ref("---"), "enricher")).toBe(`secretwatch-${hash("---")}-enricher`);
  });

  it("for random stage names from SST's alphabet", () => {
    const stageName = fc.stringMatching(/^[a-zA-Z0-9-]{1,120}$/);
    fc.assert(
      fc.property(stageName, stageName, (a, b) => {
        fc.pre(a !== b);
        for (const { name } of RULES) if (name(ref(a)) === name(ref(b))) return false;
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("for near-identical names: one character changed in case, doubled or appended", () => {
    const base = fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+){0,8}$/);
    fc.assert(
      fc.property(base, fc.nat(), (stage, at) => {
        const i = at % stage.length;
        const variants = [
          stage.slice(0, i) + stage.charAt(i).toUpperCase() + stage.slice(i + 1),
          `${stage.slice(0, i)}-${stage.slice(i)}`,
          `${stage}-${stage}`.repeat(3),
        ].filter((v) => v !== stage);
        return variants.every((v) => RULES.every(({ name }) => name(ref(v)) !== name(ref(stage))));
      }),
      { numRuns: 300 },
    );
  });
});

describe("names stay within AWS's limits and alphabets", () => {
  const stages = [
    "dev",
    "Dev",
    "a",
    "---",
    "x".repeat(64),
    "Feature-ABC-123--very-long-branch-name-that-goes-on-and-on-and-on",
    "s".repeat(1000),
    `${"Ab-".repeat(300)}Z`,
  ];
  const apps = ["secretwatch", "SecretWatch", "a", "app-".repeat(50)];

  it.each(stages)("stage %s, for every app and every rule", (stage) => {
    for (const app of apps) {
      for (const { rule, name, limit, charset } of RULES) {
        const n = name(ref(stage, app));
        expect(n.length, `${rule} ${app}`).toBeLessThanOrEqual(limit);
        expect(n, `${rule} ${app}`).toMatch(charset);
      }
      const trail = resourceName(ref(stage, app), "trail");
      expect(trail.length).toBeGreaterThanOrEqual(3);
      expect(trail).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    }
  });

  it("classifies every kind by service (a new kind must be added to KINDS)", () => {
    expect(Object.keys(KINDS).sort()).toEqual([...kinds].sort());
  });

  it("lets the names of one stage differ within each service", () => {
    for (const stage of stages) {
      const byService = new Map<string, string[]>();
      for (const kind of kinds) {
        const { service } = KINDS[kind];
        byService.set(service, [...(byService.get(service) ?? []), resourceName(ref(stage), kind)]);
      }
      for (const [service, names] of byService) expect(new Set(names).size, `${service} ${stage}`).toBe(names.length);
    }
  });

  it("no suffix ends with another of its service: stage `dev-<word>` cannot take a name of `dev`", () => {
    for (const a of kinds) {
      for (const b of kinds) {
        if (a === b || KINDS[a].service !== KINDS[b].service) continue;
        const [sa, sb] = [RESOURCE_SUFFIXES[a], RESOURCE_SUFFIXES[b]];
        expect(sa.endsWith(`-${sb}`) || sa === sb, `${a} (${sa}) / ${b} (${sb})`).toBe(false);
      }
    }
  });

  it("refuses a length that leaves no room", () => {
    expect(() => resourceName(ref("Dev"), "enricher", 20)).toThrow(NamingError);
    expect(resourceName(ref("dev"), "enricher", 24)).toBe("secretwatch-dev-enricher");
  });
});

describe("stageAlarmNames", () => {
  it("lists the name of every alarm kind, and nothing else", () => {
    expect(stageAlarmNames(ref("prod"))).toEqual(alarmKinds.map((k) => resourceName(ref("prod"), k)));
    expect(stageAlarmNames(ref("prod"))).toContain("secretwatch-prod-secret-access");
    expect(stageAlarmNames(ref("prod"))).not.toContain(resourceName(ref("prod"), "topic"));
  });
});

describe("state resources", () => {
  it("name the state table, the role `baseline` assumes and the StateErrors alarm per stage", () => {
    const names = stageResources(ref("prod"));
    expect(names.stateTable).toBe("secretwatch-prod-state");
    expect(names.stateBaselineRole).toBe("secretwatch-prod-state-baseline");
    expect(names.stateErrorsAlarm).toBe("secretwatch-prod-enricher-state-errors");
    expect(stageResources(ref("dev")).stateTable).not.toBe(names.stateTable);
  });
});
