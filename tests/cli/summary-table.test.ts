/** The secret × principal table (report.ts formatSummary) fits 100 columns, cutting with "…". */
import fc from "fast-check";
import { expect, test } from "vitest";
import { ellipsis, formatSummary, type SummaryRow, TABLE_WIDTH } from "../../packages/cli/src/report.js";

const row = (secret: string, principal: string, count = 1): SummaryRow => ({
  ...{ secret, principal, count, denied: 0, errors: 0 },
  ...{ first: "2024-05-14T09:20:00Z", last: "2024-05-14T09:22:00Z" },
});

test("a table that fits is printed in full", () => {
  const table = formatSummary([row("prod/db", "arn:aws:iam::1:user/a")]);
  expect(table).toContain("  prod/db  arn:aws:iam::1:user/a  ");
  expect(table).toContain("2024-05-14T09:20:00Z  2024-05-14T09:22:00Z");
  expect(table).not.toContain("…");
});

test("a wide table: minutes, no arn:aws:iam::, the secret cut at its end and the principal in its middle", () => {
  const table = formatSummary([
    row("prod/payments/stripe-live-restricted-key", "arn:aws:sts::111122223333:assumed-role/payments-api/i-0abc"),
  ]);
  const line = table.split("\n")[2]!;
  expect(line).toMatch(
    /^ {2}prod\/payments\/\S+… +111122\S*…\S+i-0abc +1 +0 +0 {2}2024-05-14 09:20Z {2}2024-05-14 09:22Z$/,
  );
  expect(line.length).toBeLessThanOrEqual(TABLE_WIDTH);
});

test("any rows: every line at most 100 columns", () => {
  const text = fc.string({ unit: "grapheme-ascii", maxLength: 120, size: "max" });
  fc.assert(
    fc.property(fc.array(fc.tuple(text, text, fc.nat(1e6)), { minLength: 1, maxLength: 5 }), (rows) => {
      const table = formatSummary(rows.map(([s, p, n]) => row(s, p, n)));
      for (const line of table.trimEnd().split("\n")) expect([...line].length).toBeLessThanOrEqual(TABLE_WIDTH);
    }),
  );
});

test("ellipsis keeps the start, or the start and the end", () => {
  expect(ellipsis("abcdefghij", 10)).toBe("abcdefghij");
  expect(ellipsis("abcdefghij", 6)).toBe("abcde…");
  expect(ellipsis("abcdefghij", 6, true)).toBe("ab…hij");
});
