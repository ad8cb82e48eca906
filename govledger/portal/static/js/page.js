/* What the signed-in pages share: building elements (text always as text, never HTML),
 * showing a result, and the "signed in as" line with its sign-out button. */
(function (root) {
  "use strict";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
    children.forEach((child) => node.append(child));
    return node;
  }

  function show(id, kind, text) {
    const node = document.getElementById(id);
    node.className = "result " + kind;
    node.textContent = text;
    node.hidden = false;
  }

  /** Shows the API's answer in the result element `id`: `success(data)` or the problem. */
  function answer(id, response, success) {
    if (response.ok) show(id, "ok", success(response.data));
    else show(id, "bad", root.GovSession.problemText(response.problem));
    return response.ok;
  }

  /** The signed-in principal (or off to sign in), named in #who with a sign-out button. */
  function signedIn() {
    const who = root.GovSession.requireSignIn();
    if (!who) return null;
    const signOut = el("button", { type: "button" }, "Sign out");
    signOut.addEventListener("click", () => {
      root.GovSession.signOut();
      location.assign("/signin?next=" + encodeURIComponent(location.pathname));
    });
    document.getElementById("who").replaceChildren("Signed in as department " + who.department_code + " ", signOut);
    return who;
  }

  /** Offers `text` as a file download named `name`. */
  function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = el("a", { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  root.GovPage = { el, show, answer, signedIn, download };
})(window);
