/**
 * Does a `PutEventSelectors` request still log what secretwatch needs? The request's selectors
 * are evaluated against two probe events: a Secrets Manager `GetSecretValue` (a Read management
 * event) and a CloudTrail `StopLogging` (a Write management event, like every tamper event). A
 * request that would drop either blinds the chain. What cannot be read (no selectors, an unknown
 * field or operator) counts as dropping: the caller chose the request text.
 *
 * Basic selectors: `readWriteType` (`All` by default), `includeManagementEvents` (true by
 * default), `excludeManagementEventSources`. Advanced selectors: a selector matches when every
 * field selector does; within one, every operator must hold (`equals`: one of the values...).
 * An event is logged when any selector matches.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 */
import { isJsonObject } from "../decode.js";

/** The fields of a management event an advanced selector can test. */
type Probe = Readonly<Record<string, string>>;

export const READ_PROBE: Probe = {
  eventCategory: "Management",
  eventSource: "secretsmanager.amazonaws.com",
  eventName: "GetSecretValue",
  readOnly: "true",
};
export const WRITE_PROBE: Probe = {
  eventCategory: "Management",
  eventSource: "cloudtrail.amazonaws.com",
  eventName: "StopLogging",
  readOnly: "false",
};

/** A key in camelCase (as CloudTrail records request parameters) or PascalCase (as the API spells it). */
function field(obj: Record<string, unknown>, camel: string): unknown {
  return obj[camel] ?? obj[camel.charAt(0).toUpperCase() + camel.slice(1)];
}

function strings(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  return value.every((v) => typeof v === "string") ? (value as string[]) : null;
}

const OPERATORS: Record<string, (actual: string, values: string[]) => boolean> = {
  equals: (a, v) => v.includes(a),
  notEquals: (a, v) => !v.includes(a),
  startsWith: (a, v) => v.some((x) => a.startsWith(x)),
  notStartsWith: (a, v) => !v.some((x) => a.startsWith(x)),
  endsWith: (a, v) => v.some((x) => a.endsWith(x)),
  notEndsWith: (a, v) => !v.some((x) => a.endsWith(x)),
};

/** True, false, or null when the field selector cannot be read. */
function fieldMatches(selector: unknown, probe: Probe): boolean | null {
  if (!isJsonObject(selector)) return null;
  const name = field(selector, "field");
  if (typeof name !== "string" || !Object.hasOwn(probe, name)) return null;
  const actual = probe[name]!;
  let any = false;
  for (const [op, test] of Object.entries(OPERATORS)) {
    const raw = field(selector, op);
    if (raw === undefined || raw === null) continue;
    const values = strings(raw);
    if (values === null) return null;
    any = true;
    if (!test(actual, values)) return false;
  }
  return any ? true : null;
}

function advancedLogs(selectors: unknown[], probe: Probe): boolean | null {
  let unreadable = false;
  for (const selector of selectors) {
    const fields = isJsonObject(selector) ? field(selector, "fieldSelectors") : null;
    if (!Array.isArray(fields) || fields.length === 0) {
      unreadable = true;
      continue;
    }
    const results = fields.map((f) => fieldMatches(f, probe));
    if (results.includes(false)) continue;
    if (results.includes(null)) unreadable = true;
    else return true;
  }
  return unreadable ? null : false;
}

function basicLogs(selectors: unknown[], probe: Probe): boolean | null {
  for (const selector of selectors) {
    if (!isJsonObject(selector)) return null;
    const include = field(selector, "includeManagementEvents");
    const type = field(selector, "readWriteType") ?? "All";
    const excluded = field(selector, "excludeManagementEventSources") ?? [];
    const excludedList = strings(excluded);
    if ((include !== undefined && typeof include !== "boolean") || typeof type !== "string" || excludedList === null)
      return null;
    if (include === false) continue;
    const typeOk = type === "All" || (type === "ReadOnly") === (probe.readOnly === "true");
    if (typeOk && !excludedList.includes(probe.eventSource!)) return true;
  }
  return false;
}

/** True when the selectors of a PutEventSelectors request log `probe`; null when they cannot be read. */
export function selectorsLog(params: Record<string, unknown>, probe: Probe): boolean | null {
  const advanced = field(params, "advancedEventSelectors");
  if (Array.isArray(advanced) && advanced.length > 0) return advancedLogs(advanced, probe);
  const basic = field(params, "eventSelectors");
  if (Array.isArray(basic) && basic.length > 0) return basicLogs(basic, probe);
  return null;
}

/** What the request would stop logging, in words; empty when it keeps both Read and Write management events. */
export function selectorGaps(params: Record<string, unknown>): string[] {
  const gaps: string[] = [];
  const read = selectorsLog(params, READ_PROBE);
  const write = selectorsLog(params, WRITE_PROBE);
  if (read === null || write === null) gaps.push("the new event selectors could not be read: assume the worst");
  if (read === false) gaps.push("Secrets Manager Read management events (GetSecretValue) are no longer logged");
  if (write === false) gaps.push("Write management events (the tamper events themselves) are no longer logged");
  return gaps;
}
