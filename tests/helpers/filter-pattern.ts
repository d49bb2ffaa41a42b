/**
 * A small, independent evaluator for the subset of CloudWatch Logs JSON filter patterns this
 * project uses: `{ ($.a.b = "text") && (... || ...) }` with `=`, `!=`, `&&`, `||` and
 * parentheses. It exists to check our patterns against real records; it rejects anything
 * else (bare terms included), so a pattern that drifts out of the JSON form fails tests.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
type Node = { op: "cmp"; path: string[]; neg: boolean; value: string } | { op: "and" | "or"; left: Node; right: Node };

export class PatternSyntaxError extends Error {
  override name = "PatternSyntaxError";
}

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\{|\}|\(|\)|&&|\|\||!=|=|"(?:[^"\\]|\\.)*"|\$(?:\.[A-Za-z0-9_]+)+)/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m?.[1]) throw new PatternSyntaxError(`unexpected text at ${pos}: ${src.slice(pos, pos + 20)}`);
    tokens.push(m[1]);
    pos = re.lastIndex;
  }
  return tokens;
}

export function parseJsonPattern(src: string): Node {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (t === undefined || (expected !== undefined && t !== expected)) {
      throw new PatternSyntaxError(`expected ${expected ?? "a token"}, got ${t ?? "end"}`);
    }
    return t;
  };
  const expr = (): Node => {
    let left = term();
    while (peek() === "||") {
      take();
      left = { op: "or", left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = factor();
    while (peek() === "&&") {
      take();
      left = { op: "and", left, right: factor() };
    }
    return left;
  };
  const factor = (): Node => {
    if (peek() === "(") {
      take("(");
      const inner = expr();
      take(")");
      return inner;
    }
    const selector = take();
    if (!selector.startsWith("$.")) throw new PatternSyntaxError(`expected a $.selector, got ${selector}`);
    const op = take();
    if (op !== "=" && op !== "!=") throw new PatternSyntaxError(`expected = or !=, got ${op}`);
    const literal = take();
    if (!literal.startsWith('"')) throw new PatternSyntaxError(`expected a quoted value, got ${literal}`);
    return { op: "cmp", path: selector.slice(2).split("."), neg: op === "!=", value: JSON.parse(literal) };
  };
  take("{");
  const root = expr();
  take("}");
  if (i !== tokens.length) throw new PatternSyntaxError("text after the closing brace");
  return root;
}

function evaluate(node: Node, record: unknown): boolean {
  if (node.op !== "cmp") {
    return node.op === "and"
      ? evaluate(node.left, record) && evaluate(node.right, record)
      : evaluate(node.left, record) || evaluate(node.right, record);
  }
  let value: unknown = record;
  for (const key of node.path)
    value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  const equal = value === node.value;
  return node.neg ? !equal : equal;
}

/** True when `pattern` (a JSON filter pattern) matches the record as CloudWatch Logs would. */
export function matchesPattern(pattern: string, record: unknown): boolean {
  return evaluate(parseJsonPattern(pattern), record);
}
