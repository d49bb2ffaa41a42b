import { describe, expect, it } from "vitest";
import { InMemoryStateStore, type RapidClaim } from "../../packages/core/src/state.js";

const MIN = 60_000;
const claim = (owner: string, last: number, windowMs = 6 * MIN): RapidClaim => ({
  actor: "user:903144391865:christophe",
  last,
  until: last + windowMs,
  owner,
});

describe("claiming a rapid-retrieval window (the in-memory store, as DynamoDB's condition does it)", () => {
  it.each([
    { case: "no claim yet", held: null, next: claim("b", 0), won: true },
    { case: "another delivery holds the window", held: claim("a", 0), next: claim("b", 5 * MIN), won: false },
    { case: "the same delivery again (a retry)", held: claim("a", 0), next: claim("a", 0), won: true },
    { case: "a read at the window's end", held: claim("a", 0), next: claim("b", 6 * MIN), won: true },
    { case: "a read after the window", held: claim("a", 0), next: claim("b", 30 * MIN), won: true },
  ])("$case: won = $won", async ({ held, next, won }) => {
    const store = new InMemoryStateStore();
    if (held) expect(await store.claimRapid(held)).toBe(true);
    expect(await store.claimRapid(next)).toBe(won);
  });

  it("a won claim moves the window: the next one is measured from it", async () => {
    const store = new InMemoryStateStore();
    await store.claimRapid(claim("a", 0));
    expect(await store.claimRapid(claim("b", 10 * MIN))).toBe(true);
    expect(await store.claimRapid(claim("c", 12 * MIN))).toBe(false);
  });
});
