/**
 * The HTML report's tamper section (report-html/tamper.ts): one row per tamper hit, most severe
 * first, every record string sanitised then HTML-escaped (a hostile trail or principal name
 * stays text), and no section at all without tamper hits. Hits come from the tamper fixtures
 * through the enricher's classifier with the dev stage's scope.
 */
import { describe, expect, test } from "vitest";
import { tamperHitOf, tamperSettings } from "../../packages/cli/src/replay/tamper.js";
import { renderHtmlReport } from "../../packages/cli/src/report-html/index.js";
import { buildReportModel } from "../../packages/cli/src/report-html/model.js";
import type { TamperHit } from "../../packages/core/src/tamper/index.js";
import { expectedHits, TAMPER_SETS, tamperRecords } from "./replay-tamper-cases.js";
import { PAYLOADS } from "./report-html/hostile.js";

const OPTIONS = { source: "test", generatedAt: new Date("2026-12-02T00:00:00Z") };
const settings = tamperSettings({ app: "secretwatch", stage: "dev" });
const hits = TAMPER_SETS.flatMap((set) => tamperRecords(set))
  .map((r) => tamperHitOf(r, settings))
  .filter((h): h is TamperHit => h !== null);
const section = (doc: string) => doc.slice(doc.indexOf('<section id="tamper">'), doc.indexOf("</section>") + 10);

describe("the tamper section", () => {
  test("one row per hit, most severe first; the header counts them", () => {
    const count = TAMPER_SETS.reduce((n, s) => n + expectedHits(s, true).length, 0);
    expect(hits).toHaveLength(count);
    const model = buildReportModel({ hits: [], tamper: hits }, OPTIONS);
    expect(model.tamper).toHaveLength(count);
    const ranks = model.tamper.map((r) => ["info", "low", "medium", "high", "critical"].indexOf(r.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const doc = renderHtmlReport({ hits: [], tamper: hits }, OPTIONS);
    expect(section(doc).match(/<tr class="/g)).toHaveLength(count);
    expect(doc).toContain(`<div class="stat"><b>${count}</b>tamper events</div>`);
    expect(section(doc)).toContain("<td>critical</td><td>StopLogging</td><td>secretwatch-dev-trail</td>");
    expect(section(doc)).toContain("<td>trail-stopped</td>");
  });

  test("hostile record strings are text: sanitised, then escaped", () => {
    const [first] = hits;
    const hostile: TamperHit = {
      ...first!,
      resource: PAYLOADS.img,
      principalArn: PAYLOADS.session,
      eventID: `${PAYLOADS.separators}\u202e`,
    };
    const doc = renderHtmlReport({ hits: [], tamper: [hostile] }, OPTIONS);
    const table = section(doc);
    for (const bad of ["<img", "<svg", "</SCRIPT", "\u2028", "\u202e"]) expect(table).not.toContain(bad);
    expect(table).toContain("&lt;img src=x onerror=");
    expect(table.match(/<tr class="/g)).toHaveLength(1);
  });

  test("no section without tamper hits (a read-only report is unchanged)", () => {
    const doc = renderHtmlReport({ hits: [] }, OPTIONS);
    expect(doc).not.toContain('id="tamper"');
    expect(doc).not.toContain("tamper events");
  });
});
