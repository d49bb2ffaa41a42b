/**
 * The policy file: YAML fixtures (tests/fixtures/policies/) parsed and validated by the one zod
 * schema, every problem with its path and line, warnings, the committed JSON Schema (drift) and
 * the documented example.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePolicy, DEFAULT_POLICY, type Policy, policyHash } from "../../packages/core/src/policy.js";
import { PolicyMatcher } from "../../packages/core/src/policy-match.js";
import {
  formatPolicyProblem,
  globsOverlap,
  POLICY_FILE_DEFAULT,
  POLICY_FILE_SETTING,
  type PolicyParseResult,
  type PolicyProblem,
  parsePolicyDocument,
  policyJsonSchema,
  resolvePolicyPath,
  secretPatternsOverlap,
} from "../../packages/core/src/policy-schema.js";
import { anIdentity, aSecretAccess } from "./builders.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures/policies");

function parseFixture(name: string): PolicyParseResult {
  return parsePolicyDocument(readFileSync(path.join(FIXTURES, name), "utf8"), name);
}

function problemsOf(result: PolicyParseResult): PolicyProblem[] {
  if (result.ok) throw new Error(`expected problems, got a valid policy: ${JSON.stringify(result.policy)}`);
  return result.problems;
}

function policyOf(result: PolicyParseResult): Policy {
  if (!result.ok) throw new Error(`expected a valid policy: ${result.problems.map((p) => p.message).join("; ")}`);
  return result.policy;
}

const defaults = (overrides: Partial<Policy> = {}): Policy => ({
  ...structuredClone(DEFAULT_POLICY),
  ...overrides,
});

describe("valid policies", () => {
  const table: { file: string; policy: Policy }[] = [
    {
      file: "valid/full.yaml",
      policy: {
        version: 1,
        notify: "low",
        page: "critical",
        expected: [
          {
            id: "payments-api",
            principal: "arn:aws:iam::111122223333:role/payments-api",
            secret: "prod/payments/*",
            source: ["10.20.0.0/16", "2001:db8::/32", "192.0.2.10", "vpce-0a1b2c3d4e5f67890", "ec2.amazonaws.com"],
            note: "reads at start",
          },
          {
            id: "bob",
            principal: "arn:aws:iam::111122223333:user/bob",
            secret: "arn:aws:secretsmanager:us-east-1:111122223333:secret:dev/*",
          },
          { id: "alice", principal: "sso-user:alice@example.com", secret: "staging/?b" },
          { id: "service", principal: "lambda.amazonaws.com", secret: "lambda/*", source: ["lambda.amazonaws.com"] },
        ],
        decoys: ["decoy/admin"],
        sensitive: ["prod/payments/*", "arn:aws:secretsmanager:*:111122223333:secret:prod/db-*"],
        networks: ["203.0.113.0/28", "2001:db8:1::/48", "198.51.100.7"],
        thresholds: { firstSeenDays: 30, rapidSecrets: 5, rapidMinutes: 15, repeatMinutes: 0 },
      },
    },
    { file: "valid/version-only.yaml", policy: defaults() },
    { file: "valid/empty.yaml", policy: defaults() },
    { file: "valid/comments-only.yaml", policy: defaults() },
    {
      file: "valid/some-thresholds.yaml",
      policy: defaults({ thresholds: { firstSeenDays: 7, rapidSecrets: 20, rapidMinutes: 10, repeatMinutes: 60 } }),
    },
    {
      file: "valid/flow-style.yaml",
      policy: defaults({
        notify: "high",
        expected: [{ id: "a", principal: "arn:aws:iam::111122223333:role/*", secret: "x", source: ["10.0.0.0/8"] }],
      }),
    },
    {
      file: "valid/anchors.yaml",
      policy: defaults({
        expected: [
          {
            id: "api",
            principal: "arn:aws:iam::111122223333:role/api",
            secret: "prod/api/*",
            source: ["198.51.100.0/24"],
          },
          {
            id: "worker",
            principal: "arn:aws:iam::111122223333:role/worker",
            secret: "prod/worker/*",
            source: ["198.51.100.0/24"],
          },
        ],
      }),
    },
  ];

  it.each(table)("$file", ({ file, policy }) => {
    const result = parseFixture(file);
    expect(policyOf(result)).toEqual(policy);
    expect(result.warnings).toEqual([]);
    if (result.ok) expect(result.compiled).toEqual(compilePolicy(policy, file));
  });

  it("the defaults of an empty file are DEFAULT_POLICY, with its hash", () => {
    const result = parsePolicyDocument("", "empty");
    expect(result.ok && result.compiled.hash).toBe(policyHash(DEFAULT_POLICY));
    expect(result.ok && result.compiled.source).toBe("empty");
  });

  it("each omitted key takes its default, one at a time", () => {
    const full = readFileSync(path.join(FIXTURES, "valid/full.yaml"), "utf8");
    const keys = ["notify", "page", "expected", "decoys", "sensitive", "thresholds"] as const;
    for (const key of keys) {
      const withoutKey = removeTopLevelKey(full, key);
      const policy = policyOf(parsePolicyDocument(withoutKey, "x"));
      expect(policy[key], key).toEqual(DEFAULT_POLICY[key]);
    }
  });
});

/** The text of a YAML document without one top-level key (and its indented block). */
function removeTopLevelKey(text: string, key: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`${key}:`));
  let end = start + 1;
  while (end < lines.length && /^\s+\S/.test(lines[end]!)) end++;
  return [...lines.slice(0, start), ...lines.slice(end)].join("\n");
}

describe("invalid policies: every problem with its path and line", () => {
  const table: { file: string; problems: [line: number, path: string, message: RegExp][] }[] = [
    { file: "invalid/unknown-key.yaml", problems: [[2, "decoy", /^is not a known key: did you mean decoys\?$/]] },
    {
      file: "invalid/unknown-rule-key.yaml",
      problems: [
        [3, "expected[0].principal", /^is required$/],
        [4, "expected[0].principle", /^is not a known key: did you mean principal\?$/],
      ],
    },
    {
      file: "invalid/unknown-threshold.yaml",
      problems: [[4, "thresholds.repeatMinute", /did you mean repeatMinutes\?/]],
    },
    {
      file: "invalid/wrong-type.yaml",
      problems: [
        [2, "expected", /^must be a list, not "prod\/api\/\*"$/],
        [4, "decoys[0]", /^must be text, not 42$/],
      ],
    },
    {
      file: "invalid/bad-severity.yaml",
      problems: [
        [2, "notify", /^must be one of info, low, medium, high, critical, not "urgent"$/],
        [3, "page", /^must be one of info, low, medium, high, critical, not "HIGH"$/],
      ],
    },
    { file: "invalid/missing-version.yaml", problems: [[2, "version", /^is required: .*version: 1/]] },
    {
      file: "invalid/bad-network.yaml",
      problems: [
        [
          4,
          "networks[1]",
          /^is not a CIDR \(203\.0\.113\.0\/28\), an IP address or an account ID whose VPC endpoints are yours \(12 digits\)$/,
        ],
        [5, "networks[2]", /^is not a CIDR/],
        [6, "networks[3]", /^is not a CIDR/],
      ],
    },
    {
      file: "invalid/version-2.yaml",
      problems: [[1, "version", /^version 2 is not supported: the supported version is 1$/]],
    },
    {
      file: "invalid/duplicate-id.yaml",
      problems: [[9, "expected[2].id", /"api" .*expected\[0\].*expected\[2\]/]],
    },
    {
      file: "invalid/duplicate-id-among-errors.yaml",
      problems: [
        [6, "expected[1].secret", /^is required$/],
        [6, "expected[1].id", /"api" .*expected\[0\].*expected\[1\]/],
        [8, "expected[2].id", /^must be text, not 42$/],
      ],
    },
    {
      file: "invalid/missing-keys.yaml",
      problems: [
        [3, "expected[0].id", /^is required$/],
        [3, "expected[0].principal", /^is required$/],
        [3, "expected[0].secret", /^is required$/],
      ],
    },
    { file: "invalid/empty-principal.yaml", problems: [[4, "expected[0].principal", /^is empty/]] },
    { file: "invalid/session-arn.yaml", problems: [[4, "expected[0].principal", /^is an assumed-role session ARN/]] },
    {
      file: "invalid/bad-account.yaml",
      problems: [[4, "expected[0].principal", /^has a malformed account ID "12345"/]],
    },
    {
      file: "invalid/not-a-principal.yaml",
      problems: [[4, "expected[0].principal", /^is not an IAM role or user ARN, the root ARN, sso-user/]],
    },
    { file: "invalid/bad-cidr.yaml", problems: [[8, "expected[0].source[1]", /^is not a CIDR/]] },
    { file: "invalid/bad-vpce.yaml", problems: [[6, "expected[0].source[0]", /^is not a CIDR .*VPC endpoint ID/]] },
    { file: "invalid/empty-source.yaml", problems: [[6, "expected[0].source", /^must list at least one entry/]] },
    {
      file: "invalid/bad-secret.yaml",
      problems: [
        [3, "decoys[0]", /^has characters no secret name holds/],
        [5, "sensitive[0]", /^is not a Secrets Manager ARN/],
      ],
    },
    {
      file: "invalid/threshold-range.yaml",
      problems: [
        [3, "thresholds.firstSeenDays", /^must be a whole number from 1 to 365, not 366$/],
        [4, "thresholds.rapidSecrets", /^must be a whole number from 2 to 1000, not 1$/],
        [5, "thresholds.rapidMinutes", /^must be a whole number from 1 to 1440, not 0$/],
        [6, "thresholds.repeatMinutes", /^must be a whole number from 0 to 10080, not 10081$/],
      ],
    },
    {
      file: "invalid/non-integer.yaml",
      problems: [
        [3, "thresholds.rapidSecrets", /^must be a whole number from 2 to 1000, not 2\.5$/],
        [4, "thresholds.rapidMinutes", /^must be a whole number from 1 to 1440, not "6"$/],
      ],
    },
    { file: "invalid/syntax-error.yaml", problems: [[5, "", /^YAML syntax error: /]] },
    { file: "invalid/unquoted-star.yaml", problems: [[5, "", /^YAML syntax error: .*quote a glob .*"\*\/db"/]] },
    { file: "invalid/duplicate-key.yaml", problems: [[3, "", /^YAML syntax error: this key appears twice/]] },
    { file: "invalid/top-level-list.yaml", problems: [[1, "", /^the policy must be a mapping .*not a list$/]] },
    {
      file: "invalid/top-level-scalar.yaml",
      problems: [[1, "", /^the policy must be a mapping .*not "just some text"$/]],
    },
    {
      file: "invalid/many-problems.yaml",
      problems: [
        [3, "thresholds.rapidMinutes", /from 1 to 1440, not 0/],
        [4, "notify", /not "urgent"/],
        [7, "expected[0].principal", /malformed account ID/],
        [9, "expected[1].id", /expected\[0\].*expected\[1\]/],
        [12, "expected[1].source[0]", /^is not a CIDR/],
        [13, "decoy", /did you mean decoys\?/],
      ],
    },
  ];

  it.each(table)("$file", ({ file, problems }) => {
    const found = problemsOf(parseFixture(file));
    expect(found.map((p) => [p.line, p.path])).toEqual(problems.map(([line, where]) => [line, where]));
    for (const [i, problem] of found.entries()) expect(problem.message).toMatch(problems[i]![2]);
  });

  it("all problems come at once, sorted by line, even when the first ones are elsewhere in the file", () => {
    const text = ["version: 1", "decoys: [3]", "notify: nope", "thresholds: {rapidMinutes: -1}", "expected: {}"].join(
      "\n",
    );
    const found = problemsOf(parsePolicyDocument(text, "x"));
    expect(found.map((p) => p.line)).toEqual([2, 3, 4, 5]);
  });

  it("an invalid policy is never compiled", () => {
    const result = parseFixture("invalid/many-problems.yaml");
    expect(result).not.toHaveProperty("compiled");
    expect(result).not.toHaveProperty("policy");
  });
});

describe("warnings never fail a policy", () => {
  const table: { file: string; warnings: [line: number, path: string, message: RegExp][] }[] = [
    {
      file: "warnings/sensitive-no-source.yaml",
      warnings: [
        [
          5,
          "expected[0]",
          /^rule payments-api on a sensitive secret has no source: any holder of the role's credentials, anywhere, is expected/,
        ],
      ],
    },
    {
      file: "warnings/sensitive-overlap.yaml",
      warnings: [
        [6, "expected[0]", /rule by-prefix on a sensitive secret .*"\*\/db"/],
        [9, "expected[1]", /rule by-arn-name on a sensitive secret .*secret:billing\/\*"/],
        [12, "expected[2]", /rule anything on a sensitive secret/],
      ],
    },
    {
      file: "warnings/decoy.yaml",
      warnings: [
        [
          7,
          "expected[0].secret",
          /^rule admin-tool can match decoy "decoy\/\*" and has no effect there: decoy reads are always critical$/,
        ],
      ],
    },
    {
      file: "warnings/root.yaml",
      warnings: [
        [4, "expected[0].principal", /^rule break-glass names the root user .*root reads are always critical$/],
      ],
    },
    { file: "warnings/page-below-notify.yaml", warnings: [[3, "page", /^medium is below notify \(high\)/]] },
    { file: "warnings/page-equals-notify.yaml", warnings: [] },
  ];

  it.each(table)("$file", ({ file, warnings }) => {
    const result = parseFixture(file);
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => [w.line, w.path])).toEqual(warnings.map(([line, where]) => [line, where]));
    for (const [i, warning] of result.warnings.entries()) expect(warning.message).toMatch(warnings[i]![2]);
  });
});

describe("can two secret globs match the same secret", () => {
  const table: [a: string, b: string, overlap: boolean][] = [
    ["prod/*", "prod/db", true],
    ["prod/*", "*/db", true],
    ["*", "anything", true],
    ["prod/??", "prod/db", true],
    ["prod/???", "prod/db", false],
    ["prod/*", "staging/*", false],
    ["prod/payments/*", "prod/paymentsX", false],
    ["a*b*c", "*x*", true],
    ["a*b", "*c", false],
    ["Prod/db", "prod/db", false],
    ["arn:aws:secretsmanager:us-east-1:111122223333:secret:billing/*", "billing/invoices", true],
    ["arn:aws:secretsmanager:us-east-1:111122223333:secret:billing/db-??????", "billing/db", true],
    ["arn:aws:secretsmanager:us-east-1:111122223333:secret:billing/*", "prod/billing", false],
    ["arn:aws:secretsmanager:*:111122223333:secret:a", "arn:aws:secretsmanager:us-east-1:*:secret:a", true],
    ["arn:aws:secretsmanager:*:111122223333:secret:a", "arn:aws:secretsmanager:us-east-1:*:secret:b", false],
    // A `*` in the Region field stays in its field: secret names never hold a colon.
    [
      "arn:aws:secretsmanager:*:111122223333:secret:prod/db-*",
      "arn:aws:secretsmanager:us-east-1:111122223333:secret:dev/*",
      false,
    ],
    // A name glob's star can cover a whole ARN (the matcher tests ARNs too).
    ["*-AbCdEf", "arn:aws:secretsmanager:us-east-1:111122223333:secret:x", true],
  ];

  it.each(table)("%s and %s: %s", (a, b, overlap) => {
    expect(secretPatternsOverlap(a, b)).toBe(overlap);
    expect(secretPatternsOverlap(b, a)).toBe(overlap);
  });

  it("globsOverlap agrees with a witness: when it says yes, a string matching both exists (small alphabet)", () => {
    const glob = fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 5 });
    const re = (g: string) => new RegExp(`^${g.replaceAll("?", ".").replaceAll("*", ".*")}$`);
    // Two globs of at most 5 characters that overlap share a string no longer than their 10
    // non-star characters: every string over {a, b} up to length 10 is a candidate witness.
    const all = [""];
    for (let n = 1; n <= 10; n++) for (let i = 0; i < 2 ** n; i++) all.push(i.toString(2).padStart(n, "0"));
    const words = all.map((w) => w.replaceAll("0", "a").replaceAll("1", "b"));
    fc.assert(
      fc.property(glob, glob, (a, b) => {
        const [ra, rb] = [re(a), re(b)];
        expect(globsOverlap(a, b)).toBe(words.some((w) => ra.test(w) && rb.test(w)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("scale", () => {
  it("a generated policy of 500 rules parses, compiles and matches its last rule", () => {
    const rules = Array.from({ length: 500 }, (_, i) =>
      [
        `  - id: rule-${i}`,
        `    principal: arn:aws:iam::111122223333:role/service-${i}`,
        `    secret: prod/service-${i}/*`,
        `    source: [10.${Math.floor(i / 256)}.${i % 256}.0/24, vpce-0a1b2c3d4e5f6${String(i).padStart(4, "0")}]`,
        `    note: service ${i} reads its own secrets`,
      ].join("\n"),
    );
    const result = parsePolicyDocument(
      ["version: 1", "sensitive: [prod/*]", "expected:", ...rules].join("\n"),
      "big.yaml",
    );
    const policy = policyOf(result);
    expect(policy.expected).toHaveLength(500);
    expect(result.warnings).toEqual([]);
    const compiled = result.ok ? result.compiled : null;
    expect(compiled?.hash).toBe(policyHash(policy));
    const hit = aSecretAccess({
      secretId: "prod/service-499/db",
      secretArn: null,
      identity: anIdentity({ sessionIssuerArn: "arn:aws:iam::111122223333:role/service-499" }),
      source: { ...aSecretAccess().source, ip: "10.1.243.9", raw: "10.1.243.9" },
    });
    expect(new PolicyMatcher(policy).expectedRule(hit)?.id).toBe("rule-499");
  });
});

describe("robustness", () => {
  it("never throws on any text, and every problem's line is within the file", () => {
    const yamlish = fc.string({
      unit: fc.constantFrom(
        "version: 1\n",
        "expected:\n",
        "  - ",
        "id: a\n",
        ":",
        "*",
        "&a ",
        "[",
        "]",
        "{",
        "}",
        " ",
        "\n",
        "\t",
        "x",
        "'",
        '"',
        "#",
        "- ",
        "!",
      ),
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string({ unit: "binary", maxLength: 200 })), (text) => {
        const result = parsePolicyDocument(text, "x");
        const lineCount = text.split(/\r\n|\r|\n/).length;
        for (const p of result.ok ? result.warnings : result.problems) {
          if (p.line !== null) expect(p.line).toBeGreaterThanOrEqual(1);
          if (p.line !== null) expect(p.line).toBeLessThanOrEqual(lineCount);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("an alias bomb is a problem, not a hang", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const found = problemsOf(parsePolicyDocument(["version: 1", ...levels].join("\n"), "bomb.yaml"));
    expect(found.length).toBeGreaterThan(0);
  });
});

describe("the JSON Schema", () => {
  const committedFile = path.join(ROOT, "schemas/secretwatch.policy.schema.json");

  it("the committed file is what the zod schema generates (else run npm run policy:schema)", () => {
    const committed = JSON.stringify(JSON.parse(readFileSync(committedFile, "utf8")), null, 2);
    const generated = JSON.stringify(policyJsonSchema(), null, 2);
    expect(
      committed === generated,
      "schemas/secretwatch.policy.schema.json is out of date: run npm run policy:schema",
    ).toBe(true);
  });

  it("has a title, requires only version, forbids unknown keys, and describes every key", () => {
    const schema = policyJsonSchema() as JsonSchema;
    expect(schema.title).toBe("secretwatch policy");
    expect(schema.required).toEqual(["version"]);
    const undocumented: string[] = [];
    const walk = (node: JsonSchema, at: string) => {
      if (node.type === "object") expect(node.additionalProperties, at).toBe(false);
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) undocumented.push(`${at}.${key}`);
        walk(child, `${at}.${key}`);
      }
      if (node.items) walk(node.items, `${at}[]`);
    };
    walk(schema, "policy");
    expect(undocumented).toEqual([]);
  });

  it("documents the defaults of DEFAULT_POLICY", () => {
    const props = (policyJsonSchema() as JsonSchema).properties!;
    expect(props.notify!.default).toBe(DEFAULT_POLICY.notify);
    expect(props.page!.default).toBe(DEFAULT_POLICY.page);
    expect(props.thresholds!.default).toEqual(DEFAULT_POLICY.thresholds);
    for (const [key, value] of Object.entries(DEFAULT_POLICY.thresholds)) {
      expect(props.thresholds!.properties![key]!.description).toContain(`Default: ${value}.`);
    }
    expect(props.notify!.description).toContain(`Default: ${DEFAULT_POLICY.notify}.`);
  });
});

interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  required?: string[];
  additionalProperties?: boolean;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

describe("the documented example", () => {
  const text = readFileSync(path.join(ROOT, "secretwatch.policy.example.yaml"), "utf8");

  it("starts with the yaml-language-server line naming the committed schema", () => {
    const first = text.split("\n")[0]!;
    expect(first).toBe("# yaml-language-server: $schema=./schemas/secretwatch.policy.schema.json");
    expect(() => readFileSync(path.join(ROOT, "schemas/secretwatch.policy.schema.json"))).not.toThrow();
  });

  it("is valid, without warnings, and uses every key", () => {
    const result = parsePolicyDocument(text, "secretwatch.policy.example.yaml");
    expect(result.warnings).toEqual([]);
    const policy = policyOf(result);
    expect(policy.expected.length).toBeGreaterThan(0);
    expect(policy.decoys.length).toBeGreaterThan(0);
    expect(policy.sensitive.length).toBeGreaterThan(0);
    expect(policy.expected.some((r) => r.source && r.note)).toBe(true);
    for (const key of Object.keys(DEFAULT_POLICY.thresholds)) expect(text).toMatch(new RegExp(`^  ${key}: `, "m"));
  });
});

describe("resolvePolicyPath and formatPolicyProblem", () => {
  it("uses the default file, or the one the setting names (relative to the root)", () => {
    expect(resolvePolicyPath("/repo", {})).toEqual({ path: `/repo/${POLICY_FILE_DEFAULT}`, configured: false });
    expect(resolvePolicyPath("/repo", { [POLICY_FILE_SETTING]: " config/p.yaml " })).toEqual({
      path: "/repo/config/p.yaml",
      configured: true,
    });
    expect(resolvePolicyPath("/repo", { [POLICY_FILE_SETTING]: "  " }).configured).toBe(false);
  });

  it("writes file:line: path: message", () => {
    expect(formatPolicyProblem({ path: "expected[3].principal", line: 12, message: "is empty" }, "p.yaml")).toBe(
      "p.yaml:12: expected[3].principal: is empty",
    );
    expect(formatPolicyProblem({ path: "", line: null, message: "YAML could not be read" }, "p.yaml")).toBe(
      "p.yaml: YAML could not be read",
    );
  });
});
