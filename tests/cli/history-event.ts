/** CloudTrail event history test data: a record as `LookupEvents` returns it. */
import type { Event } from "@aws-sdk/client-cloudtrail";

type RecordJson = Record<string, any>;

/** An event as LookupEvents returns it: summary fields plus the full record as JSON text. */
export function historyEvent(record: RecordJson): Event {
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: "true",
    AccessKeyId: record.userIdentity?.accessKeyId,
    EventTime: new Date(record.eventTime),
    EventSource: record.eventSource,
    Username: record.userIdentity?.userName,
    Resources: record.requestParameters?.secretId
      ? [{ ResourceType: "AWS::SecretsManager::Secret", ResourceName: record.requestParameters.secretId }]
      : [],
    CloudTrailEvent: JSON.stringify(record),
  };
}
