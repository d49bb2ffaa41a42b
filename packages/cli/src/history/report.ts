/**
 * `history --report FILE.html`: the shared self-contained HTML report (report-html/), loaded
 * only when asked for, with the hits, whether each would be emailed, and the tamper events.
 */
import type { ReportInput, ReportOptions } from "../report-html/index.js";

export async function writeHistoryReport(file: string, input: ReportInput, options: ReportOptions): Promise<void> {
  const { writeHtmlReport } = await import("../report-html/index.js");
  await writeHtmlReport(file, input, options);
}
