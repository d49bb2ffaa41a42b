/** The report's stylesheet (allowed by its hash in the page's CSP), screen and print (A4 or Letter). */
export const REPORT_CSS = `
:root { --info: #8a96a3; --low: #4e79a7; --medium: #e0a526; --high: #e15759; --critical: #7b1e3a; --line: #d8dde3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2329; background: #f5f7f9; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
h3 { font-size: 13px; margin: 0 0 4px; font-weight: 600; overflow-wrap: anywhere; }
.meta, .note { color: #56606b; font-size: 13px; margin: 0; }
section.card, .panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 8px; margin-top: 14px; }
.stat { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.stat b { display: block; font-size: 22px; }
.stat.info { border-left-color: var(--info); } .stat.low { border-left-color: var(--low); }
.stat.medium { border-left-color: var(--medium); } .stat.high { border-left-color: var(--high); }
.stat.critical { border-left-color: var(--critical); }
.chart { position: relative; height: 220px; contain: size layout; }
.chart.small { height: 150px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
.empty { color: #56606b; font-style: italic; }
.controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin: 8px 0; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: #56606b; }
.controls input[type=search] { min-width: 260px; }
.controls input, .controls select { font: inherit; padding: 4px 6px; }
.controls .check { flex-direction: row; gap: 4px; align-items: center; }
table { width: 100%; border-collapse: collapse; background: #fff; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef1f4; position: sticky; top: 0; }
#hits th { cursor: pointer; user-select: none; }
#hits th:focus-visible { outline: 2px solid var(--low); }
th[aria-sort=ascending]::after { content: " \\25B2"; } th[aria-sort=descending]::after { content: " \\25BC"; }
td small, .sub { display: block; color: #56606b; font-size: 11.5px; }
.sev { display: inline-block; white-space: nowrap; padding: 0 6px; border-radius: 3px; color: #fff; font-weight: 600; font-size: 11.5px; }
.sev.info { background: var(--info); } .sev.low { background: var(--low); } .sev.medium { background: var(--medium); color: #1d2329; }
.sev.high { background: var(--high); } .sev.critical { background: var(--critical); }
.ua { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden; }
.reason { margin: 0 0 3px; } .reason code { font-weight: 600; }
.pairs td, .pairs th { font-size: 12px; }
#hits { table-layout: fixed; }
#hits .c-time { width: 12%; } #hits .c-sev { width: 7.5%; } #hits .c-secret { width: 12%; } #hits .c-actor { width: 17%; }
#hits .c-outcome { width: 8%; } #hits .c-source { width: 15%; } #hits .c-reasons { width: 19%; } #hits .c-alert { width: 9.5%; }
@media (max-width: 800px) { .grid { grid-template-columns: 1fr; } }
@page { margin: 12mm; }
@media print {
  body { background: #fff; font-size: 9.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  .controls { display: none; }
  section.card, .panel, .stat { border-color: #bbb; }
  .stat, .grid > div, .chart, .pairs tr { break-inside: avoid; }
  .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .chart { height: 170px; } .chart.small { height: 115px; }
  .chart canvas { max-width: 100%; }
  h2 { break-after: avoid; margin-top: 14px; }
  table { font-size: 8pt; } th { position: static; } th, td { padding: 3px 3px; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  td small, .sub { font-size: 7pt; }
  #hits .c-time { width: 11%; } #hits .c-sev { width: 7.5%; } #hits .c-outcome { width: 7%; } #hits .c-source { width: 16.5%; }
  #hits .c-reasons { width: 20.5%; } #hits .c-actor { width: 16%; }
  .sev { font-size: 7pt; padding: 0 3px; }
  .ua { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; line-clamp: 2; }
  a { color: inherit; text-decoration: none; }
}
`;
