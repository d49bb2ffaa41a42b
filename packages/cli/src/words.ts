/** `1 message`, `3 messages`: a count and a regular English plural. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * `1,019`, `100,000`: an integer with its digits in groups of three, as `toLocaleString("en-US")`
 * writes it, without loading the locale data that call needs (10–30 ms of the CLI's start-up).
 * Other numbers go to `toLocaleString`.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ",");
  return n < 0 ? `-${digits}` : digits;
}
