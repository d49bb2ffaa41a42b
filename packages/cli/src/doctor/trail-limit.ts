/**
 * Trails in the Region against AWS's limit of 5 per Region per account (not raisable). A
 * multi-Region trail counts in every Region, so DescribeTrails with shadow trails is the count
 * that matters here. One trail per stage runs into it: extra stages share one trail's log group
 * (SECRETWATCH_EXISTING_LOG_GROUP).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
 */
import type { Trail } from "@aws-sdk/client-cloudtrail";
import { type CheckResult, pass, warn } from "./report.js";

export const TRAILS_PER_REGION = 5;

/** The trails that count in `region`: this Region's own and every multi-Region trail. */
export function trailsInRegion(trails: readonly Trail[], region: string): Trail[] {
  const seen = new Set<string>();
  return trails.filter((t) => {
    const id = t.TrailARN ?? t.Name ?? "";
    if (seen.has(id) || !(t.IsMultiRegionTrail || t.HomeRegion === region)) return false;
    seen.add(id);
    return true;
  });
}

export function checkTrailLimit(trails: readonly Trail[], region: string): CheckResult {
  const count = trailsInRegion(trails, region).length;
  const of = `${count} of ${TRAILS_PER_REGION} trails`;
  if (count < TRAILS_PER_REGION) {
    return pass("trail", `${of} in ${region} (AWS's limit per Region): room for ${TRAILS_PER_REGION - count} more`);
  }
  return warn(
    "trail",
    `${of} in ${region}: AWS's limit per Region is reached, another stage cannot create its trail`,
    "deploy extra stages with SECRETWATCH_EXISTING_LOG_GROUP set to this stage's log group (one trail shared)",
  );
}
