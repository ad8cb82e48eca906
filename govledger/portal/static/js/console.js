/* The department console: every action is a call to the JSON API with the session's token; the
 * services validate, and their problems are shown as they come. Text goes in as text, never HTML. */
(function () {
  "use strict";
  const who = GovPage.signedIn();
  if (!who) return;
  const me = who.department_code;
  const $ = (id) => document.getElementById(id);
  const { el, show, answer } = GovPage;

  // -- issuing ---------------------------------------------------------------------------------
  const issue = $("issue-form");
  function chooseType() {
    const option = issue.elements.type.selectedOptions[0];
    issue.elements.type_code.value = option.value;
    issue.elements.licence_name.value = option.dataset.name;
    const fields = option.dataset.surface ? option.dataset.surface.split("|") : [];
    $("surface-fields").replaceChildren(el("legend", {}, "Fields of this licence type"),
      ...fields.map((name) => el("label", {}, name, el("input", { "data-surface": name }))));
  }
  issue.elements.type.addEventListener("change", chooseType);
  chooseType();

  issue.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const name of ["type_code", "licence_name", "licence_number", "issue_date", "valid_from",
      "valid_to", "holder_name", "holder_id_type", "holder_id_number"]) {
      if (issue.elements[name].value) body[name] = issue.elements[name].value.trim();
    }
    body.surface = {};
    issue.querySelectorAll("[data-surface]").forEach((input) => {
      if (input.value) body.surface[input.dataset.surface] = input.value;
    });
    const response = await GovSession.api("POST", "/v1/licences", body);
    if (response.ok) await loadLicences();
    answer("issue-result", response, (licence) =>
      `Issued ${licence.licence_id} (${licence.status}). Holder token: ${licence.holder_token}`);
  });

  // -- licences and their status -------------------------------------------------------------
  async function loadLicences() {
    const listed = await GovSession.api("GET", "/v1/licences?limit=1");
    if (!listed.ok) return show("status-result", "bad", GovSession.problemText(listed.problem));
    const offset = Math.max(0, listed.data.count - 20);
    const ids = (await GovSession.api("GET", "/v1/licences?limit=20&offset=" + offset)).data.data.reverse();
    const licences = await Promise.all(ids.map((id) => GovSession.api("GET", "/v1/licences/" + id)));
    $("licences").replaceChildren(...licences.filter((r) => r.ok).map(({ data }) => el("tr", { "data-licence": data.licence_id },
      el("td", {}, data.licence_id), el("td", {}, (data.document.fields.holder_name || [])[1] || ""), // [salt, value]
      el("td", { class: "status" }, data.status), el("td", {}, data.anchor.state))));
    $("status-form").elements.licence_id.replaceChildren(...ids.map((id) => el("option", {}, id)));
    await loadActivity(ids.slice(0, 5));
  }

  $("status-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target.elements;
    const response = await GovSession.api("POST", `/v1/licences/${form.licence_id.value}/${form.action.value}`,
      { reason_code: Number(form.reason_code.value), reason: form.reason.value });
    if (response.ok) await loadLicences();
    answer("status-result", response, (licence) => `${licence.licence_id} is now ${licence.status}.`);
  });

  // -- data requests ---------------------------------------------------------------------------
  function answerForm(request) {
    if (request.provider !== me) return el("td", {}, "");
    const cell = el("td", {});
    if (request.status === "pending") {
      const approve = el("form", { class: "approve" },
        ...request.requested_fields.map((field) =>
          el("label", {}, el("input", { type: "checkbox", name: "field", value: field, checked: "" }), " " + field)),
        el("label", {}, "Max uses ", el("input", { name: "max_uses", type: "number", min: "1", value: String(request.max_uses) })),
        el("label", {}, "Until ", el("input", { name: "expires_at", type: "datetime-local" })),
        el("button", { type: "submit" }, "Approve"));
      approve.addEventListener("submit", (event) => {
        event.preventDefault();
        const fields = [...approve.querySelectorAll("[name=field]:checked")].map((box) => box.value);
        const body = { fields, max_uses: Number(approve.elements.max_uses.value) };
        if (approve.elements.expires_at.value) body.expires_at = new Date(approve.elements.expires_at.value).toISOString();
        decide(request.grant_id, "requests", "approve", body);
      });
      cell.append(approve, refusal(request.grant_id, "requests", "reject", "Reject"));
    } else if (request.status === "granted") {
      cell.append(refusal(request.grant_id, "grants", "revoke", "Revoke grant"));
    }
    return cell;
  }

  function refusal(grantId, collection, verb, label) {
    const form = el("form", { class: verb },
      el("input", { name: "reason", placeholder: "Reason", required: "" }),
      el("button", { type: "submit" }, label));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      decide(grantId, collection, verb, { reason: form.elements.reason.value });
    });
    return form;
  }

  async function decide(grantId, collection, verb, body) {
    const response = await GovSession.api("POST", `/v1/${collection}/${grantId}/${verb}`, body);
    // The table is rebuilt before the result shows, so what follows acts on the new rows.
    if (response.ok) await loadRequests();
    answer("request-result", response, (request) => `Grant ${request.grant_id} is now ${request.status}.`);
  }

  async function loadRequests() {
    const response = await GovSession.api("GET", "/v1/requests");
    if (!response.ok) return show("request-result", "bad", GovSession.problemText(response.problem));
    $("requests").replaceChildren(...response.data.data.reverse().map((request) => el("tr", { "data-grant": String(request.grant_id) },
      el("td", {}, String(request.grant_id)), el("td", {}, request.dataset_id), el("td", {}, request.requester),
      el("td", {}, request.requested_fields.join(", ")), el("td", {}, request.purpose),
      el("td", { class: "status" }, request.status + (request.overdue ? " (overdue)" : "")),
      answerForm(request))));
  }

  // -- recent activity: the newest licences' histories -----------------------------------------
  async function loadActivity(ids) {
    const histories = await Promise.all(ids.map(async (id) => {
      const response = await GovSession.api("GET", `/v1/licences/${id}/history`);
      return response.ok ? response.data.data.map((entry) => ({ id, ...entry })) : [];
    }));
    const entries = histories.flat().filter((entry) => entry.at).sort((a, b) => b.at.localeCompare(a.at));
    $("activity").replaceChildren(...entries.slice(0, 15).map((entry) => el("li", {},
      `${entry.at} ${entry.action} ${entry.id} → ${entry.status}` + (entry.reason ? ` (${entry.reason})` : ""))));
  }

  loadLicences();
  loadRequests();
})();
