/**
 * The report's browser script (inlined, allowed by its hash). It reads the embedded JSON and
 * builds every element with `createElement` and `textContent`: no record string ever goes
 * through an HTML parser (no `innerHTML`), so a user agent of `<script>…` stays text. Charts are
 * Chart.js stacked bars, drawn without animation so that a print or a screenshot is complete.
 * @see https://www.chartjs.org/docs/latest/charts/bar.html#stacked-bar-chart
 */
export const CLIENT_JS = String.raw`(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var COLORS = { info: "#8a96a3", low: "#4e79a7", medium: "#e0a526", high: "#e15759", critical: "#7b1e3a" };
  var RANK = {};
  data.severities.forEach(function (s, i) { RANK[s] = i; });
  var charts = [];
  var tl = data.timeline;

  /** An element with fixed attributes and text or element children (text is never parsed). */
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  function sev(s) { return el("span", { class: "sev " + s }, [s]); }
  function tick(label) {
    if (tl.unit === "5min") return label.slice(11, 16);
    if (tl.unit === "hour") return label.slice(5, 10) + " " + label.slice(11, 13) + "h";
    return label;
  }

  /** A stacked bar chart of one series (counts per bucket and severity). */
  function stackedChart(parent, series, small) {
    var box = el("div", { class: small ? "chart small" : "chart" });
    parent.appendChild(box);
    if (series.total === 0) {
      box.className = "empty";
      box.textContent = "none in this period";
      return;
    }
    var canvas = el("canvas", { role: "img", "aria-label": series.label + ": " + series.total + " reads over time, by severity" });
    box.appendChild(canvas);
    var datasets = data.severities.slice().reverse()
      .filter(function (s) { return series.counts[s].some(function (n) { return n > 0; }); })
      .map(function (s) { return { label: s, data: series.counts[s], backgroundColor: COLORS[s], stack: "reads", maxBarThickness: 48 }; });
    charts.push(new Chart(canvas, {
      type: "bar",
      data: { labels: tl.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        devicePixelRatio: Math.max(2, window.devicePixelRatio || 1),
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, callback: function (v, i) { return tick(tl.labels[i] || ""); } } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { display: !small, labels: { boxWidth: 12 } } }
      }
    }));
  }

  function chartSection(id, title, note, build) {
    var section = el("section", { id: id }, [el("h2", {}, [title])]);
    if (note) section.appendChild(el("p", { class: "note" }, [note]));
    var card = el("div", { class: "panel" });
    section.appendChild(card);
    build(card);
    document.getElementById("charts").appendChild(section);
  }
  function smallMultiples(card, list, noun) {
    if (list.length === 0) { card.appendChild(el("p", { class: "empty" }, ["no dated reads"])); return; }
    var grid = el("div", { class: "grid" });
    card.appendChild(grid);
    list.forEach(function (series) {
      var cell = el("div", {}, [el("h3", {}, [series.label + " \u2014 " + series.total + " " + (series.total === 1 ? "read" : "reads")])]);
      grid.appendChild(cell);
      stackedChart(cell, series, true);
    });
  }

  var unitWord = { "5min": "5 minutes", hour: "hour", day: "day", week: "week" }[tl.unit];
  var undated = data.summary.undated ? " " + data.summary.undated + " read(s) without a readable time are only in the table." : "";
  chartSection("timeline", "Reads over time", "Per " + unitWord + " (UTC), stacked by severity." + undated, function (card) { stackedChart(card, tl.all, false); });
  chartSection("denied", "Denied attempts", "Calls refused by IAM or a resource policy, per " + unitWord + ".", function (card) { stackedChart(card, tl.denied, false); });
  chartSection("per-secret", "Reads per secret", "The busiest secrets, per " + unitWord + ".", function (card) { smallMultiples(card, tl.perSecret, "secret"); });
  chartSection("per-actor", "Reads per actor", "The busiest actors (role, user, root or service), per " + unitWord + ".", function (card) { smallMultiples(card, tl.perActor, "actor"); });

  // First-seen pairs: the first read of a secret by an actor within the first-seen window.
  (function () {
    var body = el("tbody");
    data.firstSeen.forEach(function (p) {
      body.appendChild(el("tr", {}, [el("td", {}, [p.time]), el("td", {}, [p.actor]), el("td", {}, [p.secret]), el("td", {}, [sev(p.severity)])]));
    });
    var card = document.getElementById("first-seen-body");
    if (data.firstSeen.length === 0) card.appendChild(el("p", { class: "empty" }, ["none (or not known: the assessment had no state)"]));
    if (data.firstSeenOmitted) card.appendChild(el("p", { class: "note" }, ["The first " + data.firstSeen.length + " pairs; " + data.firstSeenOmitted + " more are in the table (filter: first seen only)."]));
    if (data.firstSeen.length > 0) card.appendChild(el("table", { class: "pairs" }, [el("thead", {}, [el("tr", {}, [el("th", {}, ["First read (UTC)"]), el("th", {}, ["Actor"]), el("th", {}, ["Secret"]), el("th", {}, ["Severity"])])]), body]));
  })();

  // The table of hits: one row each, sortable by every column, filterable. Built once the
  // charts have taken their size: a chart that measures itself forces a layout, and a layout
  // of a long table costs far more than the charts.
  function buildTable() {
    function yesNo(v) { return v === null ? "unknown" : v ? "yes" : "no"; }
    var COLUMNS = [
      { label: "Time (UTC)", cls: "c-time", key: function (r) { return r.ms === null ? Infinity : r.ms; }, cell: function (r) {
        var id = r.url ? el("a", { href: r.url, rel: "noreferrer noopener", target: "_blank" }, [r.eventID]) : r.eventID;
        // A space between date and time lets a narrow (printed) column break there.
        return [r.time.replace(/^(\d{4}-\d\d-\d\d)T/, "$1 "), el("small", {}, [id])];
      } },
      { label: "Severity", cls: "c-sev", key: function (r) { return RANK[r.severity]; }, cell: function (r) { return [sev(r.severity)]; } },
      { label: "Secret", cls: "c-secret", key: function (r) { return r.secret; }, cell: function (r) { return [r.secret, el("small", {}, [r.account + " " + r.region])]; } },
      { label: "Actor", cls: "c-actor", key: function (r) { return r.actor; }, cell: function (r) { return [r.actor, el("small", {}, [r.principal])]; } },
      { label: "Outcome", cls: "c-outcome", key: function (r) { return r.outcome; }, cell: function (r) { return [r.outcome, r.error ? el("small", {}, [r.error]) : null]; } },
      { label: "Source", cls: "c-source", key: function (r) { return r.source; }, cell: function (r) { return [r.source, el("small", {}, [r.client]), el("small", { class: "ua", title: r.userAgent }, [r.userAgent])]; } },
      { label: "Reasons", cls: "c-reasons", key: function (r) { return r.reasons.join(" "); }, cell: function (r) {
        return r.reasons.map(function (c) { return el("div", { class: "reason" }, [el("code", {}, [c]), " " + (data.reasonText[c] || "")]); });
      } },
      { label: "Alert", cls: "c-alert", key: function (r) { return (r.emailed ? "1" : "0") + (r.expected || ""); }, cell: function (r) {
        return [
          "emailed: " + yesNo(r.emailed) + (r.suppressed ? " (" + r.suppressed + ")" : ""),
          el("small", {}, ["first seen: " + yesNo(r.firstSeen)]),
          r.expected ? el("small", {}, ["expected: " + r.expected]) : null
        ];
      } }
    ];
    var table = document.getElementById("hits");
    var headRow = el("tr");
    table.appendChild(el("thead", {}, [headRow]));
    var tbody = el("tbody");
    table.appendChild(tbody);
    var entries = data.rows.map(function (r) {
      var tr = el("tr", {}, COLUMNS.map(function (c) { return el("td", { class: c.cls }, c.cell(r)); }));
      var haystack = [r.time, r.eventID, r.severity, r.secret, r.account, r.region, r.actor, r.principal, r.outcome, r.error || "", r.source, r.client, r.userAgent, r.reasons.join(" "), r.expected || ""].join("\n").toLowerCase();
      return { row: r, tr: tr, haystack: haystack };
    });
    var sortState = { col: 0, dir: 1 };
    function compare(a, b) {
      var key = COLUMNS[sortState.col].key;
      var x = key(a.row), y = key(b.row);
      var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      if (c !== c) c = 0;
      return c * sortState.dir || (a.row.ms || 0) - (b.row.ms || 0);
    }
    function render() {
      entries.slice().sort(compare).forEach(function (e) { tbody.appendChild(e.tr); });
      headRow.querySelectorAll("th").forEach(function (th, i) {
        if (i === sortState.col) th.setAttribute("aria-sort", sortState.dir > 0 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
    }
    // Each header sorts by its column (again: the other way round); Enter or Space as a click.
    COLUMNS.forEach(function (c, i) {
      var th = el("th", { scope: "col", class: c.cls, tabindex: "0", title: "sort by " + c.label }, [c.label]);
      function sort() {
        sortState = { col: i, dir: sortState.col === i ? -sortState.dir : 1 };
        render();
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
      headRow.appendChild(th);
    });

    var text = document.getElementById("filter-text");
    var minSeverity = document.getElementById("filter-severity");
    var outcome = document.getElementById("filter-outcome");
    var firstOnly = document.getElementById("filter-first-seen");
    data.severities.forEach(function (s) { minSeverity.appendChild(el("option", { value: s }, [s + (s === "critical" ? "" : " or higher")])); });
    function filter() {
      var q = text.value.trim().toLowerCase();
      var min = minSeverity.value ? RANK[minSeverity.value] : -1;
      var shown = 0;
      entries.forEach(function (e) {
        var ok = (!q || e.haystack.indexOf(q) !== -1) && RANK[e.row.severity] >= min &&
          (!outcome.value || e.row.outcome === outcome.value) && (!firstOnly.checked || e.row.firstSeen === true);
        e.tr.hidden = !ok;
        if (ok) shown++;
      });
      var omitted = data.rowsOmitted ? " (" + data.rowsOmitted + " more left out of the table; the charts count them)" : "";
      document.getElementById("row-count").textContent = shown + " of " + entries.length + " hits shown" + omitted;
    }
    [text, minSeverity, outcome, firstOnly].forEach(function (input) { input.addEventListener("input", filter); input.addEventListener("change", filter); });
    render();
    filter();
  }

  // Canvases keep the size they had on screen unless told: fit them to the printed page.
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
  // Chart.js sizes its charts in animation frames after they are made: two frames later they are done.
  requestAnimationFrame(function () {
    requestAnimationFrame(function () {
      setTimeout(function () {
        buildTable();
        document.documentElement.setAttribute("data-ready", String(charts.length));
      }, 0);
    });
  });
})();
`;
