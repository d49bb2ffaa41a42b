/**
 * Whether a resource policy's Deny statements refuse a request: enough IAM evaluation for the
 * statements this app writes (Action lists with `*` wildcards, Resource lists, and the
 * negated ARN and string operators on `aws:PrincipalArn`). Any other operator or key throws,
 * so a policy this evaluator does not understand fails the test instead of passing it.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
import { arnLike, type Statement } from "./policy";

export interface Request {
  principalArn: string;
  action: string;
  resource: string;
}

const matchesAny = (patterns: string[], value: string) => patterns.some((p) => arnLike(p, value));

function conditionHolds(operator: string, key: string, values: string[], request: Request): boolean {
  if (key !== "aws:PrincipalArn") throw new Error(`policy-eval: unsupported condition key ${key}`);
  const actual = request.principalArn;
  switch (operator) {
    case "ArnNotEquals":
    case "StringNotEquals":
      return !values.includes(actual);
    case "ArnNotLike":
    case "StringNotLike":
      return !matchesAny(values, actual);
    case "ArnEquals":
    case "StringEquals":
      return values.includes(actual);
    default:
      throw new Error(`policy-eval: unsupported condition operator ${operator}`);
  }
}

/** True when some Deny statement applies to the request. */
export function denies(statements: Statement[], request: Request): boolean {
  return statements.some((s) => {
    if (s.Effect !== "Deny") return false;
    if (s.NotAction || s.NotResource) throw new Error("policy-eval: NotAction/NotResource not supported");
    if (s.Principal !== "*") throw new Error("policy-eval: only Principal * is supported");
    if (!matchesAny(s.Action, request.action)) return false;
    if (!matchesAny(s.Resource, request.resource)) return false;
    return Object.entries(s.Condition).every(([operator, byKey]) =>
      Object.entries(byKey).every(([key, values]) => conditionHolds(operator, key, values, request)),
    );
  });
}
