/**
 * A stage's tamper scope from its name alone, by the same naming rule the stacks use: what the
 * enricher, replay and lookup compare records with. Only the topic ARNs (and any KMS keys) come
 * from outside: the enricher has the alert topic's in SECRETWATCH_TOPIC_ARN.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
import { logGroupName, resourceName, type StageRef, stageAlarmNames } from "../naming.js";
import type { TamperScope } from "./scope.js";

export interface StageScopeOptions {
  /** SECRETWATCH_EXISTING_LOG_GROUP: the stage watches this group, fed by a trail it did not create. */
  existingLogGroup?: string | null;
  /** The alert topic, the pager and ops topics when there are: ARNs. */
  topicArns?: readonly string[];
  /** Customer managed keys the stage uses (none yet). */
  kmsKeys?: readonly string[];
}

/** The scope of `ref`'s resources (trail, log group, alarms, functions, state table). */
export function stageTamperScope(ref: StageRef, options: StageScopeOptions = {}): TamperScope {
  const existing = options.existingLogGroup?.trim() || null;
  return {
    trails: existing === null ? [resourceName(ref, "trail")] : null,
    logGroups: [existing ?? logGroupName(ref)],
    alarms: stageAlarmNames(ref),
    topics: [...(options.topicArns ?? [])].filter((arn) => arn !== ""),
    functions: [resourceName(ref, "enricher"), resourceName(ref, "digest")],
    tables: [resourceName(ref, "stateTable")],
    kmsKeys: [...(options.kmsKeys ?? [])],
  };
}
