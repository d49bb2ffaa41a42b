/**
 * The HTML report: one self-contained file (Chart.js, the script, the styles and the data
 * inline; nothing is fetched when it is opened), with a strict Content-Security-Policy that
 * allows exactly its own scripts and stylesheet by hash.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy
 */
import { writeFile } from "node:fs/promises";
import { SEVERITIES } from "@secretwatch/core";
import { UserError } from "../errors.js";
import { EXIT } from "../exit-codes.js";
import { chartLibrarySource } from "./chart-lib.js";
import { CLIENT_JS } from "./client.js";
import { contentSecurityPolicy, html, inlineScript, inlineStyle, jsonBlock } from "./embed.js";
import { buildReportModel, type ReportInput, type ReportModel, type ReportOptions } from "./model.js";
import { REPORT_CSS } from "./styles.js";
import { tamperSection } from "./tamper.js";

/** The report could not be written (a path to fix: exit code 2, one line). */
export class ReportWriteError extends UserError {
  override name = "ReportWriteError";
}

function header(model: ReportModel) {
  const where = [model.app, model.stage].filter((x) => x !== null).join(" ");
  const s = model.summary;
  return html`<header>
<h1>${model.title}</h1>
<p class="meta">${model.source}${where ? ` · ${where}` : ""} · made ${model.generatedAt}</p>
<div class="summary" id="summary">
<div class="stat"><b>${s.total}</b>secret reads</div>
${[...SEVERITIES].reverse().map((sev) => html`<div class="stat ${sev}"><b>${s.bySeverity[sev]}</b>${sev}</div>`)}
<div class="stat"><b>${s.emailed}</b>would be emailed</div>
<div class="stat"><b>${s.denied}</b>denied</div>
<div class="stat"><b>${s.errors}</b>failed</div>
${model.tamper.length > 0 ? html`<div class="stat"><b>${model.tamper.length}</b>tamper events</div>` : null}
</div>
</header>`;
}

const CONTROLS = html`<div class="controls">
<label>Search<input type="search" id="filter-text" placeholder="secret, actor, IP, user agent, reason…"></label>
<label>Severity<select id="filter-severity"><option value="">any</option></select></label>
<label>Outcome<select id="filter-outcome"><option value="">any</option><option value="success">success</option><option value="denied">denied</option><option value="error">error</option></select></label>
<label class="check"><input type="checkbox" id="filter-first-seen">first seen only</label>
</div>`;

/** The report as one HTML document. */
export function renderHtmlReport(input: ReportInput, options: ReportOptions): string {
  const model = buildReportModel(input, options);
  const chart = inlineScript(chartLibrarySource(), "Chart.js");
  const client = inlineScript(CLIENT_JS, "the report script");
  const style = inlineStyle(REPORT_CSS, "the report stylesheet");
  const csp = contentSecurityPolicy([chart.text, client.text], [style.text]);
  // Markup only from constants above; the data block is JSON with no `<` left in it.
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${model.title} · ${model.source}</title>
<style>${style}</style>
</head>
<body>
<main>
${header(model)}
${tamperSection(model.tamper)}
<div id="charts"></div>
<section id="first-seen"><h2>First-seen pairs</h2><p class="note">An actor's first read of a secret within the first-seen window.</p><div class="panel" id="first-seen-body"></div></section>
<section id="table"><h2>Hits</h2>
${CONTROLS}
<p class="note" id="row-count"></p>
<table id="hits"></table>
</section>
</main>
<script type="application/json" id="report-data">${jsonBlock(model)}</script>
<script>${chart}</script>
<script>${client}</script>
</body>
</html>
`.text;
}

/** Writes the report to `file`. */
export async function writeHtmlReport(file: string, input: ReportInput, options: ReportOptions): Promise<void> {
  const text = renderHtmlReport(input, options);
  try {
    await writeFile(file, text, "utf8");
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new ReportWriteError(`cannot write the HTML report to ${file} (${why})`, EXIT.usage, { cause });
  }
}
