/**
 * The order assess reads a payload in: event time, a missing time last, ties in payload order.
 * The packed numeric sort must give exactly what a comparison sort gives, for any times.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventTimeOrder } from "../../packages/core/src/assess.js";

/** The definition: a stable comparison sort on the time, null as +Infinity. */
const byComparison = (times: readonly (number | null)[]) =>
  times.map((_, i) => i).sort((a, b) => (times[a] ?? Infinity) - (times[b] ?? Infinity) || a - b);

const BASE = Date.parse("2024-07-30T06:00:00Z");
/** Times as CloudTrail payloads have them (whole ms within hours, many equal), and the edges. */
const time = fc.oneof(
  fc.integer({ min: BASE, max: BASE + 3_600_000 }),
  fc.constantFrom(BASE, BASE + 1, null),
  fc.integer({ min: -(2 ** 45), max: 2 ** 45 }),
  fc.double({ min: BASE, max: BASE + 10, noNaN: true }),
);

describe("eventTimeOrder", () => {
  it("is a stable sort by time with missing times last, whatever the times", () => {
    fc.assert(
      fc.property(fc.array(time, { maxLength: 300 }), (times) => {
        expect(eventTimeOrder(times)).toEqual(byComparison(times));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ["in order (no sort at all)", [BASE, BASE, BASE + 5, null]],
    ["reversed, with ties", [BASE + 2, BASE + 1, BASE + 1, BASE]],
    ["missing times anywhere", [null, BASE + 1, null, BASE]],
    ["over 2^32 ms apart (the comparison sort)", [BASE + 2 ** 33, BASE, BASE + 1]],
    ["a fractional time (the comparison sort)", [BASE + 0.5, BASE, BASE + 0.25]],
  ])("%s", (_case, times) => {
    expect(eventTimeOrder(times)).toEqual(byComparison(times));
  });
});
