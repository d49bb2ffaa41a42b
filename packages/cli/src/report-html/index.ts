/** The self-contained HTML report of `--report FILE.html` (replay, lookup, history). */
export { ChartLibraryError } from "./chart-lib.js";
export type { ReportInput, ReportOptions } from "./model.js";
export { ReportWriteError, renderHtmlReport, writeHtmlReport } from "./render.js";
