/** `1 message`, `3 messages`: a count and a regular English plural. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
