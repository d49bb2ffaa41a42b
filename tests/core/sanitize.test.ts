import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBodyText, toSubjectText, utf8Bytes, wellFormed } from "../../packages/core/src/sanitize.js";

/** Any code point, plus the troublemakers fast-check's `binary` unit leaves out or rarely picks. */
const hostileUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "\n",
      "\r",
      "\t",
      "\0",
      "\x1b",
      "\x7f",
      "\u0085",
      "\u2028",
      "\u2029",
      "\u202e",
      "\u2066",
      "\u200b",
      "\u200d",
      "\ufeff",
      "\u0301",
      "\ud800",
      "\udfff",
      "\\",
      "\u00e9",
      "\u4e2d",
      "\u{1f600}",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);
const hostile = fc.string({ unit: hostileUnit, maxLength: 300 });
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Characters that break lines, hide or reorder text in some mail client. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_IN_BODY = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]/;

describe("toSubjectText", () => {
  it("keeps plain ASCII as is", () => {
    expect(toSubjectText("TopSecretInfo read by alice", 99)).toBe("TopSecretInfo read by alice");
  });

  it("turns line breaks and controls into single spaces, and trims", () => {
    expect(toSubjectText("  a\r\nBcc: x@example.com\t\x00b  ", 99)).toBe("a Bcc: x@example.com b");
  });

  it("transliterates accents and typographic punctuation, and marks anything else with ?", () => {
    expect(toSubjectText("Jos\u00e9 \u201cquoted\u201d \u2013 Stra\u00dfe \u4e2d\u6587", 99)).toBe(
      'Jose "quoted" - Strasse ??',
    );
    expect(toSubjectText("\uff21\uff22", 99)).toBe("AB"); // fullwidth letters fold to ASCII
  });

  it("drops zero-width and bidi characters, so a hidden name reads as it is", () => {
    expect(toSubjectText("ad\u200bmin\u202egpj.exe", 99)).toBe("admingpj.exe");
  });

  it("cuts long text with ... and never exceeds max", () => {
    expect(toSubjectText("a".repeat(200), 10)).toBe("aaaaaaa...");
    expect(toSubjectText("abcdef", 3)).toBe("abc");
    expect(toSubjectText("abcdef", 0)).toBe("");
    expect(toSubjectText("abcdef", Number.NaN)).toBe("");
  });

  it("accepts any value", () => {
    expect(toSubjectText(null, 10)).toBe("");
    expect(toSubjectText(undefined, 10)).toBe("");
    expect(toSubjectText(42, 10)).toBe("42");
    expect(toSubjectText({ a: "x\ny" }, 99)).toBe('{"a":"x\\ny"}');
  });

  it("property: printable ASCII, single spaces, trimmed, at most max characters", () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 120 }), (value, max) => {
        const out = toSubjectText(value, max);
        expect(out).toMatch(/^[\x20-\x7e]*$/);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(/ {2}|^ | $/);
      }),
    );
  });
});

describe("toBodyText", () => {
  it("keeps ordinary text, including non-Latin scripts and emoji", () => {
    expect(toBodyText("aws-cli/2.15.30 Python/3.11 \u4e2d\u6587 \u{1f600} caf\u00e9")).toBe(
      "aws-cli/2.15.30 Python/3.11 \u4e2d\u6587 \u{1f600} caf\u00e9",
    );
  });

  it("shows line breaks and controls as visible escapes, so a header cannot be injected", () => {
    expect(toBodyText("x\r\nBcc: victim@example.com\tend\x1b[31m\u0085")).toBe(
      "x\\r\\nBcc: victim@example.com\\tend\\x1B[31m\\x85",
    );
  });

  it("escapes bidi overrides, zero-width characters, line separators and lone surrogates", () => {
    expect(toBodyText("invoice\u202Efdp.exe")).toBe("invoice\\u202Efdp.exe");
    expect(toBodyText("ad\u200Bmin\uFEFF")).toBe("ad\\u200Bmin\\uFEFF");
    expect(toBodyText("a\u2028b\u2029c")).toBe("a\\u2028b\\u2029c");
    expect(toBodyText("a\uD800b")).toBe("a\\uD800b");
    expect(toBodyText("tag\u{E0041}")).toBe("tag\\u{E0041}");
    // Unassigned (U+2065 sits among the invisible operators): escaped too.
    expect(toBodyText("a\u2065b")).toBe("a\\u2065b");
  });

  it("limits stacked combining marks", () => {
    expect(toBodyText(`e${"\u0301".repeat(50)}x`)).toBe(`e${"\u0301".repeat(3)}x`);
  });

  it("truncates to maxBytes with a marker, on a character boundary", () => {
    const out = toBodyText("\u{1f600}".repeat(100), 50);
    expect(out).toBe(`${"\u{1f600}".repeat(6)}...[truncated 376 bytes]`);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(50);
    expect(toBodyText("a".repeat(600))).toBe(`${"a".repeat(488)}...[truncated 112 bytes]`);
    expect(toBodyText("abcdef", 4)).toBe("abcd"); // no room for a marker: a bare cut
  });

  it("never cuts an escape in half", () => {
    const out = toBodyText("\n".repeat(100), 40);
    expect(out).toMatch(/^(\\n)+\.\.\.\[truncated \d+ bytes\]$/);
  });

  it("property: one line of valid UTF-8 without invisible or reordering characters, within maxBytes", () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 700 }), (value, maxBytes) => {
        const out = toBodyText(value, maxBytes);
        expect(Buffer.byteLength(out, "utf8")).toBeLessThanOrEqual(maxBytes);
        expect(Buffer.from(out, "utf8").toString("utf8")).toBe(out);
        expect(out).not.toMatch(UNSAFE_IN_BODY);
        expect(out).not.toMatch(LONE_SURROGATE);
      }),
    );
  });

  it("property: letters, symbols and punctuation beyond ASCII (`café`, `·`, CJK, emoji) come through unchanged when they fit", () => {
    const unit = fc.constantFrom("a", " ", "é", "·", "ß", "€", "—", "中", "文", "😀", "Ω", "/", "(", ")");
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 120 }), (value) => {
        expect(toBodyText(value)).toBe(value);
      }),
    );
  });

  it("property: short printable ASCII comes through unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii", maxLength: 200 }), (value) => {
        expect(toBodyText(value)).toBe(value);
      }),
    );
  });
});

describe("wellFormed", () => {
  it("replaces each lone surrogate by U+FFFD and keeps everything else, surrogate pairs included", () => {
    expect(wellFormed("a\ud800b\udfffc\u{1F511}")).toBe("a\uFFFDb\uFFFDc\u{1F511}");
    expect(wellFormed("\udfff\ud800")).toBe("\uFFFD\uFFFD"); // a low then a high: no pair
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const out = wellFormed(text);
        expect(/\p{Cs}/u.test(out)).toBe(false);
        expect(out.length).toBe(text.length);
        expect(Buffer.from(out, "utf8").toString("utf8")).toBe(out); // survives UTF-8 unchanged
        if (!/\p{Cs}/u.test(text)) expect(out).toBe(text);
      }),
    );
  });
});

describe("utf8Bytes", () => {
  it("counts like Buffer.byteLength, lone surrogates included", () => {
    expect(utf8Bytes("a\u00e9\u4e2d\u{1f600}\ud800")).toBe(1 + 2 + 3 + 4 + 3);
    fc.assert(
      fc.property(hostile, (value) => {
        expect(utf8Bytes(value)).toBe(Buffer.byteLength(value, "utf8"));
      }),
    );
  });
});
