/**
 * Chart.js, inlined into every report so that it opens with no network. The file is read at
 * run time from the `chart.js` package the CLI depends on (the CLI's build keeps third-party
 * packages in node_modules, so the built CLI finds it as the sources do): its UMD build
 * defines `window.Chart`, needs no `eval` and sets styles only through the CSSOM, so the
 * report's CSP needs neither `unsafe-eval` nor `unsafe-inline`.
 * @see https://www.chartjs.org/docs/latest/getting-started/installation.html
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** The chart library could not be read. */
export class ChartLibraryError extends Error {
  override name = "ChartLibraryError";
}

let cached: string | undefined;

/** The UMD build's text, without its source map comment (the map is not shipped in the report). */
export function chartLibrarySource(): string {
  if (cached !== undefined) return cached;
  let file: string;
  try {
    // The package exports only its ESM and CJS entries; the UMD build sits beside them in dist/.
    file = path.join(path.dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js");
    cached = readFileSync(file, "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  } catch (cause) {
    throw new ChartLibraryError("cannot read Chart.js for the HTML report: is the chart.js package installed?", {
      cause,
    });
  }
  return cached;
}
