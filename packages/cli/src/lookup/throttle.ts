/**
 * Pacing for CloudTrail `LookupEvents`: at most 2 requests per second per account per
 * Region, so one request per Region every 500 ms, and exponential backoff with jitter when
 * CloudTrail throttles anyway (another tool in the account may be calling it too). The clock
 * is injected, so tests run without waiting.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
import { describeError, UserError } from "../errors.js";

/** Time as the pacing sees it: milliseconds, a way to wait, and jitter. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1), for jitter. */
  random(): number;
}

/** The real clock. Exported as an object so tests can replace its methods. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** LookupEvents allows 2 requests per second per account per Region. */
export const LOOKUP_MIN_INTERVAL_MS = 500;

/**
 * Spaces calls with the same key (a Region) at least `intervalMs` apart, start to start.
 * A slot is reserved before waiting, so concurrent callers queue instead of bunching.
 */
export class RateLimiter {
  private readonly nextSlot = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs = LOOKUP_MIN_INTERVAL_MS,
  ) {}

  async acquire(key: string): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.nextSlot.get(key) ?? now);
    this.nextSlot.set(key, at + this.intervalMs);
    if (at > now) await this.clock.sleep(at - now);
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Ceiling of the first backoff; it doubles on each retry up to `capMs`. */
  baseMs: number;
  capMs: number;
}

/** About 90 s of backoff at most before giving up. */
export const LOOKUP_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 1000, capMs: 30_000 };

const THROTTLING_ERRORS = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
]);

interface SdkErrorFields {
  $fault?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/** A throttling error, by name, SDK flag or HTTP 429. */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const fields = error as Error & SdkErrorFields;
  return (
    THROTTLING_ERRORS.has(error.name) ||
    fields.$retryable?.throttling === true ||
    fields.$metadata?.httpStatusCode === 429
  );
}

/** Worth another try: throttling, or a fault on the service's side (5xx). */
export function isRetryable(error: unknown): boolean {
  if (isThrottling(error)) return true;
  const fields = error as SdkErrorFields | undefined;
  const status = fields?.$metadata?.httpStatusCode ?? 0;
  return fields?.$fault === "server" || status >= 500;
}

/** Backoff before retry `attempt` (1-based): half the exponential ceiling plus up to half again. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryOptions {
  clock: Clock;
  policy?: RetryPolicy;
  /** What is being called, for the error message (e.g. `LookupEvents in eu-west-1`). */
  label: string;
  onRetry?(attempt: number, delayMs: number, error: unknown): void;
}

/**
 * Calls `call` until it succeeds, backing off on throttling and server faults; any other
 * error is thrown at once. Gives up with a {@link UserError} after `maxAttempts`.
 */
export async function withBackoff<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? LOOKUP_RETRY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= policy.maxAttempts) {
        const why = isThrottling(error) ? "still throttled" : "still failing";
        throw new UserError(
          `${options.label}: ${why} after ${attempt} attempts (${describeError(error)}); ` +
            "another tool may be calling it in this account: try again later, or with fewer --region or a shorter --since",
          1,
          { cause: error },
        );
      }
      const delay = backoffMs(attempt, policy, options.clock.random);
      options.onRetry?.(attempt, delay, error);
      await options.clock.sleep(delay);
    }
  }
}
