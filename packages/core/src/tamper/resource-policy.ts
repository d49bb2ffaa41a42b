/**
 * Who a Secrets Manager resource policy lets in: the principals of its `Allow` statements that
 * are everyone (`*`, `{"AWS":"*"}`, or any `NotPrincipal`) or another account than the secret's.
 * The policy text is the caller's: a policy that cannot be parsed counts as open.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
import { isJsonObject } from "../decode.js";

export interface PolicyExposure {
  /** The policy could be parsed. */
  readable: boolean;
  /** Grants to everyone: `*` principals or `NotPrincipal` in an Allow. */
  everyone: boolean;
  /** Account IDs (12 digits) other than the owner that an Allow names, sorted. */
  otherAccounts: string[];
  /** Condition keys on the opening statements (e.g. aws:PrincipalOrgID): shown, never trusted to excuse. */
  conditions: string[];
}

const ACCOUNT_IN_ARN = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;
const ACCOUNT_ID = /^\d{12}$/;

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** The account a principal string names, `*` for everyone, or null (a service, a name we cannot read). */
function accountOf(principal: unknown): string | null {
  if (typeof principal !== "string") return null;
  if (principal === "*") return "*";
  if (ACCOUNT_ID.test(principal)) return principal;
  return ACCOUNT_IN_ARN.exec(principal)?.[1] ?? null;
}

/** Reads the exposure of `policyText` for a secret owned by `owner` (null: unknown, every account counts as other). */
export function policyExposure(policyText: unknown, owner: string | null): PolicyExposure {
  const closed: PolicyExposure = { readable: false, everyone: false, otherAccounts: [], conditions: [] };
  let doc: unknown = policyText;
  if (typeof policyText === "string") {
    try {
      doc = JSON.parse(policyText);
    } catch {
      return closed;
    }
  }
  if (!isJsonObject(doc)) return closed;
  const statements = asArray(doc.Statement);
  if (statements.length === 0 && doc.Statement === undefined) return closed;
  const result: PolicyExposure = { readable: true, everyone: false, otherAccounts: [], conditions: [] };
  const others = new Set<string>();
  const conditions = new Set<string>();
  for (const statement of statements) {
    if (!isJsonObject(statement)) return { ...closed };
    if (statement.Effect !== "Allow") continue;
    let opens = false;
    if (statement.NotPrincipal !== undefined) {
      result.everyone = true;
      opens = true;
    }
    const principal = statement.Principal;
    const entries = principal === "*" ? ["*"] : isJsonObject(principal) ? asArray(principal.AWS) : [];
    for (const entry of entries) {
      const account = accountOf(entry);
      if (account === "*") {
        result.everyone = true;
        opens = true;
      } else if (account !== null && account !== owner) {
        others.add(account);
        opens = true;
      }
    }
    if (opens && isJsonObject(statement.Condition)) {
      for (const operator of Object.values(statement.Condition)) {
        if (isJsonObject(operator)) for (const key of Object.keys(operator)) conditions.add(key);
      }
    }
  }
  result.otherAccounts = [...others].sort();
  result.conditions = [...conditions].sort();
  return result;
}

/** True when the policy grants everyone or another account, or cannot be read. */
export function isOpen(exposure: PolicyExposure): boolean {
  return !exposure.readable || exposure.everyone || exposure.otherAccounts.length > 0;
}
