/**
 * The policy file: YAML parsed with `yaml` (node ranges kept, so every problem has a line),
 * validated by ONE zod schema, which also produces the committed JSON Schema
 * (`schemas/secretwatch.policy.schema.json`, `npm run policy:schema`) that editors complete from.
 * Every problem is reported at once, sorted by line; warnings never fail a policy.
 * @see https://eemeli.org/yaml/#parsing-yaml
 * @see https://zod.dev/json-schema
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import { z } from "zod";
import { type CompiledPolicy, compilePolicy, DEFAULT_POLICY, DEFAULT_THRESHOLDS, type Policy } from "./policy.js";
import { networkProblem, principalPatternProblem, secretPatternProblem, sourceProblem } from "./policy-match.js";
import { REASON_CODES, REASONS } from "./reasons.js";
import { SEVERITIES, severityRank } from "./severity.js";
import { isTamperReason } from "./tamper/catalog.js";

export { POLICY_FILE_DEFAULT, POLICY_FILE_SETTING, resolvePolicyPath } from "./policy-path.js";

/** One problem (or warning) of a policy file: where (`expected[3].principal`, line) and what. */
export interface PolicyProblem {
  path: string;
  line: number | null;
  message: string;
}

export type PolicyParseResult =
  | { ok: true; policy: Policy; compiled: CompiledPolicy; warnings: PolicyProblem[] }
  | { ok: false; problems: PolicyProblem[]; warnings: PolicyProblem[] };

/** The one supported `version`. */
export const POLICY_VERSION = 1;

/** Allowed range of each threshold (whole numbers, inclusive). */
export const THRESHOLD_RANGES: Readonly<Record<keyof Policy["thresholds"], readonly [number, number]>> = {
  firstSeenDays: [1, 365],
  rapidSecrets: [2, 1000],
  rapidMinutes: [1, 1440],
  repeatMinutes: [0, 10080],
};

/** A string refined by one of policy-match.ts's checks (their message is the problem). */
const checked = (problem: (value: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== null) ctx.addIssue({ code: "custom", message });
  });

const severity = (key: "notify" | "page", what: string) =>
  z
    .enum(SEVERITIES)
    .default(DEFAULT_POLICY[key])
    .meta({ description: `${what} One of ${SEVERITIES.join(", ")}. Default: ${DEFAULT_POLICY[key]}.` });

const threshold = (key: keyof typeof THRESHOLD_RANGES, what: string) => {
  const [min, max] = THRESHOLD_RANGES[key];
  return z
    .int()
    .min(min)
    .max(max)
    .default(DEFAULT_THRESHOLDS[key])
    .meta({ description: `${what} A whole number from ${min} to ${max}. Default: ${DEFAULT_THRESHOLDS[key]}.` });
};

const secretGlobs = (what: string) =>
  z
    .array(checked(secretPatternProblem).meta({ description: "A secret name glob (`prod/db/*`) or secret ARN glob." }))
    .default(() => [])
    .meta({
      description: `${what} Globs on secret names or ARNs: \`*\` any run of characters, \`?\` one. Default: none.`,
    });

const ruleSchema = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(128)
      .superRefine((id, ctx) => {
        if (/\p{Cc}/u.test(id)) ctx.addIssue({ code: "custom", message: "must not hold control characters" });
      })
      .meta({ description: "Names the rule in alerts, logs and `policy check`; unique within the policy." }),
    principal: checked(principalPatternProblem).meta({
      description:
        "Who: an IAM role ARN (matches every session of the role), an IAM user ARN, the root ARN, `sso-user:<user name>` (an IAM Identity Center user) or an AWS service principal (`lambda.amazonaws.com`). A glob (`*`, `?`), anchored; never an assumed-role session ARN.",
      examples: ["arn:aws:iam::111122223333:role/payments-api", "sso-user:alice@example.com", "lambda.amazonaws.com"],
    }),
    secret: checked(secretPatternProblem).meta({
      description:
        "Which secret: a glob on its name (`prod/payments/*`) or on its ARN. Quote a glob that starts with `*`.",
      examples: ["prod/payments/*", "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db"],
    }),
    source: z
      .array(
        checked(sourceProblem).meta({ description: "A CIDR, an IP address, a `vpce-…` ID or a service principal." }),
      )
      .min(1)
      .optional()
      .meta({
        description:
          "Optional: the read is expected only from one of these CIDRs (`10.0.0.0/8`, `2001:db8::/32`), VPC endpoint IDs (`vpce-0abc12345def67890`) or AWS service principals (`ec2.amazonaws.com`). Left out: from anywhere.",
      }),
    note: z.string().optional().meta({ description: "Why this reader is expected; shown in the alert." }),
  })
  .meta({ description: "A known reader: its reads of the secret (from the sources, if any) are expected." });

/** Duplicate ids name both rules. Runs even when other rules are invalid (`when`), so all problems show at once. */
const uniqueIds = z.superRefine<unknown[]>(
  (rules, ctx) => {
    const first = new Map<string, number>();
    rules.forEach((rule, i) => {
      const id = (rule as { id?: unknown } | null)?.id;
      if (typeof id !== "string") return;
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, i);
      else {
        const message = `"${id}" is already the id of expected[${earlier}]: expected[${earlier}] and expected[${i}] need different ids`;
        ctx.addIssue({ code: "custom", path: [i, "id"], message });
      }
    });
  },
  { when: (payload) => Array.isArray(payload.value) },
);

/** Reasons an expected rule never lowers (from the one reason table). */
const NOT_LOWERABLE = REASON_CODES.filter((code) => !REASONS[code].lowerable && !isTamperReason(code));

/** The policy file's schema: its output is exactly {@link Policy}. */
export const PolicySchema = z
  .strictObject({
    version: z
      .literal(POLICY_VERSION)
      .meta({ description: "The policy file format. Required; 1 is the only version." }),
    notify: severity("notify", "Lowest severity emailed as an alert of its own; lower ones are only counted."),
    page: severity("page", "Lowest severity also delivered to the pager addresses."),
    expected: z
      .array(ruleSchema)
      .check(uniqueIds)
      .default(() => [])
      .meta({
        description: `Known readers, tried in order: the first rule matching a read's principal, secret and source lowers its reasons to info, except ${NOT_LOWERABLE.join(", ")}. Default: none.`,
      }),
    decoys: secretGlobs("Decoy secrets: nobody has a reason to read them; any read or attempt is critical."),
    sensitive: secretGlobs("Sensitive secrets: the other reasons of a read of one carry a higher severity."),
    networks: z
      .array(
        checked(networkProblem).meta({
          description:
            "A CIDR (`203.0.113.0/28`), one address, or an account ID (12 digits) whose VPC endpoints are yours.",
        }),
      )
      .default(() => [])
      .meta({
        description:
          "The account's own networks. Public egress addresses (NAT gateways, offices, CI runners): a read from one is not from the public internet, so it gets neither role-session-from-internet nor public-ip. Account IDs (a shared-VPC network account): a read through one of their VPC endpoints is not foreign-vpc-endpoint, and a rule's CIDRs may vouch for it. Default: none.",
      }),
    thresholds: z
      .strictObject({
        firstSeenDays: threshold(
          "firstSeenDays",
          "An actor × secret pair not seen within this many days is first-seen.",
        ),
        rapidSecrets: threshold(
          "rapidSecrets",
          "rapid-retrieval: one actor reading this many distinct secrets within rapidMinutes.",
        ),
        rapidMinutes: threshold("rapidMinutes", "The rapid-retrieval window, in minutes of event time."),
        repeatMinutes: threshold(
          "repeatMinutes",
          "After an alert, further reads of the same actor × secret × outcome are not emailed again for this many minutes.",
        ),
      })
      .default(() => ({ ...DEFAULT_THRESHOLDS }))
      .meta({ description: "Windows and counts of the stateful reasons. Each one left out takes its default." }),
  })
  .meta({
    title: "secretwatch policy",
    description:
      "The secretwatch detection policy (secretwatch.policy.yaml): expected readers, decoy and sensitive secrets, when to email and when to page.",
  });

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compile-time: the schema's output is the Policy type, no more and no less. */
const schemaIsPolicy: Equal<z.output<typeof PolicySchema>, Policy> = true;
void schemaIsPolicy;

/** The JSON Schema of the policy file (draft-07, the input side: defaults shown, only `version` required). */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PolicySchema, { target: "draft-7", io: "input" }) as Record<string, unknown>;
}

/** The committed file's text (`schemas/secretwatch.policy.schema.json`, written by `npm run policy:schema`). */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

type Segment = string | number;

/** `expected[3].principal` */
export function formatPolicyPath(segments: readonly PropertyKey[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join("");
}

/** Finds lines of paths in the parsed YAML: the node at the path, else its nearest parent (a missing key). */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  lineOfOffset(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  private lineOf(node: Node | null | undefined): number | null {
    return node?.range ? this.lineOfOffset(node.range[0]) : null;
  }

  /** The line of the key at the end of `segments` (of the item, for a list index); of the nearest parent when missing. */
  line(segments: readonly Segment[]): number | null {
    let node = this.resolve(this.doc.contents);
    let line = this.lineOf(node) ?? 1;
    for (const [i, segment] of segments.entries()) {
      const last = i === segments.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return line;
        const keyLine = this.lineOf(pair.key as Node) ?? line;
        const value = this.resolve(pair.value as Node | null);
        if (last || !value?.range) return keyLine;
        node = value;
        line = this.lineOf(value) ?? keyLine;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = this.resolve(node.items[segment] as Node | null);
        if (!item) return line;
        node = item;
        line = this.lineOf(item) ?? line;
      } else {
        return line;
      }
    }
    return line;
  }

  private resolve(node: Node | null | undefined): Node | null | undefined {
    return isAlias(node) ? (node.resolve(this.doc) as Node | undefined) : node;
  }
}

/** A value for a message: short, quoted, never a whole document. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  int: "a whole number",
  number: "a number",
  object: "a mapping (key: value)",
  array: "a list",
};

const KNOWN_KEYS = {
  top: Object.keys(PolicySchema.shape),
  rule: Object.keys(ruleSchema.shape),
  thresholds: Object.keys(DEFAULT_THRESHOLDS),
};

function knownKeys(parent: readonly Segment[]): string[] {
  if (parent.length === 0) return KNOWN_KEYS.top;
  if (parent[0] === "thresholds") return KNOWN_KEYS.thresholds;
  return KNOWN_KEYS.rule;
}

/** `decoy` → `decoys`: a known key within two edits, or one the typo is a prefix of. */
function closest(key: string, known: readonly string[]): string | null {
  const distance = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      prev = row;
    }
    return prev[b.length]!;
  };
  const lower = key.toLowerCase();
  return known.find((k) => distance(lower, k.toLowerCase()) <= 2 || k.toLowerCase().startsWith(lower)) ?? null;
}

function valueAt(root: unknown, segments: readonly Segment[]): { found: boolean; value: unknown } {
  let value = root;
  for (const segment of segments) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment)) return { found: false, value };
    value = (value as Record<Segment, unknown>)[segment];
  }
  return { found: true, value };
}

/** `1 to 1440` for a threshold's path, else null. */
function thresholdRange(segments: readonly Segment[]): string | null {
  if (segments[0] !== "thresholds" || !Object.hasOwn(THRESHOLD_RANGES, String(segments[1]))) return null;
  const [min, max] = THRESHOLD_RANGES[segments[1] as keyof typeof THRESHOLD_RANGES];
  return `${min} to ${max}`;
}

/** One zod issue in the words of the policy file (one problem per unknown key). */
function problemsOf(issue: z.core.$ZodIssue, raw: unknown, at: Locator): PolicyProblem[] {
  const segments = issue.path.filter((s): s is Segment => typeof s !== "symbol");
  const here = (message: string): PolicyProblem => ({
    path: formatPolicyPath(segments),
    line: at.line(segments),
    message,
  });
  const { found, value } = valueAt(raw, segments);
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && segments.length > 0 && !found) {
    return [here(segments[0] === "version" ? "is required: the policy starts with `version: 1`" : "is required")];
  }
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const known = knownKeys(segments);
        const guess = closest(key, known);
        const hint = guess ? `did you mean ${guess}?` : `the keys here are ${known.join(", ")}`;
        const keyPath = [...segments, key];
        return { path: formatPolicyPath(keyPath), line: at.line(keyPath), message: `is not a known key: ${hint}` };
      });
    case "invalid_type": {
      if (segments.length === 0) {
        return [here(`the policy must be a mapping (version: 1, notify: …, expected: …), not ${describe(raw)}`)];
      }
      const range = thresholdRange(segments);
      const expected = range ? `a whole number from ${range}` : (TYPE_WORDS[issue.expected] ?? issue.expected);
      return [here(`must be ${expected}, not ${describe(value)}`)];
    }
    case "invalid_value":
      if (segments[0] === "version") {
        return [here(`version ${describe(value)} is not supported: the supported version is ${POLICY_VERSION}`)];
      }
      return [here(`must be one of ${issue.values.map(String).join(", ")}, not ${describe(value)}`)];
    case "too_small":
    case "too_big": {
      const range = thresholdRange(segments);
      if (range) return [here(`must be a whole number from ${range}, not ${describe(value)}`)];
      if (issue.origin === "array") return [here("must list at least one entry (leave it out to allow any)")];
      if (issue.origin === "string") {
        return [here(issue.code === "too_small" ? "must not be empty" : `must be at most ${issue.maximum} characters`)];
      }
      return [here(issue.message)];
    }
    default:
      return [here(issue.message)];
  }
}

const YAML_ERRORS: Record<string, string> = {
  DUPLICATE_KEY: "this key appears twice in its mapping (keys must be unique)",
  BAD_ALIAS: 'a bare * starts a YAML alias: quote a glob that starts with * ("*")',
};

/** YAML syntax errors, and aliases with no anchor (a `*` starts an alias, so a glob starting with one must be quoted). */
function yamlProblems(doc: Document, at: Locator): PolicyProblem[] {
  const problems: PolicyProblem[] = doc.errors.map((error) => ({
    path: "",
    line: at.lineOfOffset(error.pos[0]),
    message: `YAML syntax error: ${YAML_ERRORS[error.code] ?? error.message}`,
  }));
  visit(doc, {
    Alias(_, alias) {
      if (alias.source === "" || alias.resolve(doc) !== undefined) return; // an empty one is a BAD_ALIAS error
      problems.push({
        path: "",
        line: alias.range ? at.lineOfOffset(alias.range[0]) : null,
        message: `YAML syntax error: *${alias.source} is an alias with no anchor: quote a glob that starts with * ("*${alias.source}")`,
      });
    },
  });
  return problems;
}

const byLine = (a: PolicyProblem, b: PolicyProblem) =>
  (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);

/** Parses and validates a policy document; every problem at once, sorted by line. */
export function parsePolicyDocument(text: string, source: string): PolicyParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = new Locator(doc, lines);
  const yamlWarnings = doc.warnings.map((w) => ({ path: "", line: at.lineOfOffset(w.pos[0]), message: w.message }));
  const syntax = yamlProblems(doc, at);
  if (syntax.length > 0) return { ok: false, problems: syntax.sort(byLine), warnings: yamlWarnings };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const message = `YAML could not be read: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, problems: [{ path: "", line: null, message }], warnings: yamlWarnings };
  }
  if (doc.contents === null) {
    const policy = structuredClone(DEFAULT_POLICY) as Policy;
    return { ok: true, policy, compiled: compilePolicy(policy, source), warnings: yamlWarnings };
  }
  const parsed = PolicySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => problemsOf(issue, raw, at));
    return { ok: false, problems: problems.sort(byLine), warnings: yamlWarnings };
  }
  const policy = parsed.data;
  const warnings = policyWarnings(policy).map(({ segments, message }) => ({
    path: formatPolicyPath(segments),
    line: at.line(segments),
    message,
  }));
  return {
    ok: true,
    policy,
    compiled: compilePolicy(policy, source),
    warnings: [...yamlWarnings, ...warnings].sort(byLine),
  };
}

/** True when some string matches both globs (`*` any run, `?` one character, the rest literal). */
export function globsOverlap(a: string, b: string): boolean {
  const seen = new Set<number>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    if (seen.has(key)) return false;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    if (a[i] === "*" && go(i + 1, j)) return true; // a's star takes nothing
    if (b[j] === "*" && go(i, j + 1)) return true; // b's star takes nothing
    if (i === a.length || j === b.length) return false;
    if (a[i] === "*") return go(i, j + 1); // a's star takes b's next character
    if (b[j] === "*") return go(i + 1, j);
    return (a[i] === "?" || b[j] === "?" || a[i] === b[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

/**
 * True when some secret can match both secret globs. Two ARN globs overlap when each field
 * does (no field holds a `:`, so a `*` stays within its field). A read is also tested by its
 * ARNs (with and without the `-xxxxxx` suffix), so an ARN glob and a name glob overlap when
 * their names do, or when the name glob's `*` can cover a whole ARN. Errs towards "can match".
 */
export function secretPatternsOverlap(a: string, b: string): boolean {
  const [arnA, arnB] = [a.startsWith("arn:"), b.startsWith("arn:")];
  if (arnA && arnB) {
    const [fa, fb] = [a.split(":"), b.split(":")];
    if (fa.length !== fb.length) return globsOverlap(a, b);
    return fa.every((field, i) => globsOverlap(field, fb[i]!));
  }
  if (!arnA && !arnB) return globsOverlap(a, b);
  const [arnGlob, nameGlob] = arnA ? [a, b] : [b, a];
  const name = arnGlob.slice(arnGlob.indexOf(":secret:") + ":secret:".length);
  return (
    globsOverlap(name, nameGlob) ||
    globsOverlap(name, `${nameGlob}-??????`) ||
    globsOverlap(arnGlob, nameGlob) ||
    globsOverlap(`${arnGlob}-??????`, nameGlob)
  );
}

/** Rules that do nothing or more than their author likely meant, and a pager that cannot page below notify. */
function policyWarnings(policy: Policy): { segments: Segment[]; message: string }[] {
  const warnings: { segments: Segment[]; message: string }[] = [];
  const warn = (segments: Segment[], message: string) => warnings.push({ segments, message });
  policy.expected.forEach((rule, i) => {
    const sensitive = policy.sensitive.find((s) => secretPatternsOverlap(rule.secret, s));
    if (sensitive !== undefined && !rule.source) {
      warn(
        ["expected", i],
        `rule ${rule.id} on a sensitive secret has no source: any holder of the role's credentials, anywhere, is expected (its secret "${rule.secret}" can match sensitive "${sensitive}"; add source: to say from where)`,
      );
    }
    const decoy = policy.decoys.find((d) => secretPatternsOverlap(rule.secret, d));
    if (decoy !== undefined) {
      warn(
        ["expected", i, "secret"],
        `rule ${rule.id} can match decoy "${decoy}" and has no effect there: decoy reads are always critical`,
      );
    }
    if (rule.principal.startsWith("arn:") && rule.principal.endsWith(":root")) {
      warn(
        ["expected", i, "principal"],
        `rule ${rule.id} names the root user and has no effect: root reads are always critical`,
      );
    }
  });
  const { page, notify } = policy;
  if (severityRank(page) < severityRank(notify)) {
    warn(
      ["page"],
      `${page} is below notify (${notify}): nothing below ${notify} is emailed, so nothing below ${notify} pages`,
    );
  }
  return warnings;
}

/** `file:line: path: message` for a person. */
export function formatPolicyProblem(problem: PolicyProblem, file: string): string {
  const where = problem.line === null ? file : `${file}:${problem.line}`;
  return `${where}: ${problem.path ? `${problem.path}: ` : ""}${problem.message}`;
}
