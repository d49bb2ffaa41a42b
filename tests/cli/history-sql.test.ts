/**
 * The history query, read back by an independent SQL parser (node-sql-parser, Athena dialect):
 * the partition predicates are there as literals, and no user string ever appears in the SQL
 * text, whatever it holds (quotes, `--`, `;`, unicode); user strings travel only as parameters,
 * each a well-formed single-quoted literal. `--print-sql` prints it without calling AWS.
 *
 * node-sql-parser caveats (../shared/aws-facts.md): it does not know `?` placeholders (each is
 * replaced by a named `:pN` for parsing) and reads `"$path"` as a double-quoted string.
 */
import { Parser } from "node-sql-parser";
import { describe, expect, it } from "vitest";
import { historyScope } from "../../packages/cli/src/history/partitions.js";
import { buildHistoryQuery, printableQuery, sqlString } from "../../packages/cli/src/history/sql.js";
import { parseFilters } from "../../packages/cli/src/replay/filters.js";
import { tamperQueryEvents, tamperSettings } from "../../packages/cli/src/replay/tamper.js";
import { TAMPER_EVENTS } from "../../packages/core/src/tamper/index.js";
import { ACCOUNT, NOW, runHistory } from "./history-harness.js";

const parser = new Parser();

/** `?` outside string literals → `:p1`, `:p2`…; returns the text and the count. */
function namedPlaceholders(sql: string): { text: string; count: number } {
  let [text, count, quoted] = ["", 0, false];
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    if (ch === "?" && !quoted) text += `:p${++count}`;
    else text += ch;
  }
  return { text, count };
}

type Node = Record<string, any>;

function parse(sql: string): Node {
  const { text } = namedPlaceholders(sql);
  const ast = parser.astify(text, { database: "athena" });
  return (Array.isArray(ast) ? ast[0] : ast) as Node;
}

/** The conjuncts of a WHERE tree (top-level ANDs). */
function conjuncts(node: Node): Node[] {
  return node.type === "binary_expr" && node.operator === "AND"
    ? [...conjuncts(node.left), ...conjuncts(node.right)]
    : [node];
}

/** Every string literal in a tree. */
function literals(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(literals);
  if (node === null || typeof node !== "object") return [];
  const n = node as Node;
  const own = n.type === "single_quote_string" ? [String(n.value)] : [];
  return [...own, ...Object.values(n).flatMap(literals)];
}

const scope = (args: { secret?: string[]; principal?: string[]; regions?: string[] } = {}) =>
  historyScope(
    parseFilters({ since: "2024-07-01", until: "2024-07-15", secret: args.secret, principal: args.principal }, NOW),
    NOW,
    [ACCOUNT, "444455556666"],
    args.regions ?? [],
  );

/**
 * The value a `sqlString` parameter stands for, read back by the SQL parser: it must be one
 * string literal; the parser keeps its doubled quotes (`''`), undone here as SQL defines. (The
 * parser takes `\\` for an escape, as MySQL does; Athena's SQL has no backslash escapes, so a
 * value with a backslash is checked by its exact literal instead.)
 */
function parameterValue(literal: string): string {
  if (literal.includes("\\")) {
    expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
    expect(literal.slice(1, -1).replaceAll("''", "")).not.toContain("'");
    return literal.slice(1, -1).replaceAll("''", "'");
  }
  const ast = parser.astify(`SELECT 1 FROM t WHERE c = ${literal}`, { database: "athena" }) as Node;
  const where = (Array.isArray(ast) ? ast[0] : ast).where as Node;
  expect(where.right.type).toBe("single_quote_string");
  return String(where.right.value).replaceAll("''", "'");
}

describe("the history query", () => {
  it("constrains account (injected: an IN of literals), the date partitions and the Regions", () => {
    const query = buildHistoryQuery(scope({ regions: ["eu-west-1", "us-east-1"] }));
    const parts = conjuncts(parse(query.sql).where);
    const on = (column: string) => parts.filter((p) => p.left?.column === column);
    expect(on("account")).toEqual([
      expect.objectContaining({
        operator: "IN",
        right: {
          type: "expr_list",
          value: [
            { type: "single_quote_string", value: ACCOUNT },
            { type: "single_quote_string", value: "444455556666" },
          ],
        },
      }),
    ]);
    // From the day of --since to the day after --until: a late log file of the last day counts.
    expect(on("logdate")).toEqual([
      expect.objectContaining({
        operator: "BETWEEN",
        right: {
          type: "expr_list",
          value: [
            { type: "single_quote_string", value: "2024/07/01" },
            { type: "single_quote_string", value: "2024/07/16" },
          ],
        },
      }),
    ]);
    expect(on("region")).toHaveLength(1);
    expect(literals(on("region"))).toEqual(["eu-west-1", "us-east-1"]);
    expect(literals(on("eventsource"))).toEqual(["secretsmanager.amazonaws.com"]);
    expect(literals(on("eventname"))).toEqual(["GetSecretValue", "BatchGetSecretValue"]);
    expect(query.parameters).toEqual([]);
  });

  it("selects the log file and event ID only", () => {
    const ast = parse(buildHistoryQuery(scope()).sql);
    expect(ast.columns.map((c: Node) => [c.expr.value ?? c.expr.column, c.as])).toEqual([
      ["$path", "path"],
      ["eventid", null],
    ]);
    expect(ast.distinct).toBe("DISTINCT");
  });

  it("leaves out the Region predicate without --region (every Region of the enum)", () => {
    const parts = conjuncts(parse(buildHistoryQuery(scope()).sql).where);
    expect(parts.filter((p) => p.left?.column === "region")).toEqual([]);
  });

  it("passes each --secret and --principal as one parameter per placeholder, lower-casing principals", () => {
    const query = buildHistoryQuery(
      scope({
        secret: ["Prod/DB", "arn:aws:secretsmanager:us-east-1:111122223333:secret:x-AbCdEf"],
        principal: ["Alice"],
      }),
    );
    expect(namedPlaceholders(query.sql).count).toBe(query.parameters.length);
    // A full ARN is matched by its name (replay's canonical key); all case-insensitively.
    expect(query.parameters.map(parameterValue)).toEqual(["prod/db", "x", "alice"]);
  });

  const hostile = [
    "it's",
    "x' OR '1'='1",
    "'; DROP TABLE cloudtrail; --",
    "a -- comment",
    "/* c */",
    "semi;colon",
    "100%_match",
    "back\\slash\\",
    "?",
    "ünïcödé ☃ 𝒳 مرحبا",
    "\u202eevil",
    '"$path"',
  ];

  it.each(hostile)("keeps %j out of the SQL text, as a parameter whose literal parses back to it", (value) => {
    const query = buildHistoryQuery(scope({ secret: [value], principal: [value] }));
    // The text is the same whatever the value: nothing of it gets in.
    expect(query.sql).toBe(buildHistoryQuery(scope({ secret: ["x"], principal: ["x"] })).sql);
    expect(namedPlaceholders(query.sql).count).toBe(2);
    expect(literals(parse(query.sql).where)).not.toContain(value);
    expect(query.parameters.map(parameterValue)).toEqual([value.toLowerCase(), value.toLowerCase()]);
  });

  it("quotes by doubling single quotes (SQL's only escape in a string literal)", () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString("")).toBe("''");
    expect(sqlString("a\\b")).toBe("'a\\b'");
  });
});

describe("the tamper events in the query", () => {
  const events = tamperQueryEvents(tamperSettings({ app: "secretwatch", stage: "dev" }));
  const withTamper = (args: { secret?: string[]; principal?: string[] } = {}) => {
    const base = scope(args);
    return buildHistoryQuery({ ...base, tamper: events });
  };

  it("ORs the reads' source and names with one term per tamper event source, all literals of the catalog", () => {
    const query = withTamper();
    const parts = conjuncts(parse(query.sql).where);
    // Account, dates, and the one event predicate (no separate eventsource conjunct any more).
    expect(parts.filter((p) => p.left?.column === "eventsource")).toEqual([]);
    const eventTerms = parts.find((p) => p.operator === "OR");
    expect(eventTerms).toBeDefined();
    const terms: Node[] = [];
    const flatten = (n: Node): void => {
      if (n.type === "binary_expr" && n.operator === "OR") {
        flatten(n.left);
        flatten(n.right);
      } else terms.push(n);
    };
    flatten(eventTerms!);
    const pairs = terms.map((t) => {
      const [source, names] = conjuncts(t);
      return [literals(source)[0], literals(names)] as const;
    });
    expect(pairs[0]).toEqual(["secretsmanager.amazonaws.com", ["GetSecretValue", "BatchGetSecretValue"]]);
    // Every catalog source but KMS's (the stage has no key yet), with the names CloudTrail writes.
    const bySource = new Map<string, Set<string>>();
    for (const e of TAMPER_EVENTS.filter((e) => e.source !== "kms.amazonaws.com")) {
      bySource.set(e.source, new Set([...(bySource.get(e.source) ?? []), ...e.recorded]));
    }
    expect(new Map(pairs.slice(1).map(([s, n]) => [s, new Set(n)]))).toEqual(bySource);
    expect(pairs.find(([s]) => s === "lambda.amazonaws.com")?.[1]).toContain("UpdateFunctionCode20150331v2");
    expect(query.parameters).toEqual([]);
  });

  it("keeps user text in parameters only, with the tamper terms as with reads", () => {
    const query = withTamper({ secret: ["x' OR '1'='1"], principal: ["bob"] });
    expect(namedPlaceholders(query.sql).count).toBe(2);
    expect(query.sql).toBe(withTamper({ secret: ["y"], principal: ["z"] }).sql);
  });

  it("refuses an event name that is not a plain catalog name (it would become SQL text)", () => {
    const base = scope();
    expect(() => buildHistoryQuery({ ...base, tamper: [{ source: "x", names: ["a') OR ('1"] }] })).toThrow(
      /not a catalog event name/,
    );
  });
});

describe("validation of partition values and free text", () => {
  it.each([
    [["--account", "12345"], /--account "12345" is not an AWS account ID/],
    [["--account", "111122223333' OR 1=1"], /is not an AWS account ID/],
    [["--region", "us-east-1') OR ('1"], /--region .* is not a Region name/],
    [["--region", "US-EAST-1"], /is not a Region name/],
    [["--secret", "a\nDROP TABLE x"], /--secret must not contain control characters/],
    [["--principal", "bob\u2028x"], /--principal must not contain control characters/],
    [["--since", "2024-02-30"], /--since "2024-02-30" is not a time/],
  ])("refuses %j", async (args, message) => {
    const run = await runHistory(
      ["--stage", "prod", "--since", "30d", "--account", ACCOUNT, "--print-sql", ...args],
      null,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stdout).toBe("");
  });
});

describe("--print-sql", () => {
  it("prints the SQL with ? placeholders, then one `-- ?N = 'value'` line per parameter, and calls no AWS", async () => {
    const args = ["--stage", "prod", "--since", "2024-07-01", "--until", "2024-07-15", "--account", ACCOUNT];
    const run = await runHistory([...args, "--secret", "it's", "--principal", "bob", "--print-sql"], null);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.slice(-2)).toEqual(["-- ?1 = 'it''s'", "-- ?2 = 'bob'"]);
    const sql = lines.slice(0, -2).join("\n");
    expect(sql.endsWith(";")).toBe(true);
    expect(namedPlaceholders(sql).count).toBe(2);
    expect(sql).not.toContain("it's");
    expect(sql).not.toContain("bob");
    expect(run.stdout).toBe(
      printableQuery(
        buildHistoryQuery(
          historyScope(
            parseFilters({ since: "2024-07-01", until: "2024-07-15", secret: ["it's"], principal: ["bob"] }, NOW),
            NOW,
            [ACCOUNT],
            [],
            tamperQueryEvents(tamperSettings({ app: "secretwatch", stage: "prod" })),
          ),
        ),
      ),
    );
    // The stage's tamper events are in the printed query too.
    expect(sql).toContain("eventsource = 'cloudtrail.amazonaws.com' AND eventname IN ('StopLogging'");
  });

  it("needs --account (finding the caller's would call AWS)", async () => {
    const run = await runHistory(["--stage", "prod", "--since", "30d", "--print-sql"], null);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--print-sql needs --account/);
  });
});
