/**
 * Does the trail log `GetSecretValue`? It is a *Read* management event of
 * `secretsmanager.amazonaws.com`: the trail's event selectors, basic or advanced, must let
 * such an event through.
 *
 * Basic selectors: `IncludeManagementEvents` (default true), `ReadWriteType` (default All),
 * `ExcludeManagementEventSources`. Advanced selectors: field selectors (AND) on
 * `eventCategory`, `readOnly`, `eventSource`...; selectors are OR-ed.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventSelectors.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
 */
import type {
  AdvancedEventSelector,
  AdvancedFieldSelector,
  EventSelector,
  GetEventSelectorsResponse,
} from "@aws-sdk/client-cloudtrail";
import { GET_SECRET_VALUE, SECRETS_MANAGER_SOURCE } from "@secretwatch/core";
import { type CheckResult, fail, pass, warn } from "./report.js";

/** The fields of a GetSecretValue record that advanced selectors can filter on. */
const SECRET_READ: Readonly<Record<string, string>> = {
  eventCategory: "Management",
  readOnly: "true",
  eventSource: SECRETS_MANAGER_SOURCE,
  eventName: GET_SECRET_VALUE,
};

const READ_EVENT = `but ${GET_SECRET_VALUE} is a Read event`;
const NOTHING_SEEN = "no secret read is recorded";

type Verdict = "yes" | "no" | "unknown";

/** Whether one field selector lets a GetSecretValue record through (its operators are AND-ed). */
function fieldAdmits(selector: AdvancedFieldSelector): Verdict {
  const value = selector.Field === undefined ? undefined : SECRET_READ[selector.Field];
  if (value === undefined) return "unknown";
  const ok =
    (selector.Equals === undefined || selector.Equals.includes(value)) &&
    (selector.StartsWith === undefined || selector.StartsWith.some((p) => value.startsWith(p))) &&
    (selector.EndsWith === undefined || selector.EndsWith.some((p) => value.endsWith(p))) &&
    (selector.NotEquals === undefined || !selector.NotEquals.includes(value)) &&
    (selector.NotStartsWith === undefined || !selector.NotStartsWith.some((p) => value.startsWith(p))) &&
    (selector.NotEndsWith === undefined || !selector.NotEndsWith.some((p) => value.endsWith(p)));
  return ok ? "yes" : "no";
}

function advancedAdmits(selector: AdvancedEventSelector): Verdict {
  const verdicts = (selector.FieldSelectors ?? []).map(fieldAdmits);
  if (verdicts.includes("no")) return "no";
  return verdicts.includes("unknown") ? "unknown" : "yes";
}

function basicAdmits(selector: EventSelector): boolean {
  return (
    selector.IncludeManagementEvents !== false &&
    (selector.ReadWriteType ?? "All") !== "WriteOnly" &&
    !(selector.ExcludeManagementEventSources ?? []).includes(SECRETS_MANAGER_SOURCE)
  );
}

function field(selector: AdvancedEventSelector, name: string): AdvancedFieldSelector | undefined {
  return selector.FieldSelectors?.find((f) => f.Field === name);
}

/** Why no advanced selector admits a secret read (the first management selector's reason). */
function advancedReason(selectors: readonly AdvancedEventSelector[]): string {
  const management = selectors.filter(
    (s) => field(s, "eventCategory") && fieldAdmits(field(s, "eventCategory")!) === "yes",
  );
  for (const s of management) {
    const label = s.Name ? ` (selector "${s.Name}")` : "";
    const readOnly = field(s, "readOnly");
    if (readOnly && fieldAdmits(readOnly) === "no") return `logs only Write management events${label}, ${READ_EVENT}`;
    const source = field(s, "eventSource");
    if (source && fieldAdmits(source) === "no")
      return `excludes ${SECRETS_MANAGER_SOURCE} from its management events${label}: ${NOTHING_SEEN}`;
    const name = field(s, "eventName");
    if (name && fieldAdmits(name) === "no")
      return `excludes ${GET_SECRET_VALUE} from its management events${label}: ${NOTHING_SEEN}`;
  }
  return `logs no management events: ${NOTHING_SEEN}`;
}

function basicReason(selectors: readonly EventSelector[]): string {
  const management = selectors.filter((s) => s.IncludeManagementEvents !== false);
  if (management.length === 0) return `logs no management events: ${NOTHING_SEEN}`;
  if (management.every((s) => s.ReadWriteType === "WriteOnly")) {
    return `logs only Write management events (ReadWriteType WriteOnly), ${READ_EVENT}`;
  }
  return `excludes ${SECRETS_MANAGER_SOURCE} from its management events (ExcludeManagementEventSources): ${NOTHING_SEEN}`;
}

/**
 * Checks GetEventSelectors: a trail that does not log Read management events of Secrets
 * Manager never records a secret read, whatever the rest of the chain does.
 * @param fix what to do when it does not (redeploy, or edit a brought trail)
 */
export function checkEventSelectors(trailName: string, response: GetEventSelectorsResponse, fix: string): CheckResult {
  const advanced = response.AdvancedEventSelectors ?? [];
  const basic = response.EventSelectors ?? [];
  const ok = `trail ${trailName} logs Read management events (${GET_SECRET_VALUE})`;

  if (advanced.length > 0) {
    const verdicts = advanced.map(advancedAdmits);
    if (verdicts.includes("yes")) return pass("trail", ok);
    if (verdicts.includes("unknown")) {
      return warn(
        "trail",
        `trail ${trailName}'s advanced event selectors filter on fields doctor cannot evaluate; make sure they keep Read management events of ${SECRETS_MANAGER_SOURCE}`,
      );
    }
    return fail("trail", `trail ${trailName} ${advancedReason(advanced)}`, fix);
  }
  if (basic.length > 0) {
    if (basic.some(basicAdmits)) return pass("trail", ok);
    return fail("trail", `trail ${trailName} ${basicReason(basic)}`, fix);
  }
  return fail("trail", `trail ${trailName} has no event selectors: ${NOTHING_SEEN}`, fix);
}
