/** Order statistics and number formatting for the report. */

/** Value at fraction `p` of an ascending-sorted list (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
  samples: number[];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? Number.NaN : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[n - 1] ?? Number.NaN, runs: n, samples: [...samples] };
}

/** `1.23 s` or `456 ms` or `7.8 ms` or `0.42 ms`. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

/** `1.04–1.21 s`: both ends in the unit of the larger. */
export function msRange(min: number, max: number): string {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return "–";
  const [lo, hi] = max >= 1000 ? [min / 1000, max / 1000] : [min, max];
  const digits = max >= 1000 ? 2 : max >= 100 ? 0 : max >= 10 ? 1 : 2;
  return `${lo.toFixed(digits)}–${hi.toFixed(digits)} ${max >= 1000 ? "s" : "ms"}`;
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
}

export function int(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

export function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
