/**
 * What a record that secretwatch failed to read is reported with: its own texts, uninterpreted
 * (no identity, source or client parsing, no lookups), so the code that failed is not run
 * again. Used by enrich.ts (`enrichOrBare`) for reads and by tamper/classify.ts
 * (`classifyTamperOrBare`) for tamper events.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import { isJsonObject } from "./decode.js";
import type { CloudTrailRecord, Identity } from "./types.js";

/** A field's value when it is text (at most 2,048 characters, cut), else null: nothing else is called. */
export function rawText(value: unknown): string | null {
  return typeof value === "string" ? value.slice(0, 2048) : null;
}

/** The name of what was thrown (at most 64 characters), for the note and the `unreadable` field. */
export function faultName(error: unknown): string {
  return error instanceof Error && typeof error.name === "string" ? error.name.slice(0, 64) : typeof error;
}

/** An `Unknown` principal holding only the record's own ARN, account and access key texts. */
export function bareIdentity(record: CloudTrailRecord): Identity {
  const ui = isJsonObject(record.userIdentity) ? record.userIdentity : {};
  return {
    type: "Unknown",
    principalArn: rawText(ui.arn),
    principalId: null,
    accountId: rawText(ui.accountId),
    userName: null,
    roleSessionName: null,
    sessionIssuerArn: null,
    sessionIssuerName: null,
    sessionIssuerType: null,
    invokedBy: null,
    accessKeyId: rawText(ui.accessKeyId),
    sourceIdentity: null,
    mfaAuthenticated: null,
    consoleSession: false,
    crossAccount: false,
    label: "unknown principal (the record could not be read)",
  };
}
