/** Small text helpers of the CLI. */
import { describe, expect, test } from "vitest";
import { groupDigits, plural } from "../../packages/cli/src/words.js";

describe("groupDigits", () => {
  test.each([0, 7, 12, 999, 1000, 1019, 99_999, 100_000, 1_234_567, -1, -1000, -1_234_567, Number.MAX_SAFE_INTEGER])(
    "%d is written as toLocaleString('en-US') writes it",
    (n) => {
      expect(groupDigits(n)).toBe(n.toLocaleString("en-US"));
    },
  );

  test("the exact groups, not only agreement with the locale", () => {
    expect([1019, 100_000, 1_234_567, -1000].map(groupDigits)).toEqual(["1,019", "100,000", "1,234,567", "-1,000"]);
  });

  test("numbers that are not safe integers are left to toLocaleString", () => {
    for (const n of [1.5, 191.25, Number.NaN, Number.POSITIVE_INFINITY])
      expect(groupDigits(n)).toBe(n.toLocaleString("en-US"));
  });
});

describe("plural", () => {
  test("one and many", () => {
    expect([plural(1, "message"), plural(0, "message"), plural(3, "message")]).toEqual([
      "1 message",
      "0 messages",
      "3 messages",
    ]);
  });
});
