/**
 * Reads CloudTrail event history: one `LookupEvents` query per Region and lookup attribute
 * (the API takes one lookup attribute per request: an event name, a user name, an access key
 * id…), page by page (50 events, `NextToken`), paced per Region and retried with backoff on
 * throttling. Regions run side by side: each has its own request budget.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupAttribute.html
 */
import {
  type CloudTrailClient,
  type Event,
  type LookupAttributeKey,
  LookupEventsCommand,
} from "@aws-sdk/client-cloudtrail";
import { type Clock, RateLimiter, type RetryPolicy, withBackoff } from "./throttle.js";
import type { TimeWindow } from "./window.js";

/** LookupEvents' largest page. */
export const PAGE_SIZE = 50;

export type CloudTrailSender = Pick<CloudTrailClient, "send">;

/** One lookup attribute: `EventName=GetSecretValue`, `Username=alice`, `AccessKeyId=AKIA…`. */
export interface LookupAttribute {
  key: LookupAttributeKey;
  value: string;
}

/** One `EventName` attribute per name: one query each. */
export function eventNameAttributes(names: readonly string[]): LookupAttribute[] {
  return names.map((value) => ({ key: "EventName", value }));
}

/** The attribute as error messages name it: the bare event name, else `Key=value`. */
export function attributeLabel({ key, value }: LookupAttribute): string {
  return key === "EventName" ? value : `${key}=${value}`;
}

export interface HistoryQuery {
  regions: readonly string[];
  /** One query (all its pages) per attribute, in this order, in every Region. */
  attributes: readonly LookupAttribute[];
  window: TimeWindow;
}

export interface HistoryDeps {
  /** A client for a Region (no SDK retries of its own: the backoff here does it). */
  client(region: string): CloudTrailSender;
  clock: Clock;
  policy?: RetryPolicy;
  /** A page arrived; `more` tells whether another page of the same query follows. */
  onPage?(page: { region: string; attribute: LookupAttribute; events: Event[]; more: boolean }): void;
}

export interface HistoryStats {
  requests: number;
  pages: number;
  retries: number;
}

/** Every event of every query, in no particular order across Regions. */
export async function readEventHistory(query: HistoryQuery, deps: HistoryDeps): Promise<HistoryStats> {
  const limiter = new RateLimiter(deps.clock);
  const stats: HistoryStats = { requests: 0, pages: 0, retries: 0 };
  /** Set when one Region failed: the others stop at their next page. */
  let failed = false;

  async function readRegion(region: string): Promise<void> {
    const client = deps.client(region);
    for (const attribute of query.attributes) {
      if (failed) return;
      let nextToken: string | undefined;
      do {
        const command = new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: attribute.key, AttributeValue: attribute.value }],
          StartTime: query.window.start,
          EndTime: query.window.end,
          MaxResults: PAGE_SIZE,
          ...(nextToken !== undefined && { NextToken: nextToken }),
        });
        const output = await withBackoff(
          async () => {
            await limiter.acquire(region);
            stats.requests++;
            return client.send(command);
          },
          {
            clock: deps.clock,
            label: `CloudTrail LookupEvents (${attributeLabel(attribute)}) in ${region}`,
            ...(deps.policy && { policy: deps.policy }),
            onRetry: () => stats.retries++,
          },
        );
        stats.pages++;
        nextToken = output.NextToken || undefined;
        deps.onPage?.({ region, attribute, events: output.Events ?? [], more: nextToken !== undefined });
      } while (nextToken !== undefined && !failed);
    }
  }

  await Promise.all(
    query.regions.map((region) =>
      readRegion(region).catch((error) => {
        failed = true;
        throw error;
      }),
    ),
  );
  return stats;
}
