/**
 * The history query never loses a read replay would report: its WHERE clause, parsed by
 * node-sql-parser and evaluated here with SQL's three-valued logic over each fixture record (as
 * the CloudTrail table presents it: lower-case columns, `requestparameters` as JSON text, the
 * partitions of the file it was delivered in), is true for every record that replay's own
 * filters keep, for generated `--secret`, `--principal`, `--since` and `--until` values (parts of
 * real names in any case, ARNs, hostile text). Replay's filters then decide exactly.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { Parser } from "node-sql-parser";
import { describe, expect, it } from "vitest";
import { historyScope } from "../../packages/cli/src/history/partitions.js";
import { buildHistoryQuery, logDate } from "../../packages/cli/src/history/sql.js";
import { matchesFilters, parseFilters, tamperMatchesFilters } from "../../packages/cli/src/replay/filters.js";
import { tamperHitOf, tamperQueryEvents, tamperSettings } from "../../packages/cli/src/replay/tamper.js";
import { enrichRecord } from "../../packages/core/src/enrich.js";
import { isSecretValueRetrieval } from "../../packages/core/src/select.js";
import { ACCOUNT, NOW } from "./history-harness.js";
import { TAMPER_SETS, tamperRecords } from "./replay-tamper-cases.js";

type Node = Record<string, any>;
type Value = string | number | boolean | null;

const parser = new Parser();

/** The SQL's string literal without its quotes, `''` undone. */
const unquote = (literal: string) => literal.slice(1, -1).replaceAll("''", "'");

function columnPath(node: Node): string[] {
  if (typeof node.column === "string") return node.table ? [node.table, node.column] : [node.column];
  const flat = (e: Node | string): string[] => (typeof e === "string" ? [e] : [...flat(e.left), ...flat(e.right)]);
  return flat(node.column.expr);
}

/** Evaluates a WHERE tree over `row`; NULL is null, as in SQL. */
function evaluate(node: Node, row: Node, params: string[]): Value {
  const ev = (n: Node) => evaluate(n, row, params);
  switch (node.type) {
    case "single_quote_string":
      return String(node.value).replaceAll("''", "'");
    case "number":
      return Number(node.value);
    case "param":
      return unquote(params[Number(String(node.value).slice(1)) - 1] as string);
    case "column_ref":
      return columnPath(node).reduce<any>((v, k) => (v === null || v === undefined ? null : (v[k] ?? null)), row);
    case "function": {
      const name = node.name.name[0].value.toLowerCase();
      const args = (node.args.value as Node[]).map(ev);
      if (name === "lower") return args[0] === null ? null : String(args[0]).toLowerCase();
      if (name === "coalesce") return args.find((a) => a !== null) ?? null;
      if (name === "concat_ws")
        return args
          .slice(1)
          .filter((a) => a !== null)
          .join(String(args[0]));
      if (name === "strpos") return args.includes(null) ? null : String(args[0]).indexOf(String(args[1])) + 1;
      throw new Error(`function ${name} is not evaluated here`);
    }
    case "binary_expr":
      return binary(node, row, params);
    default:
      throw new Error(`node ${node.type} is not evaluated here`);
  }
}

function binary(node: Node, row: Node, params: string[]): Value {
  const ev = (n: Node) => evaluate(n, row, params);
  const { operator: op } = node;
  if (op === "AND" || op === "OR") {
    const [l, r] = [ev(node.left), ev(node.right)];
    if (op === "AND") return l === false || r === false ? false : l === null || r === null ? null : true;
    return l === true || r === true ? true : l === null || r === null ? null : false;
  }
  const left = ev(node.left);
  if (op === "IN") return left === null ? null : (node.right.value as Node[]).map(ev).includes(left);
  if (op === "BETWEEN") {
    const [lo, hi] = (node.right.value as Node[]).map(ev) as [Value, Value];
    return left === null || lo === null || hi === null ? null : left >= lo && left <= hi;
  }
  const right = ev(node.right);
  if (left === null || right === null) return null;
  const compare: Record<string, (a: Value, b: Value) => boolean> = {
    "=": (a, b) => a === b,
    ">": (a, b) => (a as number) > (b as number),
    ">=": (a, b) => (a as string) >= (b as string),
    "<=": (a, b) => (a as string) <= (b as string),
  };
  const fn = compare[op];
  if (!fn) throw new Error(`operator ${op} is not evaluated here`);
  return fn(left, right);
}

/** A record as the CloudTrail table shows it, in the partition of the file it was delivered in. */
function tableRow(record: Node, logdate: string): Node {
  const ui = typeof record.userIdentity === "object" && record.userIdentity !== null ? record.userIdentity : {};
  const issuer = ui.sessionContext?.sessionIssuer ?? {};
  const text = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? null : JSON.stringify(v));
  return {
    account: ACCOUNT,
    region: "us-east-1",
    logdate,
    eventsource: text(record.eventSource),
    eventname: text(record.eventName),
    eventtime: text(record.eventTime),
    requestparameters: record.requestParameters == null ? null : JSON.stringify(record.requestParameters),
    useridentity: {
      arn: text(ui.arn),
      username: text(ui.userName),
      principalid: text(ui.principalId),
      accesskeyid: text(ui.accessKeyId),
      invokedby: text(ui.invokedBy),
      type: text(ui.type),
      sessioncontext: { sessionissuer: { arn: text(issuer.arn), username: text(issuer.userName) } },
    },
  };
}

function fixtureRecords(): Node[] {
  const dirs = ["tests/fixtures/cloudtrail", "tests/fixtures/athena"];
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".json") && !f.endsWith(".expected.json"))
      .flatMap((f) => {
        const data = JSON.parse(readFileSync(path.join(dir, f), "utf8"));
        return (Array.isArray(data) ? data : (data.Records ?? [data])) as Node[];
      }),
  );
}

/** The reads replay can enrich and whose time is usable (history always has a --since). */
const reads = fixtureRecords().flatMap((record) => {
  try {
    if (!isSecretValueRetrieval(record as never)) return [];
    const hit = enrichRecord(record as never, { now: null });
    const ms = Date.parse(String(record.eventTime));
    return Number.isFinite(ms) ? [{ record, hit, ms }] : [];
  } catch {
    return [];
  }
});

const identityTexts = reads.flatMap(({ hit }) =>
  [hit.principalArn, hit.identity.userName, hit.identity.roleSessionName, hit.identity.principalId].filter(
    (v): v is string => typeof v === "string" && v.length > 0,
  ),
);
const secretTexts = reads.flatMap(({ hit }) =>
  [hit.secretId, hit.secretArn, ...(hit.batch?.secretIdList ?? [])].filter(
    (v): v is string => typeof v === "string" && v.length > 0,
  ),
);

/** A part of one of `texts`, in a random case; or the whole text. */
const partOf = (texts: string[]) =>
  fc
    .tuple(fc.constantFrom(...texts), fc.nat(), fc.nat(), fc.boolean())
    .map(([text, a, b, upper]) => {
      const start = a % text.length;
      const part = text.slice(start, start + 1 + (b % (text.length - start)));
      return upper ? part.toUpperCase() : part;
    })
    .filter((p) => p.trim() === p && p !== "" && [...p].every((c) => c >= " "));

const times = reads.map((r) => r.ms);

describe("the query keeps every read replay's filters keep", () => {
  it("has fixture reads to check", () => {
    expect(reads.length).toBeGreaterThan(30);
  });

  it("for generated filters and delivery days", () => {
    const filters = fc.record({
      secret: fc.option(
        fc.array(fc.oneof(partOf(secretTexts), fc.constantFrom("it's", "x' OR '1'='1")), {
          minLength: 1,
          maxLength: 2,
        }),
        { nil: undefined },
      ),
      principal: fc.option(
        fc.array(fc.oneof(partOf(identityTexts), fc.constantFrom("O'Brien", "%_")), { minLength: 1, maxLength: 2 }),
        { nil: undefined },
      ),
      since: fc.constantFrom(...times).map((ms) => ms - 1000),
      // Just past one read (at `since` + 1 s), or up to 40 days.
      span: fc.oneof(fc.integer({ min: 1001, max: 5000 }), fc.integer({ min: 1, max: 40 * 86_400_000 })),
      lateDelivery: fc.boolean(),
    });
    fc.assert(
      fc.property(filters, ({ secret, principal, since, span, lateDelivery }) => {
        const input = {
          since: new Date(since).toISOString(),
          until: new Date(since + span).toISOString(),
          secret,
          principal,
        };
        const spec = parseFilters(input, NOW);
        const query = buildHistoryQuery(historyScope(spec, NOW, [ACCOUNT], []));
        const ast = parser.astify(
          query.sql.replaceAll(/\?/g, () => `:p${++n}`),
          { database: "athena" },
        ) as Node;
        n = 0;
        const where = (Array.isArray(ast) ? ast[0] : ast).where as Node;
        for (const { record, hit, ms } of reads) {
          if (!matchesFilters(hit, spec)) continue;
          // CloudTrail files an event under its log file's delivery day: the same day, or the next.
          const logdate = logDate(ms + (lateDelivery ? 20 * 60_000 : 0));
          const kept = evaluate(where, tableRow(record, logdate), query.parameters);
          if (kept !== true) throw new Error(`the query drops ${hit.eventID} (${JSON.stringify(input)})`);
        }
      }),
      { numRuns: 300 },
    );
  });
  let n = 0;

  it("including a read just before midnight whose log file is delivered the next day", () => {
    const late = reads.find(({ record }) => record.eventTime === "2024-07-10T23:58:40Z")!;
    const spec = parseFilters({ since: "2024-07-10T23:00:00Z", until: "2024-07-10T23:59:00Z" }, NOW);
    expect(matchesFilters(late.hit, spec)).toBe(true);
    const query = buildHistoryQuery(historyScope(spec, NOW, [ACCOUNT], []));
    const ast = parser.astify(query.sql, { database: "athena" }) as Node;
    const where = (Array.isArray(ast) ? ast[0] : ast).where as Node;
    expect(evaluate(where, tableRow(late.record, "2024/07/11"), [])).toBe(true);
  });

  it("and drops what is not a secret-value read", () => {
    const spec = parseFilters({ since: "2000-01-01" }, NOW);
    const query = buildHistoryQuery(historyScope(spec, NOW, [ACCOUNT], []));
    const ast = parser.astify(query.sql, { database: "athena" }) as Node;
    const where = (Array.isArray(ast) ? ast[0] : ast).where as Node;
    const describe = fixtureRecords().find((r) => r.eventName === "DescribeSecret")!;
    expect(evaluate(where, tableRow(describe, logDate(Date.parse(describe.eventTime))), [])).toBe(false);
  });
});

describe("the query keeps every tamper event the stage's classification reports (issue 8)", () => {
  const settings = tamperSettings({ app: "secretwatch", stage: "dev" });
  const events = tamperQueryEvents(settings);
  const hits = TAMPER_SETS.flatMap((set) =>
    tamperRecords(set).flatMap((record) => {
      const hit = tamperHitOf(record, settings);
      return hit === null ? [] : [{ record, hit, ms: Date.parse(String(record.eventTime)) }];
    }),
  );
  const whereOf = (query: { sql: string }) => {
    let p = 0;
    const ast = parser.astify(
      query.sql.replaceAll(/\?/g, () => `:p${++p}`),
      { database: "athena" },
    ) as Node;
    return (Array.isArray(ast) ? ast[0] : ast).where as Node;
  };

  it("has tamper hits of every kind of resource to check", () => {
    expect(new Set(hits.map((h) => h.hit.resourceKind))).toEqual(
      new Set(["trail", "logGroup", "alarm", "topic", "function", "table", "secret"]),
    );
  });

  it.each([
    ["no filter", {}],
    ["--secret prod/db (chain events have no secretId: kept)", { secret: ["prod/db"] }],
    ["--principal alice", { principal: ["alice"] }],
    ["--principal of a role (its sessions)", { principal: ["arn:aws:iam::111122223333:role/deploy-ci"] }],
  ])("%s", (_name, filters) => {
    const spec = parseFilters({ since: "2026-11-01", ...filters }, new Date("2026-12-02T00:00:00Z"));
    const query = buildHistoryQuery(historyScope(spec, new Date("2026-12-02T00:00:00Z"), [ACCOUNT], [], events));
    const where = whereOf(query);
    const kept = hits.filter(({ hit }) => tamperMatchesFilters(hit, spec));
    expect(kept.length).toBeGreaterThan(0);
    for (const { record, hit, ms } of kept) {
      const row = tableRow(record, logDate(ms));
      expect(evaluate(where, row, query.parameters), `${hit.api} ${hit.eventID}`).toBe(true);
    }
  });

  it("and drops records of other services or event names (CreateLogStream, a read of another source)", () => {
    const spec = parseFilters({ since: "2026-11-01" }, new Date("2026-12-02T00:00:00Z"));
    const query = buildHistoryQuery(historyScope(spec, new Date("2026-12-02T00:00:00Z"), [ACCOUNT], [], events));
    const where = whereOf(query);
    const stream = tamperRecords("logs").find((r) => r.eventName === "CreateLogStream")!;
    const day = logDate(Date.parse(String(stream.eventTime)));
    expect(evaluate(where, tableRow(stream, day), [])).toBe(false);
    // An event name of the catalog from another source than the catalog's does not match.
    const elsewhere = { ...stream, eventSource: "s3.amazonaws.com", eventName: "StopLogging" };
    expect(evaluate(where, tableRow(elsewhere, day), [])).toBe(false);
  });
});
