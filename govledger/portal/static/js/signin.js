/* The sign-in page: read the key file in the page, sign the challenge, keep the token. */
(function () {
  "use strict";
  const form = document.getElementById("signin-form");
  const result = document.getElementById("signin-result");

  function show(kind, text) {
    result.className = "result " + kind;
    result.textContent = text;
    result.hidden = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.keyfile.files[0];
    if (!file) return show("bad", "Choose your key file.");
    let key;
    try {
      key = await GovKeyFile.readPrivateKey(await file.text(), form.elements.passphrase.value);
    } catch (error) {
      return show("bad", error.message);
    }
    try {
      await GovSession.signIn({ department_code: form.elements.department_code.value.trim() }, key);
    } catch (error) {
      return show("bad", "Sign-in refused. " + error.message);
    }
    show("ok", "Signed in as " + form.elements.department_code.value.trim() + ".");
    const next = new URLSearchParams(location.search).get("next");
    if (next && next.startsWith("/") && !next.startsWith("//")) location.assign(next);
  });
})();
