/* The auditor's view: trace (the access log, or a licence's history) as a timeline, each log
 * entry with its inclusion proof and anchor; export the whole log; verify it against the chain. */
(function () {
  "use strict";
  if (!GovPage.signedIn()) return;
  const { el, show, answer, download } = GovPage;
  const $ = (id) => document.getElementById(id);
  const form = $("trace-form");

  const utc = (local) => new Date(local).toISOString();
  const short = (hex) => (hex ? hex.slice(0, 12) + "…" : "");

  function anchorCell(anchor) {
    if (!anchor) return el("td", { class: "unanchored" }, "not anchored yet");
    return el("td", { class: "anchored" },
      `segment ${anchor.segment_index}, block ${anchor.block_number}, tx ${short(anchor.tx_hash)}`,
      el("div", { class: "proof" }, `root ${anchor.root}`),
      el("div", { class: "proof" }, `proof (${anchor.proof.length}): ${anchor.proof.join(" ")}`));
  }

  function logRows(trace) {
    const entries = trace.entries.map((entry) => el("tr", { "data-seq": String(entry.seq) },
      el("td", {}, entry.time),
      el("td", {}, `#${entry.seq} ${entry.action}: ${entry.outcome}` + (entry.code !== entry.outcome ? ` (${entry.code})` : "")),
      el("td", {}, [entry.caller, entry.dataset_id, entry.grant_id && "grant " + entry.grant_id,
        entry.fields.join(", "), entry.purpose].filter(Boolean).join(" · ")),
      anchorCell(entry.anchor)));
    const events = trace.chain_events.map((event) => el("tr", { class: "chain-event" },
      el("td", {}, new Date(event.timestamp * 1000).toISOString()),
      el("td", {}, "chain: " + event.event),
      el("td", {}, Object.entries(event.args).map(([name, value]) => `${name}=${value}`).join(" · ")),
      el("td", {}, `block ${event.block_number}, tx ${short(event.tx_hash)}`)));
    return [...entries, ...events].sort((a, b) => a.firstChild.textContent.localeCompare(b.firstChild.textContent));
  }

  function historyRows(licenceId, history) {
    return history.map((entry) => el("tr", { class: "licence-event" },
      el("td", {}, entry.at || ""),
      el("td", {}, `${entry.action}: ${entry.previous_status || "—"} → ${entry.status}`),
      el("td", {}, [licenceId, entry.reason && `reason ${entry.reason_code}: ${entry.reason}`].filter(Boolean).join(" · ")),
      el("td", {}, entry.tx_hash ? `block ${entry.block_number}, tx ${short(entry.tx_hash)}` : "")));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    let response;
    let rows;
    if (values.licence) {
      response = await GovSession.api("GET", `/v1/licences/${encodeURIComponent(values.licence.trim())}/history`);
      rows = response.ok && historyRows(values.licence.trim(), response.data.data);
    } else {
      const query = new URLSearchParams();
      for (const name of ["dataset", "requester", "grant"]) if (values[name]) query.set(name, values[name].trim());
      for (const name of ["since", "until"]) if (values[name]) query.set(name, utc(values[name]));
      response = await GovSession.api("GET", "/v1/audit/entries?" + query);
      rows = response.ok && logRows(response.data);
    }
    if (answer("trace-result", response, () => `${rows.length} entries and events.`)) $("timeline").replaceChildren(...rows);
    else $("timeline").replaceChildren();
  });

  async function exported(format) {
    const response = await GovSession.api("GET", "/v1/audit/export?format=" + format);
    if (!response.ok) show("verdict", "bad", GovSession.problemText(response.problem));
    return response.ok ? response.text : null;
  }

  for (const format of ["json", "csv"]) {
    $("export-" + format).addEventListener("click", async () => {
      const text = await exported(format);
      if (text !== null) download("access-log." + format, format === "csv" ? "text/csv" : "application/json", text);
    });
  }

  $("verify-log").addEventListener("click", async () => {
    const text = await exported("json");
    if (text === null) return;
    const response = await GovSession.api("POST", "/v1/audit/verify", text, { contentType: "application/json" });
    if (!response.ok) return show("verdict", "bad", GovSession.problemText(response.problem));
    const verdict = response.data;
    if (verdict.ok) {
      show("verdict", "ok", `Intact: ${verdict.entries} entries, ${verdict.verified_entries} verified against ` +
        `${verdict.segments} anchored segments.` + verdict.notes.map((note) => "\n" + note).join(""));
    } else {
      show("verdict", "bad", `NOT intact: ${verdict.problem}` + (verdict.seq === null ? "" : ` (entry #${verdict.seq})`));
    }
  });
})();
