import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Client } from "../../packages/core/src/types.js";
import { parseUserAgent } from "../../packages/core/src/useragent.js";

interface Row {
  ua: string;
  source: string;
  kind: string;
  note?: string;
  expect: Omit<Client, "raw">;
}
const table = JSON.parse(readFileSync(new URL("../fixtures/user-agents.json", import.meta.url), "utf8")) as {
  real: Row[];
  other: Row[];
};

const families = (rows: Row[]) => new Set(rows.map((r) => r.expect.family));
const parse = (value: unknown) => parseUserAgent(value as string);
const unknown = (raw: string | null): Client => ({
  family: "unknown",
  name: "Unknown client",
  version: null,
  detail: null,
  raw,
});

describe("parseUserAgent: real user agents from public CloudTrail material", () => {
  it("has a sourced table of 30+ real rows", () => {
    expect(table.real.length).toBeGreaterThanOrEqual(30);
    for (const row of table.real) {
      expect(row.source, row.ua).toMatch(/\S/);
      expect(["cloudtrail", "http-header", "sdk-example"], row.ua).toContain(row.kind);
    }
  });

  it("covers every family the product names", () => {
    const all = families([...table.real, ...table.other]);
    for (const family of [
      "aws-cli",
      "cloudshell",
      "sdk",
      "console",
      "secrets-manager-agent",
      "caching-client",
      "lambda-extension",
      "terraform",
      "cloudformation",
      "aws-service",
      "stratus-red-team",
      "unknown",
    ]) {
      expect(all, family).toContain(family);
    }
  });

  it.each(table.real.map((r) => [r.ua, r] as const))("%s", (ua, row) => {
    expect(parseUserAgent(ua)).toEqual({ ...row.expect, raw: ua });
  });
});

describe("parseUserAgent: unattributed and constructed strings (precedence and token checks)", () => {
  it.each(table.other.map((r) => [r.ua, r] as const))("%s", (ua, row) => {
    expect(parseUserAgent(ua)).toEqual({ ...row.expect, raw: ua });
  });
});

describe("parseUserAgent: precedence", () => {
  const byFamily = (family: string) => table.real.filter((r) => r.expect.family === family);

  it("CloudShell beats the AWS CLI it runs", () => {
    const [row] = byFamily("cloudshell");
    expect(row?.ua).toContain("aws-cli/2");
    expect(parseUserAgent(row?.ua).family).toBe("cloudshell");
  });

  it("Terraform beats the Go SDK it embeds", () => {
    for (const row of byFamily("terraform")) {
      expect(row.ua).toMatch(/aws-sdk-go\//);
      expect(parseUserAgent(row.ua).family).toBe("terraform");
    }
  });

  it("a caching client beats the SDK it wraps", () => {
    const wrapped = table.other.filter((r) => r.expect.family === "caching-client");
    expect(wrapped.length).toBeGreaterThanOrEqual(2);
    for (const row of wrapped) expect(parseUserAgent(row.ua).family).toBe("caching-client");
  });

  it("the console beats the Java SDK the console backend uses", () => {
    const row = table.real.find((r) => r.ua.startsWith("[S3Console/"));
    expect(parseUserAgent(row?.ua).family).toBe("console");
  });
});

describe("parseUserAgent: hostile and missing input", () => {
  it.each([null, undefined, 42, {}, [], true, Symbol("ua"), () => "aws-cli/2.0.0"])("non-string %s is unknown", (v) => {
    expect(parse(v)).toEqual(unknown(null));
  });

  it.each(["", "   ", "[]", "/", "#", "aws-cli", "aws-cli/", "Terraform/", "md/", "lang/#"])("degenerate %j", (ua) => {
    const client = parseUserAgent(ua);
    expect(client.raw).toBe(ua);
    expect(client.version).toBeNull();
  });

  it("keeps raw exactly and never echoes control characters or markup", () => {
    const ua =
      "aws-cli/2.9.1\u0000\r\nBcc: x@example.com <script>alert(1)</script> command/secretsmanager.get-secret-value\u202e\ud800";
    const client = parseUserAgent(ua);
    expect(client.raw).toBe(ua);
    expect(client.family).toBe("aws-cli");
    for (const field of [client.name, client.version, client.detail]) {
      expect(field ?? "").toMatch(/^[\w .+·()-]*$/);
    }
  });

  it("rejects versions and commands that are not version- or command-shaped", () => {
    const client = parseUserAgent("aws-cli/<img> Python/3.9 command/<b>.x;rm");
    expect(client).toMatchObject({ family: "aws-cli", name: "AWS CLI", version: null });
    expect(client.detail ?? "").not.toContain("<");
  });

  it("handles 1 KB+ of junk, unicode and look-alike tokens", () => {
    const junk = "\u{1F600}é\u0007/#(;".repeat(300);
    expect(parseUserAgent(junk)).toEqual(unknown(junk));
    const lookalike =
      "Wiz-Terraform-Provider/1.13.3433 Terraform-Provider/1.10.2360 xaws-cli/2.0 my-console.amazonaws.com.evil";
    expect(parseUserAgent(lookalike).family).toBe("unknown");
  });

  it("reads only the first 1 KB, so a product token after it is ignored", () => {
    const late = `${"x".repeat(2000)} aws-cli/2.9.1`;
    expect(parseUserAgent(late)).toEqual(unknown(late));
  });

  it("returns on a 100 KB string built to make regexes backtrack", () => {
    for (const ua of [
      "(".repeat(100_000),
      ")".repeat(100_000),
      `${"a.".repeat(50_000)}amazonaws.com`,
      `(go1${".1".repeat(50_000)}`,
      `${"md/".repeat(33_000)}x`,
      `stratus-red-team_${"0".repeat(100_000)}`,
    ]) {
      const client = parseUserAgent(ua);
      expect(client.raw).toBe(ua);
    }
  });

  it("parses a user agent once: its reads share one client, frozen so no read can change another's", () => {
    const ua = "aws-cli/2.15.0 Python/3.11.6 Linux/5.10 exe/x86_64.amzn.2 command/secretsmanager.get-secret-value";
    const [first, second] = [parseUserAgent(ua), parseUserAgent(ua)];
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { family: string }).family = "console";
    }).toThrow(TypeError);
    expect(parseUserAgent(ua).family).toBe("aws-cli");
  });
});
