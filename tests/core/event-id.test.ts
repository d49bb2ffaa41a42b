import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlainEventId } from "../../packages/core/src/event-id.js";

describe("isPlainEventId", () => {
  it.each([
    ["3b6a9d2e-1c4f-4e0a-9b1d-2f6c8e0a1b2c", true],
    ["ABCxyz019-", true],
    ["a".repeat(64), true],
    ["a".repeat(65), false],
    ["", false],
    ["id_1", false],
    ["a b", false],
    ["a/b", false],
    ["é", false],
    ["a\u0000", false],
    ["\u0141", false],
  ])("%j: %s", (id, plain) => {
    expect(isPlainEventId(id)).toBe(plain);
  });

  it.each([null, undefined, 42, {}, ["a"]])("%j is not an event ID", (value) => {
    expect(isPlainEventId(value)).toBe(false);
  });

  it("is exactly /^[A-Za-z0-9-]{1,64}$/ on any text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uuid(), fc.string(), fc.string({ unit: "binary" }), fc.stringMatching(/^[\w-]{0,70}$/)),
        (id) => {
          expect(isPlainEventId(id)).toBe(/^[A-Za-z0-9-]{1,64}$/.test(id));
        },
      ),
    );
  });
});
