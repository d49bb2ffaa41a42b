/**
 * The detection policy: who is expected to read which secret, which secrets are decoys or
 * sensitive, when an alert is emailed and when it pages, and the windows of the stateful
 * reasons. This module holds the validated shape, the documented defaults and the compiled
 * form shipped with the enricher; `policy-schema.ts` parses and validates the YAML file,
 * `policy-match.ts` matches reads against it.
 */
import { createHash } from "node:crypto";
import type { Severity } from "./severity.js";

/** A known reader: its reads of these secrets (from these sources, if given) are `expected`. */
export interface ExpectedRule {
  /** Names the rule in alerts, logs and `policy check` (unique within the policy). */
  id: string;
  /**
   * Who: an IAM role ARN (matches every session of the role), an IAM user ARN, the root ARN,
   * `sso-user:<user name>` (an IAM Identity Center user), or an AWS service principal such as
   * `lambda.amazonaws.com`. A glob: `*` any run of characters, `?` one; anchored.
   */
  principal: string;
  /** Which secret: a glob on its name (`prod/payments/*`) or on its ARN. */
  secret: string;
  /** Optional: only from these CIDRs, VPC endpoint IDs (`vpce-…`) or AWS service principals. */
  source?: string[];
  /** Why this reader is expected; shown in the alert. */
  note?: string;
}

/** Windows and counts of the stateful reasons. */
export interface Thresholds {
  /** An actor × secret pair not seen within this many days is `first-seen`. */
  firstSeenDays: number;
  /** `rapid-retrieval`: this many distinct secrets by one actor … */
  rapidSecrets: number;
  /** … within this many minutes (event time). */
  rapidMinutes: number;
  /** After an alert, further reads of the same actor × secret × outcome are not emailed again for this long. */
  repeatMinutes: number;
}

export interface Policy {
  version: 1;
  /** Lowest severity emailed as an alert of its own; lower ones are counted (and go to the digest). */
  notify: Severity;
  /** Lowest severity also delivered to the pager addresses. */
  page: Severity;
  expected: ExpectedRule[];
  /** Secret globs: any read or attempt is critical and never suppressed. */
  decoys: string[];
  /** Secret globs: raise the severity of the other reasons. */
  sensitive: string[];
  /**
   * The account's own public egress addresses (NAT gateways, offices, CI runners), as CIDRs: a
   * read from one is not "from the public internet" (no `role-session-from-internet`, no `public-ip`).
   * A 12-digit entry names an account whose VPC endpoints are the account's own (no
   * `foreign-vpc-endpoint`; a rule's CIDRs then vouch for addresses seen through them).
   */
  networks: string[];
  thresholds: Thresholds;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  firstSeenDays: 7,
  rapidSecrets: 20,
  rapidMinutes: 6,
  repeatMinutes: 60,
});

/** What "no policy file" means. */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  version: 1,
  notify: "medium",
  page: "high",
  expected: [],
  decoys: [],
  sensitive: [],
  networks: [],
  thresholds: { ...DEFAULT_THRESHOLDS },
});

/** Tag of the compiled policy document the enricher reads. */
export const COMPILED_POLICY_FORMAT = "secretwatch-policy/1";

/** The policy as shipped with the function: validated at deploy, checked by its hash at run time. */
export interface CompiledPolicy {
  format: typeof COMPILED_POLICY_FORMAT;
  /** `sha256:<hex>` of the canonical JSON of `policy`. */
  hash: string;
  /** Where it came from (a file name, or `defaults`), for logs and `redrive`. */
  source: string;
  policy: Policy;
}

/** JSON with object keys sorted: the same policy always gives the same text and hash. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** `sha256:<hex>` of the policy's canonical JSON: names one policy in logs, alerts and `redrive`. */
export function policyHash(policy: Policy): string {
  return `sha256:${createHash("sha256").update(canonicalJson(policy)).digest("hex")}`;
}

/** The document shipped with the enricher. */
export function compilePolicy(policy: Policy, source: string): CompiledPolicy {
  return { format: COMPILED_POLICY_FORMAT, hash: policyHash(policy), source, policy };
}

/** The compiled policy could not be used at run time; the enricher then reports every read. */
export class PolicyLoadError extends Error {
  override name = "PolicyLoadError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Reads a compiled policy document (the text shipped with the function). It was validated at
 * deploy; here only its form and its hash are checked, so a damaged or edited file is refused
 * rather than half-used. Throws {@link PolicyLoadError}.
 */
export function readCompiledPolicy(text: string): CompiledPolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new PolicyLoadError("the compiled policy is not JSON", { cause });
  }
  const doc = value as Partial<CompiledPolicy> | null;
  if (doc === null || typeof doc !== "object" || doc.format !== COMPILED_POLICY_FORMAT) {
    throw new PolicyLoadError(`the compiled policy is not a ${COMPILED_POLICY_FORMAT} document`);
  }
  const policy = doc.policy;
  if (
    policy === null ||
    typeof policy !== "object" ||
    policy.version !== 1 ||
    !Array.isArray(policy.expected) ||
    !Array.isArray(policy.decoys) ||
    !Array.isArray(policy.sensitive) ||
    typeof policy.thresholds !== "object"
  ) {
    throw new PolicyLoadError("the compiled policy has no usable policy");
  }
  if (doc.hash !== policyHash(policy)) throw new PolicyLoadError("the compiled policy does not match its hash");
  return { format: COMPILED_POLICY_FORMAT, hash: doc.hash, source: String(doc.source ?? "unknown"), policy };
}
