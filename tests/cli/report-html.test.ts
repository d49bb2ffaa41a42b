/**
 * The HTML report without a browser: the escaping of everything placed in the page, the CSP
 * and its hashes, and what the report counts (summary, timelines, first-seen pairs, rows) on
 * the backtest archive, whose answer tests/fixtures/backtest/expected.json gives.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  escapeHtml,
  html,
  inlineScript,
  jsonForScript,
  Markup,
  ReportMarkupError,
} from "../../packages/cli/src/report-html/embed.js";
import { ReportWriteError, renderHtmlReport, writeHtmlReport } from "../../packages/cli/src/report-html/index.js";
import { buildReportModel, consoleLink } from "../../packages/cli/src/report-html/model.js";
import { bucketUnit, timelineOf } from "../../packages/cli/src/report-html/timeline.js";
import { backtestHits, cloudtrailHits } from "./report-html/hits.js";
import { hostileHits, PAYLOADS } from "./report-html/hostile.js";

const expected = JSON.parse(readFileSync(new URL("../fixtures/backtest/expected.json", import.meta.url), "utf8"));
const OPTIONS = { source: "test", generatedAt: new Date("2024-08-01T00:00:00Z") };

/** Every `<script …>…</script>` element: its attributes and text. */
function scripts(doc: string) {
  return [...doc.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({
    attrs: m[1] ?? "",
    text: m[2] ?? "",
  }));
}
const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
const cspOf = (doc: string) =>
  /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(doc)?.[1]?.replaceAll("&#39;", "'");

describe("escaping by construction", () => {
  test("embedded JSON has no <, >, &, U+2028 or U+2029 left, and parses back to the value", () => {
    for (const value of Object.values(PAYLOADS)) {
      const out = jsonForScript({ value });
      expect(out).not.toMatch(/[<>&\u2028\u2029]/);
      expect(JSON.parse(out)).toEqual({ value });
    }
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: "binary" }), (value, s) => {
        const out = jsonForScript({ value, s: `${s}</script><!--\u2028` });
        return (
          !/<\/script|<!--|[\u2028\u2029]/i.test(out) &&
          JSON.stringify(JSON.parse(out)) === JSON.stringify({ value, s: `${s}</script><!--\u2028` })
        );
      }),
    );
  });

  test("the html template escapes every interpolated value; only Markup passes as-is", () => {
    const ua = PAYLOADS.img;
    const out = html`<td title="${ua}">${ua}${[ua, html`<b>${ua}</b>`]}${null}${7}</td>`.text;
    expect(out).toBe(`<td title="${escapeHtml(ua)}">${escapeHtml(ua)}${escapeHtml(ua)}<b>${escapeHtml(ua)}</b>7</td>`);
    expect(escapeHtml(`<a href='x'>&"`)).toBe("&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
    expect(html`${Markup.trusted("<i>")}`.text).toBe("<i>");
  });

  test("inline script text that could end its element is refused", () => {
    expect(() => inlineScript("var a = '</SCRIPT>';", "x")).toThrow(ReportMarkupError);
    expect(() => inlineScript("a <!-- b", "x")).toThrow(ReportMarkupError);
    expect(inlineScript("var a = 1 < 2;", "x").text).toBe("var a = 1 < 2;");
  });

  test("console links only to the AWS console over https", () => {
    const ok = "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/abc";
    expect(consoleLink(ok)).toBe(ok);
    for (const bad of [
      "javascript:alert(1)",
      "http://eu-west-1.console.aws.amazon.com/x",
      "https://console.aws.amazon.com.attacker.example/x",
      "https://attacker.example/#console.aws.amazon.com",
      "not a url",
    ])
      expect(consoleLink(bad)).toBeNull();
  });
});

describe("the document", async () => {
  const hostile = await hostileHits();
  const doc = renderHtmlReport(hostile, OPTIONS);

  test("a strict CSP allows exactly the inline scripts and the stylesheet, by hash", () => {
    const csp = cspOf(doc);
    expect(csp).toBeDefined();
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*|data:|https?:/);
    expect(csp).toContain("default-src 'none'");
    const code = scripts(doc).filter((s) => !s.attrs.includes("application/json"));
    expect(code).toHaveLength(2);
    const scriptSrc = /script-src ([^;]*)/.exec(csp ?? "")?.[1]?.split(" ");
    expect(scriptSrc).toEqual(code.map((s) => sha(s.text)));
    const style = /<style>([\s\S]*?)<\/style>/.exec(doc)?.[1] ?? "";
    expect(/style-src ([^;]*)/.exec(csp ?? "")?.[1]).toBe(sha(style));
    // No inline event handlers or style attributes anywhere (they would need unsafe-inline).
    const markup = doc.replace(/<script([^>]*)>[\s\S]*?<\/script>/g, "").replace(/<style>[\s\S]*?<\/style>/, "");
    expect(markup.match(/\son[a-z]+=|\sstyle=/gi)).toBeNull();
  });

  test("Chart.js is inlined (no network at view time), without its source map comment", () => {
    const [lib] = scripts(doc).filter((s) => !s.attrs.includes("application/json"));
    expect(lib?.text).toContain("Chart.js v4.6.1");
    expect(doc).not.toMatch(/sourceMappingURL|<script[^>]+src=|<link/);
  });

  test("hostile strings are only in the data block, escaped, and come back intact", () => {
    for (const payload of [PAYLOADS.script, "<img", "<svg", "<iframe"]) expect(doc).not.toContain(payload);
    const blocks = scripts(doc);
    expect(blocks).toHaveLength(3); // the data block did not end early
    const data = blocks.find((s) => s.attrs.includes('type="application/json"'));
    const model = JSON.parse(data?.text ?? "null");
    const all = JSON.stringify(model);
    for (const payload of [PAYLOADS.script, PAYLOADS.img, PAYLOADS.endData, PAYLOADS.error])
      expect(all).toContain(JSON.stringify(payload).slice(1, -1));
    expect(model.rows).toHaveLength(hostile.hits.length);
  });

  test("a file that cannot be written is one line naming it and why, exit code 2", async () => {
    const file = `${tmpdir()}/secretwatch-no-such-dir-${process.pid}/report.html`;
    const error = await writeHtmlReport(file, { hits: [] }, OPTIONS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportWriteError);
    expect(error).toMatchObject({ exitCode: 2, message: `cannot write the HTML report to ${file} (ENOENT)` });
  });

  test("a title or source with markup is escaped in the page's head and header", () => {
    const out = renderHtmlReport({ hits: [] }, { ...OPTIONS, title: PAYLOADS.endData, source: PAYLOADS.img });
    expect(out).not.toContain("<img");
    expect(scripts(out)).toHaveLength(3);
    expect(out).toContain(`<h1>${escapeHtml(PAYLOADS.endData)}</h1>`);
  });
});

describe("what the report counts", async () => {
  const backtest = await backtestHits();
  const model = buildReportModel(backtest, { ...OPTIONS, topN: 3 });

  test("the severity summary and emailed count are the backtest's", () => {
    expect(model.summary.total).toBe(expected.reads);
    expect(model.summary.bySeverity).toEqual(expected.bySeverity);
    expect(model.summary.emailed).toBe(expected.emailedReads);
    expect(model.rows).toHaveLength(expected.reads);
    expect(model.rows.map((r) => r.ms)).toEqual([...model.rows.map((r) => r.ms)].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  test("two days in hourly buckets; every series sums to its total, the per-secret ones to all reads", () => {
    const tl = model.timeline;
    expect(tl.unit).toBe("hour");
    expect(tl.labels[0]).toBe("2024-06-03T00:00Z");
    expect(tl.labels).toHaveLength(48);
    const sum = (s: typeof tl.all) =>
      Object.values(s.counts)
        .flat()
        .reduce((a, b) => a + b, 0);
    expect(sum(tl.all)).toBe(expected.reads);
    for (const s of [...tl.perSecret, ...tl.perActor]) expect(sum(s)).toBe(s.total);
    expect(tl.perSecret.reduce((n, s) => n + s.total, 0)).toBe(expected.reads);
    expect(tl.perSecret).toHaveLength(4); // top 3 and the others summed
    expect(tl.perSecret[0]).toMatchObject({ label: "prod/app/db", total: 48 });
    expect(tl.perSecret[3]?.label).toMatch(/^\d+ other secrets$/);
    // 14:00 on the first day: the scraper's 20 reads and app-api's hourly one (expected.json's description).
    const at = tl.labels.indexOf("2024-06-03T14:00Z");
    expect(Object.values(tl.all.counts).reduce((n, counts) => n + (counts[at] ?? 0), 0)).toBe(21);
  });

  test("first-seen pairs are the reads the assessment called first-seen, in time order", () => {
    const first = backtest.hits.filter((h) => h.verdict.firstSeen === true);
    expect(model.firstSeen).toHaveLength(first.length);
    expect(model.firstSeen.some((p) => p.secret === "canary/root-keys" && p.severity === "critical")).toBe(true);
  });

  test("denied attempts and failures are counted (triage fixture)", async () => {
    const triage = buildReportModel(await cloudtrailHits("triage", "triage.policy.json"), OPTIONS);
    expect(triage.summary).toMatchObject({ denied: 1, errors: 1, total: 24 });
    expect(triage.timeline.denied.total).toBe(1);
  });

  test("the table keeps at most maxRows rows, the most severe, in time order; the charts count them all", () => {
    const capped = buildReportModel(backtest, { ...OPTIONS, maxRows: 10 });
    expect(capped.rows).toHaveLength(10);
    const kept = (severity: string) => capped.rows.filter((r) => r.severity === severity).length;
    expect(["critical", "high", "medium"].map(kept)).toEqual([1, 1, 8]);
    const times = capped.rows.map((r) => r.ms ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(capped.rowsOmitted).toBe(expected.reads - 10);
    expect(capped.timeline.all.total).toBe(expected.reads);
    expect(capped.summary.bySeverity).toEqual(expected.bySeverity);
  });

  test("first-seen pairs are capped by maxPairs, and say how many were left out", () => {
    const capped = buildReportModel(backtest, { ...OPTIONS, maxPairs: 5 });
    expect(capped.firstSeen).toEqual(model.firstSeen.slice(0, 5));
    expect(capped.firstSeenOmitted).toBe(model.firstSeen.length - 5);
  });

  test("a year of half a million reads: weekly buckets, every read counted (no stack overflow)", () => {
    const t0 = Date.parse("2024-01-01T00:00:00Z");
    const reads = Array.from({ length: 500_000 }, (_, i) => ({
      ms: t0 + i * 60_000,
      severity: "low" as const,
      secret: `s${i % 20}`,
      actor: `a${i % 3}`,
      outcome: "success",
    }));
    const tl = timelineOf(reads, 8);
    expect(tl.unit).toBe("week");
    expect(tl.all.total).toBe(500_000);
    expect(tl.perSecret).toHaveLength(9);
    expect(tl.perSecret.at(-1)).toMatchObject({ label: "12 other secrets", total: 12 * 25_000 });
  });

  test("bucket sizes: five minutes up to 6 hours, hours up to 3 days, days up to 120, then weeks", () => {
    const [hour, day] = [3_600_000, 86_400_000];
    const spans = [0, 6 * hour - 1, 6 * hour, 3 * day - 1, 3 * day, 120 * day - 1, 120 * day, 730 * day];
    expect(spans.map(bucketUnit)).toEqual(["5min", "5min", "hour", "hour", "day", "day", "week", "week"]);
  });

  test("an hour of reads in five-minute buckets, aligned on five minutes (triage fixture)", async () => {
    const tl = buildReportModel(await cloudtrailHits("triage", "triage.policy.json"), OPTIONS).timeline;
    expect(tl.unit).toBe("5min");
    expect(tl.labels[0]).toMatch(/^2024-05-14T09:[0-5][05]Z$/);
    expect(tl.all.total).toBe(24);
  });
});
