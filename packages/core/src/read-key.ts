/**
 * The identity of a read across deliveries and files: its event ID and event name (one event ID
 * can carry a batch call and its per-secret reads). A record without an event ID has no
 * identity: it is always distinct, never dropped as a copy.
 */
import type { SecretAccess } from "./types.js";

/** `[eventID, eventName]` as text, or null when the record has no event ID. */
export function readKey(hit: Pick<SecretAccess, "eventID" | "eventName">): string | null {
  return hit.eventID ? JSON.stringify([hit.eventID, hit.eventName]) : null;
}
