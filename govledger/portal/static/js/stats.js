/* Statistics: each count as a chart (chart.js, served locally), its numbers as a table, and a
 * CSV download; and whether the chain's events confirm the counts. */
(function () {
  "use strict";
  if (!GovPage.signedIn()) return;
  const { el, show } = GovPage;

  /** Sums `rows` into {label: {series: count}} by the two keys given. */
  function crossTab(rows, labelOf, seriesOf) {
    const table = {};
    for (const row of rows) {
      const cell = (table[labelOf(row)] = table[labelOf(row)] || {});
      cell[seriesOf(row)] = (cell[seriesOf(row)] || 0) + row.count;
    }
    return table;
  }

  const csvCell = (value) => (/[",\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));

  function section(id, title, table, kind) {
    const labels = Object.keys(table).sort();
    const series = [...new Set(labels.flatMap((label) => Object.keys(table[label])))].sort();
    const header = [title.split(" by ")[1] || "", ...series];
    const body = labels.map((label) => [label, ...series.map((name) => table[label][name] || 0)]);
    const canvas = el("canvas", { role: "img", "aria-label": title });
    const csvButton = el("button", { type: "button", class: "action" }, "Download CSV");
    csvButton.addEventListener("click", () => GovPage.download(id + ".csv", "text/csv",
      [header, ...body].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n"));
    const numbers = el("table", { class: "numbers" },
      el("thead", {}, el("tr", {}, ...header.map((text) => el("th", {}, text)))),
      el("tbody", {}, ...body.map((row) => el("tr", {}, ...row.map((value) => el("td", {}, String(value)))))));
    document.getElementById("charts").append(el("section", { id, class: "chart" },
      el("h2", {}, title), el("div", { class: "canvas" }, canvas), numbers, csvButton));
    new Chart(canvas, {
      type: kind,
      data: { labels, datasets: series.map((name) => ({ label: name, data: labels.map((label) => table[label][name] || 0) })) },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  async function load() {
    const [licences, sharing] = await Promise.all([
      GovSession.api("GET", "/v1/stats/licences"), GovSession.api("GET", "/v1/stats/sharing")]);
    const failed = [licences, sharing].find((response) => !response.ok);
    if (failed) return show("stats-result", "bad", GovSession.problemText(failed.problem));
    const rows = licences.data.data;
    section("licences-by-month", "Licences issued by month", crossTab(rows, (r) => r.month, (r) => r.status), "bar");
    section("licences-by-department", "Licences by department", crossTab(rows, (r) => r.issuer_code, (r) => r.status), "bar");
    section("licences-by-type", "Licences by type", crossTab(rows, (r) => r.type_code, (r) => r.status), "bar");
    section("releases-by-reason", "Releases and refusals by reason",
      crossTab(sharing.data.releases, (r) => r.code, (r) => r.outcome), "bar");
    const requests = sharing.data;
    section("requests-answered", "Requests by answer", {
      answered: { requests: requests.answered },
      pending: { requests: (requests.requests.pending || 0) - requests.overdue },
      overdue: { requests: requests.overdue },
    }, "bar");
    show("stats-result", "ok", `${rows.reduce((n, r) => n + r.count, 0)} licences, ` +
      `${Object.values(requests.requests).reduce((n, c) => n + c, 0)} data requests.`);
    const disagreements = [...licences.data.disagreements, ...sharing.data.disagreements];
    if (disagreements.length) show("disagreements", "bad", "The chain does not confirm these counts:\n" + disagreements.join("\n"));
    else show("disagreements", "ok", "The chain's events confirm these counts.");
  }

  load();
})();
