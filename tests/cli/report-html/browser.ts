/**
 * A real headless Chromium for the HTML report's tests: Debian's `chromium` (or
 * `SECRETWATCH_CHROMIUM=/path`), driven by playwright-core through its executable path. Pages
 * are watched for console errors, page errors, CSP violations and dialogs.
 * @see https://playwright.dev/docs/api/class-browsertype#browser-type-launch-option-executable-path
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** The Chromium executable, or null when none is installed. */
export function findChromium(): string | null {
  const fromEnv = process.env.SECRETWATCH_CHROMIUM;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const found = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
      if (found) return found;
    } catch {
      // not on PATH
    }
  }
  return null;
}

/** Where the tests write what a person may want to look at (git-ignored). */
export const OUTPUT = new URL("../../.output/report-html/", import.meta.url).pathname;
export const outputDir = () => {
  mkdirSync(OUTPUT, { recursive: true });
  return OUTPUT;
};

export function launch(executablePath: string): Promise<Browser> {
  // --no-sandbox: CI and this machine run as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
}

export interface Watched {
  page: Page;
  problems: string[];
  dialogs: string[];
  violations: () => Promise<string[]>;
}

/** A new page that records console errors, uncaught errors, dialogs and CSP violations. */
export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Watched> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  // Init scripts run before the page's own, outside its CSP (through the DevTools protocol).
  // (The test project has no DOM types: browser globals are reached through globalThis.)
  await page.addInitScript(() => {
    const w = globalThis as any;
    const seen: string[] = [];
    w.__cspViolations = seen;
    w.document.addEventListener("securitypolicyviolation", (e: any) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { page, problems, dialogs, violations: () => page.evaluate(() => (globalThis as any).__cspViolations) };
}

/** How many pixels of each canvas are not blank (transparent or white). */
export function inkPerCanvas(page: Page): Promise<number[]> {
  return page.$$eval("canvas", (canvases) =>
    canvases.map((c) => {
      // Read a copy (a canvas made for reading), not the chart's own canvas.
      const copy = (globalThis as any).document.createElement("canvas");
      copy.width = c.width;
      copy.height = c.height;
      const ctx = copy.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(c, 0, 0);
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
        if (a > 0 && !(r > 250 && g > 250 && b > 250)) ink++;
      }
      return ink;
    }),
  );
}
