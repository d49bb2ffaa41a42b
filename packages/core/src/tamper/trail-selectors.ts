/**
 * What the stage's trail logs (stacks/trail.ts), as advanced event selectors; an event is logged
 * when any selector matches it, and a selector matches when all its field selectors do.
 *
 * 1. Every management event, Read and Write (GetSecretValue is a Read event), except KMS and the
 *    RDS Data API: their Read calls are most of an account's events (Encrypt, Decrypt and
 *    GenerateDataKey are logged as Read, `readOnly: true`).
 * 2. Write management events of every source but the RDS Data API: this adds KMS's Write events
 *    (DisableKey, ScheduleKeyDeletion, PutKeyPolicy: `readOnly: false`) and leaves its Read calls
 *    out. For trails, `eventSource` takes only `NotEquals` (kms or rdsdata), so "KMS writes" is
 *    written as "writes, minus RDS Data" rather than "eventSource = kms".
 *
 * *Unconfirmed* (no deploy here): that CloudTrail accepts two management selectors on one trail;
 * the API documents OR-ing of selectors and these fields and operators for management events.
 * If PutEventSelectors refused it, the deploy would fail loudly, not log less.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-generatedatakey.html (readOnly: true)
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-schedule-key-deletion.html (readOnly: false)
 */

/** Services whose Read management events are too many and too dull to pay for here. */
export const EXCLUDED_EVENT_SOURCES = ["kms.amazonaws.com", "rdsdata.amazonaws.com"];

export interface FieldSelector {
  field: string;
  equals?: string[];
  notEquals?: string[];
}

export const TRAIL_ADVANCED_EVENT_SELECTORS: { name: string; fieldSelectors: FieldSelector[] }[] = [
  {
    name: "Management events (Read and Write) except KMS and RDS Data API",
    fieldSelectors: [
      { field: "eventCategory", equals: ["Management"] },
      { field: "eventSource", notEquals: EXCLUDED_EVENT_SOURCES },
    ],
  },
  {
    name: "Write management events, KMS included (DisableKey, ScheduleKeyDeletion, PutKeyPolicy), except RDS Data API",
    fieldSelectors: [
      { field: "eventCategory", equals: ["Management"] },
      { field: "readOnly", equals: ["false"] },
      { field: "eventSource", notEquals: ["rdsdata.amazonaws.com"] },
    ],
  },
];
