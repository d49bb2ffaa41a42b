/**
 * A virtual clock for the CLI's pacing: `sleep` resolves when virtual time reaches its end,
 * with no real waiting. Pending sleeps are fired earliest first, one per macrotask, after
 * every promise ready to run has run, so concurrent sleepers (one per Region) overlap in
 * virtual time as they would in real time.
 */
import type { Clock } from "../../packages/cli/src/lookup/throttle.js";

export class FakeClock implements Clock {
  time: number;
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  private readonly timers: { at: number; resolve: () => void }[] = [];

  constructor(start = Date.parse("2024-08-01T00:00:00Z")) {
    this.time = start;
  }

  now = (): number => this.time;

  random = (): number => 0.5;

  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      this.timers.push({ at: this.time + ms, resolve });
      setImmediate(() => this.fireEarliest());
    });
  };

  private fireEarliest(): void {
    this.timers.sort((a, b) => a.at - b.at);
    const next = this.timers.shift();
    if (!next) return;
    this.time = Math.max(this.time, next.at);
    next.resolve();
  }
}
