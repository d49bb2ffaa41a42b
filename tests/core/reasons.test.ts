import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { reasonTableMarkdown } from "../../packages/core/src/reason-table.js";
import { REASON_CODES, REASONS } from "../../packages/core/src/reasons.js";
import { isSeverity, severityRank } from "../../packages/core/src/severity.js";
import { TAMPER_REASON_CODES } from "../../packages/core/src/tamper/catalog.js";

describe("the reason table", () => {
  it("has every code the triage issue names, each with a severity, a sensitive severity and a text", () => {
    const named = [
      ...["decoy", "root", "catch-all-batch", "broad-batch", "rapid-retrieval", "first-seen", "denied", "error"],
      ...["cross-account", "console-session", "public-ip", "role-session-from-internet", "sensitive", "expected"],
      "state-unavailable",
    ];
    expect(REASON_CODES).toEqual(expect.arrayContaining(named));
    for (const code of REASON_CODES) {
      const r = REASONS[code];
      expect(isSeverity(r.severity) && isSeverity(r.sensitive)).toBe(true);
      expect(severityRank(r.sensitive)).toBeGreaterThanOrEqual(severityRank(r.severity));
      expect(r.text.length).toBeGreaterThan(10);
    }
  });

  it("lets no expected rule lower a decoy, root, rapid retrieval, denial, cross-account call or internet role session", () => {
    const never = [
      "decoy",
      "root",
      "rapid-retrieval",
      "denied",
      "cross-account",
      "role-session-from-internet",
      "foreign-vpc-endpoint",
    ] as const;
    for (const code of never) expect(REASONS[code].lowerable, code).toBe(false);
  });

  it("treats missing state like a first read (same severities), never as a known reader", () => {
    expect(REASONS["state-unavailable"].severity).toBe(REASONS["first-seen"].severity);
    expect(REASONS["state-unavailable"].sensitive).toBe(REASONS["first-seen"].sensitive);
  });

  it("has the tamper codes, none lowerable by an expected-reader rule, the critical ones as the issue names them", () => {
    expect(REASON_CODES).toEqual(expect.arrayContaining([...TAMPER_REASON_CODES]));
    for (const code of TAMPER_REASON_CODES) {
      expect(REASONS[code].lowerable, code).toBe(false);
      expect(REASONS[code].sensitive, code).toBe(REASONS[code].severity);
    }
    for (const code of ["trail-stopped", "trail-blinded", "secret-policy-public"] as const) {
      expect(REASONS[code].severity, code).toBe("critical");
    }
    // The notice is medium: it never carries a change above that by itself.
    expect(REASONS["deploy-tool"].severity).toBe("medium");
  });

  it("keeps the read codes before the tamper codes (the table's order)", () => {
    const first = REASON_CODES.findIndex((c) => (TAMPER_REASON_CODES as readonly string[]).includes(c));
    expect(first).toBe(REASON_CODES.indexOf("trail-stopped"));
    expect(REASON_CODES.slice(first)).toEqual([...TAMPER_REASON_CODES]);
  });

  it("is the table the README documents (regenerate with npx tsx scripts/reason-table.ts)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(reasonTableMarkdown());
  });
});
