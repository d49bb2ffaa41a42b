/**
 * Rapid retrieval is one alert per actor per window, across invocations: before a rapid-retrieval
 * alert is published, the invocation claims the actor's window in the state store (a conditional
 * write), and an invocation that loses the claim to another one (racing, or earlier in the
 * window) does not send its own. Pure: which claims a plan needs, and the plan without the
 * alerts whose claim was lost. The store does the conditional write.
 */
import { eventMillis } from "./assess.js";
import type { AlertGroup } from "./format.js";
import type { HitDecision, Plan, PlannedMessage } from "./plan.js";
import type { ReasonCode } from "./reasons.js";
import type { RapidClaim } from "./state.js";

/**
 * Reasons that keep a rapid-retrieval alert out of the claim (always sent): a root read hidden
 * behind another invocation's alert would be a root read never reported.
 */
const ALWAYS_SENT: ReadonlySet<ReasonCode> = new Set(["root", "decoy", "denied"]);

/** A claim, with the plan's parts it decides. */
export interface PlannedClaim {
  claim: RapidClaim;
  group: AlertGroup;
  messages: PlannedMessage[];
}

/**
 * The claims a plan needs: one per emailed rapid-retrieval group with a known event time. The
 * window runs from the group's last read for `rapidMs`; `ownerOf` names the delivery (the first
 * message's exactly-once key), so a retry of the same payload wins its own claim again.
 */
export function rapidClaims(plan: Plan, rapidMs: number, ownerOf: (message: PlannedMessage) => string): PlannedClaim[] {
  const claims: PlannedClaim[] = [];
  for (const group of plan.emailed) {
    if (group.kind !== "rapid") continue;
    if (group.hits.some((hit) => hit.verdict.reasons.some((r) => ALWAYS_SENT.has(r)))) continue;
    const last = eventMillis(group.lastTime);
    const ids = new Set(group.hits.map((hit) => hit.eventID));
    const messages = plan.messages.filter((m) => m.kind === "alert" && m.eventIDs.every((id) => ids.has(id)));
    if (last === null || messages.length === 0) continue;
    const actor = group.hits[0]!.verdict.actor;
    claims.push({ claim: { actor, last, until: last + rapidMs, owner: ownerOf(messages[0]!) }, group, messages });
  }
  return claims;
}

/**
 * The plan without the alerts of lost claims: their reads are counted as repeats of the alert
 * already sent for the window (`repeat-suppressed`), not emailed, and not remembered as emailed.
 */
export function withoutLostClaims(plan: Plan, lost: readonly PlannedClaim[]): Plan {
  if (lost.length === 0) return plan;
  const messages = new Set(lost.flatMap((c) => c.messages));
  const groups = new Set(lost.map((c) => c.group));
  const hits = new Set(lost.flatMap((c) => c.group.hits));
  const decisions: HitDecision[] = plan.decisions.map((d) =>
    hits.has(d.hit) ? { hit: d.hit, outcome: "repeat-suppressed" } : d,
  );
  return {
    ...plan,
    messages: plan.messages.filter((m) => !messages.has(m)),
    emailed: plan.emailed.filter((g) => !groups.has(g)),
    groups: plan.groups - groups.size,
    decisions,
  };
}
