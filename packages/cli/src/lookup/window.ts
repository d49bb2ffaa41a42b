/**
 * The time window of a lookup: `--since` and `--until` as a duration back from now (`7d`,
 * `12h`, `30m`) or an ISO 8601 time. CloudTrail event history keeps 90 days.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
import { UserError } from "../errors.js";

/** How far back event history goes. */
export const HISTORY_DAYS = 90;
export const DEFAULT_SINCE = "7d";

const DAY_MS = 24 * 60 * 60 * 1000;
const UNIT_MS: Record<string, number> = { d: DAY_MS, h: 60 * 60 * 1000, m: 60 * 1000 };
const RELATIVE = /^(\d{1,6})([dhm])$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** `7d` / `12h` / `30m` before `now`, or an ISO 8601 date or time (a bare date is UTC midnight). */
export function parseWhen(text: string, now: Date, flag: string): Date {
  const value = text.trim();
  const relative = RELATIVE.exec(value.toLowerCase());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]!]!);
  const time = ISO_DATE.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UserError(`${flag} ${JSON.stringify(text)}: expected a duration such as 7d, 12h, 30m or an ISO time`);
  }
  return new Date(time);
}

export interface TimeWindow {
  start: Date;
  end: Date;
}

/** The window to look up; rejects a start beyond event history's 90 days, or an empty window. */
export function lookupWindow(since: string | undefined, until: string | undefined, now: Date): TimeWindow {
  const start = parseWhen(since ?? DEFAULT_SINCE, now, "--since");
  const end = until === undefined ? now : parseWhen(until, now, "--until");
  if (start.getTime() < now.getTime() - HISTORY_DAYS * DAY_MS) {
    throw new UserError(
      `--since ${since} is more than ${HISTORY_DAYS} days ago: CloudTrail event history keeps ${HISTORY_DAYS} days ` +
        "(for older events run `secretwatch replay` on the trail's S3 archive)",
    );
  }
  if (end.getTime() <= start.getTime()) {
    throw new UserError(`--until ${end.toISOString()} is not after --since ${start.toISOString()}`);
  }
  return { start, end };
}
