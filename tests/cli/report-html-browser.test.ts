/**
 * The HTML report in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * it loads with no console error and no CSP violation, the charts drew, the table has one row
 * per hit and its filters and sorting work, hostile record strings run no script, the CSP
 * blocks an injected script, and the page prints on A4 and Letter. Screenshots and PDFs go to
 * tests/.output/report-html/ for a person to look at. Without Chromium the suite is skipped,
 * and says so; in CI (CI=true) a missing Chromium fails instead.
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderHtmlReport } from "../../packages/cli/src/report-html/index.js";
import type { ReportInput } from "../../packages/cli/src/report-html/model.js";
import { buildReportModel } from "../../packages/cli/src/report-html/model.js";
import { findChromium, inkPerCanvas, launch, outputDir, type Watched, watchedPage } from "./report-html/browser.js";
import { type Assessed, backtestHits, cloudtrailHits } from "./report-html/hits.js";
import { hostileHits, PAYLOADS } from "./report-html/hostile.js";

const CHROMIUM = findChromium();
const SKIP = CHROMIUM === null && !process.env.CI;
const OPTIONS = {
  app: "secretwatch",
  stage: "prod",
  generatedAt: new Date("2024-06-05T00:00:00Z"),
};
if (SKIP)
  console.warn(
    "report-html-browser: SKIPPED, no chromium on PATH (apt-get install chromium, or set SECRETWATCH_CHROMIUM)",
  );

test.runIf(CHROMIUM === null && process.env.CI)(
  "Chromium is installed in CI (.ci/run installs Debian's chromium)",
  () => {
    expect.fail("no chromium on PATH: the browser tests of the HTML report cannot run");
  },
);

/** Writes the report to tests/.output/report-html/NAME.html and opens it in a watched page. */
async function open(browser: Browser, name: string, input: ReportInput, viewport?: { width: number; height: number }) {
  const file = `${outputDir()}${name}.html`;
  writeFileSync(file, renderHtmlReport(input, { ...OPTIONS, source: `replay of ${name} (test fixture)` }));
  const watched = await watchedPage(browser, viewport);
  await watched.page.goto(pathToFileURL(file).href);
  try {
    await watched.page.waitForSelector("html[data-ready]", { timeout: 15_000 });
  } catch (error) {
    const seen = [...watched.problems, ...(await watched.violations())];
    throw new Error(`the report did not finish drawing: ${seen.join("; ") || "no error seen"}`, { cause: error });
  }
  return watched;
}

async function expectClean(w: Watched) {
  expect(w.problems).toEqual([]);
  expect(await w.violations()).toEqual([]);
  expect(w.dialogs).toEqual([]);
}

const visibleRows = (page: Page) =>
  page.$$eval("#hits tbody tr", (rows) => rows.filter((r) => !(r as any).hidden).length);
const firstVisibleSeverity = (page: Page) =>
  page.$$eval("#hits tbody tr", (rows) => rows.find((r) => !(r as any).hidden)?.querySelector(".sev")?.textContent);

describe.skipIf(SKIP)(
  `the HTML report in headless Chromium${SKIP ? " (SKIPPED: no chromium)" : ""}`,
  { timeout: 90_000 },
  () => {
    let browser: Browser;
    let backtest: Assessed;
    beforeAll(async () => {
      browser = await launch(CHROMIUM!);
      backtest = await backtestHits();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    test("loads clean, draws every chart, one row per hit; filters and sorting work", async () => {
      const w = await open(browser, "backtest", backtest);
      const { page } = w;
      await expectClean(w);
      const model = buildReportModel(backtest, { ...OPTIONS, source: "backtest" });
      const charts =
        1 + (model.timeline.denied.total ? 1 : 0) + model.timeline.perSecret.length + model.timeline.perActor.length;
      const ink = await inkPerCanvas(page);
      expect(ink).toHaveLength(charts);
      for (const n of ink) expect(n).toBeGreaterThan(200);
      expect(await page.locator("#hits tbody tr").count()).toBe(backtest.hits.length);
      expect(await page.locator("#first-seen tbody tr").count()).toBe(model.firstSeen.length);
      expect(await page.textContent("#summary .stat.critical b")).toBe(String(model.summary.bySeverity.critical));
      expect(model.summary.bySeverity.critical).toBe(1);

      const count = (pick: (h: Assessed["hits"][number]) => boolean) => backtest.hits.filter(pick).length;
      await page.fill("#filter-text", "dev/batch/token");
      expect(await visibleRows(page)).toBe(count((h) => h.secretId === "dev/batch/token"));
      await expect.poll(() => page.textContent("#row-count")).toBe(`4 of ${backtest.hits.length} hits shown`);
      await page.fill("#filter-text", "");
      await page.selectOption("#filter-severity", "high");
      expect(await visibleRows(page)).toBe(count((h) => ["high", "critical"].includes(h.verdict.severity)));
      await page.selectOption("#filter-severity", "");
      await page.check("#filter-first-seen");
      expect(await visibleRows(page)).toBe(count((h) => h.verdict.firstSeen === true));
      await page.uncheck("#filter-first-seen");
      expect(await visibleRows(page)).toBe(backtest.hits.length);

      await page.click("#hits th:text-is('Severity')");
      expect(await firstVisibleSeverity(page)).toBe("info");
      await page.click("#hits th:text-is('Severity')");
      expect(await firstVisibleSeverity(page)).toBe("critical");
      expect(await page.getAttribute("#hits th:text-is('Severity')", "aria-sort")).toBe("descending");

      await page.focus("#hits th:text-is('Secret')");
      await page.keyboard.press("Enter");
      expect(await page.getAttribute("#hits th:text-is('Secret')", "aria-sort")).toBe("ascending");
      const secrets = await page.$$eval("#hits tbody tr td.c-secret", (cells) =>
        cells.map((c) => c.firstChild?.textContent ?? ""),
      );
      expect(secrets).toEqual([...secrets].sort((a, b) => a.localeCompare(b)));
      await page.click("#hits th:text-is('Time (UTC)')");
      await page.screenshot({ path: `${outputDir()}backtest.png`, fullPage: true });
      // The top of the page (summary and charts): docs/report.png is a copy of this one.
      await page.screenshot({
        path: `${outputDir()}report.png`,
        fullPage: true,
        clip: { x: 0, y: 0, width: 1280, height: 1600 },
      });
      await expectClean(w);
    });

    test("denied attempts have their chart and filter (triage fixture)", async () => {
      const triage = await cloudtrailHits("triage", "triage.policy.json");
      const w = await open(browser, "triage", triage);
      await expectClean(w);
      expect(await w.page.locator("#denied canvas").count()).toBe(1);
      expect((await inkPerCanvas(w.page)).every((n) => n > 200)).toBe(true);
      await w.page.selectOption("#filter-outcome", "denied");
      expect(await visibleRows(w.page)).toBe(triage.hits.filter((h) => h.outcome === "denied").length);
      await w.page.screenshot({ path: `${outputDir()}triage.png`, fullPage: true });
    });

    test("hostile record strings are shown as text and run no script", async () => {
      const hostile = await hostileHits();
      const w = await open(browser, "hostile", hostile);
      const { page } = w;
      await expectClean(w);
      expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
      expect(await page.locator("img, svg, iframe, #hits script").count()).toBe(0);
      expect(await page.locator("#hits tbody tr").count()).toBe(hostile.hits.length);
      const table = (await page.textContent("#hits")) ?? "";
      for (const payload of [PAYLOADS.script, PAYLOADS.img, PAYLOADS.endData, PAYLOADS.session])
        expect(table).toContain(payload);
      // Filtering on markup is filtering on text.
      await page.fill("#filter-text", "<svg onload");
      expect(await visibleRows(page)).toBe(1);
      await page.screenshot({ path: `${outputDir()}hostile.png`, fullPage: true });
      expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
      expect(w.dialogs).toEqual([]);
    });

    test("a report with no hits loads clean and says so", async () => {
      const w = await open(browser, "empty", { hits: [] });
      await expectClean(w);
      expect(await w.page.locator("canvas").count()).toBe(0);
      expect(await w.page.textContent("#timeline")).toContain("none in this period");
      expect(await w.page.textContent("#row-count")).toBe("0 of 0 hits shown");
    });

    test("the CSP is enforced: a script added to the page does not run", async () => {
      const w = await open(browser, "csp", backtest);
      await w.page.evaluate(() => {
        const d = (globalThis as any).document;
        const s = d.createElement("script");
        s.textContent = "window.__injected = 1";
        d.body.appendChild(s);
      });
      await expect.poll(w.violations).toEqual([expect.stringMatching(/^script-src/)]);
      expect(await w.page.evaluate(() => (globalThis as any).__injected)).toBeUndefined();
    });

    test("prints on A4 and Letter: controls hidden, no overflow, charts redrawn, PDFs written", async () => {
      const w = await open(browser, "print", backtest);
      const { page } = w;
      await page.emulateMedia({ media: "print" });
      for (const [paper, width] of [
        ["A4", 794],
        ["Letter", 816],
      ] as const) {
        await page.setViewportSize({ width, height: 1123 });
        await page.evaluate(() => (globalThis as any).dispatchEvent(new Event("beforeprint")));
        expect(await page.$eval(".controls", (e) => (globalThis as any).getComputedStyle(e).display)).toBe("none");
        const { scroll, client } = await page.evaluate(() => {
          const root = (globalThis as any).document.documentElement;
          return { scroll: root.scrollWidth, client: root.clientWidth };
        });
        expect(scroll).toBeLessThanOrEqual(client);
        for (const n of await inkPerCanvas(page)) expect(n).toBeGreaterThan(200);
        await page.screenshot({ path: `${outputDir()}print-${paper}.png`, fullPage: true });
        const pdf = await page.pdf({ format: paper, printBackground: true });
        writeFileSync(`${outputDir()}report-${paper}.pdf`, pdf);
        expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
        expect(pdf.toString("latin1").match(/\/Type\s*\/Page\b/g)?.length ?? 0).toBeGreaterThan(1);
      }
      await expectClean(w);
    });
  },
);
