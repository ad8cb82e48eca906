/* The signed-in session: a bearer token in sessionStorage (gone with the tab), sent by every
 * call to the JSON API as `Authorization: Bearer`. No cookies, so no cross-site request forgery
 * surface. Sign-in is the API's challenge and SM2 signature (GovKeyFile signs in the page).
 * Who signs in is a principal, today {department_code}; an officer signs in the same way. */
(function (root) {
  "use strict";
  const STORE = root.sessionStorage;

  function problemText(problem) {
    if (!problem) return "The server did not answer.";
    let text = problem.title || "Error";
    if (problem.detail) text += ": " + problem.detail;
    for (const error of problem.errors || []) {
      const where = (error.loc || []).filter((part) => part !== "body").join(".");
      text += "\n• " + (where ? where + ": " : "") + error.msg;
    }
    return text;
  }

  /** Calls the JSON API with `body` as JSON (or as it is, given its `contentType`);
   * resolves to {ok, status, data, problem, text}. */
  async function api(method, path, body, { contentType } = {}) {
    const headers = {};
    const token = STORE.getItem("govledger.token");
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
    const sent = body === undefined || contentType ? body : JSON.stringify(body);
    const response = await fetch(path, { method, headers, body: sent, credentials: "omit" });
    const text = await response.text();
    const json = (response.headers.get("content-type") || "").includes("json") && text ? JSON.parse(text) : null;
    return {
      ok: response.ok, status: response.status, text,
      data: response.ok ? json : null, problem: response.ok ? null : json || { title: response.statusText },
    };
  }

  async function signIn(principal, key) {
    const challenge = await api("POST", "/v1/auth/challenge", principal);
    if (!challenge.ok) throw new Error(problemText(challenge.problem));
    const signature = root.GovKeyFile.sign(key, challenge.data.message);
    const token = await api("POST", "/v1/auth/token", { challenge_id: challenge.data.challenge_id, signature });
    if (!token.ok) throw new Error(problemText(token.problem));
    STORE.setItem("govledger.token", token.data.access_token);
    STORE.setItem("govledger.principal", JSON.stringify(principal));
  }

  function principal() {
    return STORE.getItem("govledger.token") ? JSON.parse(STORE.getItem("govledger.principal")) : null;
  }

  function signOut() {
    STORE.removeItem("govledger.token");
    STORE.removeItem("govledger.principal");
  }

  /** On a page that needs sign-in: the principal, or off to the sign-in page and back. */
  function requireSignIn() {
    const who = principal();
    if (!who) root.location.assign("/signin?next=" + encodeURIComponent(root.location.pathname));
    return who;
  }

  root.GovSession = { api, signIn, signOut, principal, requireSignIn, problemText };
})(window);
