/**
 * Trail checks: the stage's trail exists and delivers to the watched log group, is logging,
 * delivered to CloudWatch Logs recently and without error. (Event selectors: selectors.ts.)
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
 */
import type { GetTrailStatusResponse, Trail } from "@aws-sdk/client-cloudtrail";
import { type CheckResult, type FixHints, fail, pass, warn } from "./report.js";

export interface TrailTarget {
  /** The stage's trail name (`stageResources(ref).trail`); unused in bring-your-own mode. */
  trailName: string;
  /** The log group the filters read. */
  logGroupName: string;
  /** The Region the doctor runs in (the stage's Region). */
  region: string;
  /** Bring-your-own log group (SECRETWATCH_EXISTING_LOG_GROUP): find the trail by its log group. */
  existingLogGroup: boolean;
  hints: FixHints;
}

interface LogGroupArn {
  region: string;
  account: string;
  name: string;
}

/** Parses `arn:<partition>:logs:<region>:<account>:log-group:<name>[:*]` (names hold no `:`). */
export function parseLogGroupArn(arn: string | undefined): LogGroupArn | undefined {
  const parts = arn?.split(":") ?? [];
  if (parts.length < 7 || parts[0] !== "arn" || parts[2] !== "logs" || parts[5] !== "log-group") return undefined;
  return { region: parts[3]!, account: parts[4]!, name: parts[6]! };
}

/** How to name a trail to the API: its ARN (required for shadow and organization trails). */
export function trailId(trail: Trail): string {
  return trail.TrailARN ?? trail.Name ?? "";
}

function describeKind(trail: Trail): string {
  const kind = [trail.IsOrganizationTrail ? "organization" : "", trail.IsMultiRegionTrail ? "multi-Region" : ""]
    .filter(Boolean)
    .join(", ");
  return kind ? ` (${kind})` : "";
}

function deliversTo(trail: Trail, target: TrailTarget): boolean {
  const arn = parseLogGroupArn(trail.CloudWatchLogsLogGroupArn);
  return arn?.name === target.logGroupName && arn.region === target.region;
}

/**
 * Picks the trail to check from DescribeTrails' `trailList` (shadow trails included): the
 * stage's trail by name, or in bring-your-own mode the trail whose CloudWatch Logs log group
 * is the watched one (possibly another Region's or the organization's trail).
 */
export function selectTrail(trails: readonly Trail[], target: TrailTarget): { trail?: Trail; results: CheckResult[] } {
  const group = target.logGroupName;
  if (target.existingLogGroup) {
    const matching = trails.filter((t) => deliversTo(t, target));
    const trail = matching[0];
    if (trail === undefined) {
      return {
        results: [
          fail(
            "trail",
            `no trail delivers to log group ${group} in ${target.region}`,
            `point a trail that logs Read management events at ${group} (CloudTrail console → trail → CloudWatch Logs), or remove SECRETWATCH_EXISTING_LOG_GROUP so the stage creates its own trail`,
          ),
        ],
      };
    }
    const results = [pass("trail", `trail ${trail.Name}${describeKind(trail)} delivers to log group ${group}`)];
    if (matching.length > 1) {
      const others = matching.slice(1).map((t) => t.Name);
      results.push(
        warn("trail", `${matching.length} trails deliver to ${group}; checked ${trail.Name}, not ${others.join(", ")}`),
      );
    }
    return { trail, results };
  }

  const trail = trails.find((t) => t.Name === target.trailName);
  if (trail === undefined) {
    return {
      results: [
        fail(
          "trail",
          `trail ${target.trailName} not found in ${target.region}`,
          `deploy the stage: ${target.hints.deploy}`,
        ),
      ],
    };
  }
  const arn = parseLogGroupArn(trail.CloudWatchLogsLogGroupArn);
  if (arn === undefined) {
    return {
      trail,
      results: [
        fail("trail", `trail ${trail.Name} does not deliver to CloudWatch Logs`, `restore it: ${target.hints.deploy}`),
      ],
    };
  }
  if (arn.name === group && arn.region !== target.region) {
    return {
      trail,
      results: [
        fail(
          "trail",
          `trail ${trail.Name} delivers to ${group} in ${arn.region}, not in ${target.region}`,
          `run doctor in the stage's Region: --region ${arn.region}`,
        ),
      ],
    };
  }
  if (arn.name !== group) {
    return {
      trail,
      results: [
        fail(
          "trail",
          `trail ${trail.Name} delivers to log group ${arn.name}, not ${group}`,
          `restore it: ${target.hints.deploy}`,
        ),
      ],
    };
  }
  return {
    trail,
    results: [pass("trail", `trail ${trail.Name}${describeKind(trail)} delivers to log group ${group}`)],
  };
}

/** `3 minutes`, `5 hours`, `2 days`. */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const [n, unit] =
    minutes < 120
      ? [minutes, "minute"]
      : minutes < 2880
        ? [Math.floor(minutes / 60), "hour"]
        : [Math.floor(minutes / 1440), "day"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

export interface StatusExpectation {
  now: Date;
  /** Latest CloudWatch Logs delivery may be at most this old (`--max-delivery-age`, default 15). */
  maxDeliveryAgeMinutes: number;
  logGroupName: string;
}

/** Checks GetTrailStatus: logging, a recent CloudWatch Logs delivery, no delivery error. */
export function checkTrailStatus(
  trail: Trail,
  status: GetTrailStatusResponse,
  expect: StatusExpectation,
): CheckResult[] {
  const name = trail.Name ?? trailId(trail);
  const home = trail.HomeRegion ? ` --region ${trail.HomeRegion}` : "";
  const role = trail.CloudWatchLogsRoleArn ?? "the trail's CloudWatch Logs role";
  const deliveryFix = `make sure ${role} may call logs:CreateLogStream and logs:PutLogEvents on ${expect.logGroupName}, and that the group exists`;
  const results: CheckResult[] = [];

  results.push(
    status.IsLogging
      ? pass("trail", `trail ${name} is logging`)
      : fail("trail", `trail ${name} is not logging`, `aws cloudtrail start-logging --name ${trailId(trail)}${home}`),
  );

  if (status.LatestCloudWatchLogsDeliveryError) {
    results.push(
      fail(
        "trail",
        `trail ${name} failed to deliver to CloudWatch Logs: ${status.LatestCloudWatchLogsDeliveryError}`,
        deliveryFix,
      ),
    );
  }

  const delivered = status.LatestCloudWatchLogsDeliveryTime;
  if (delivered === undefined) {
    results.push(fail("trail", `trail ${name} has never delivered to CloudWatch Logs`, deliveryFix));
  } else {
    const age = expect.now.getTime() - delivered.getTime();
    const text = `trail ${name} last delivered to CloudWatch Logs ${formatAge(age)} ago`;
    results.push(
      age <= expect.maxDeliveryAgeMinutes * 60_000
        ? pass("trail", text)
        : fail(
            "trail",
            `${text} (more than ${expect.maxDeliveryAgeMinutes} minutes)`,
            status.IsLogging ? deliveryFix : "start logging (see above)",
          ),
    );
  }
  return results;
}
