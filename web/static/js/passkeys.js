// Passkeys (WebAuthn). The forms marked data-passkey-register and data-passkey-signin are
// hidden in the page and shown here only where the browser can make and use passkeys.
// On submit: ask the form's options URL for the WebAuthn options (the server keeps the
// challenge), let the browser make or use the passkey, put its answer in the form's hidden
// `credential` field and submit the form as a plain POST (server/pages/accounts/passkeys.py).
(function () {
  "use strict";
  var PKC = window.PublicKeyCredential;
  // An IP address cannot be a relying party (a development server on 127.0.0.1: use
  // BASE_URL=http://localhost:8000 there to try passkeys).
  var address = /^[\d.]+$|^\[/.test(location.hostname);
  if (!window.isSecureContext || address || !PKC || !PKC.parseCreationOptionsFromJSON ||
      !PKC.parseRequestOptionsFromJSON || !navigator.credentials) return;

  function setBusy(form, busy) {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = busy;
      if (busy) button.setAttribute("aria-busy", "true");
      else button.removeAttribute("aria-busy");
    });
  }

  // The server's own words (already in the page's language) when it refused; the form's
  // text (data-failed) when the browser or the person stopped it.
  function showError(form, message) {
    var box = form.querySelector("[data-passkey-error]");
    box.textContent = message || form.dataset.failed || "";
    box.hidden = false;
    box.focus();
  }

  function fetchOptions(form) {
    var token = form.elements.csrf_token.value;
    var body = new FormData();
    body.append("csrf_token", token);
    return fetch(form.dataset.optionsUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data.options) {
          var refused = new Error((data.errors || []).join(" "));
          refused.fromServer = true;
          throw refused;
        }
        return data;
      });
    });
  }

  var ceremonies = {
    passkeyRegister: function (options) {
      return navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(options) });
    },
    passkeySignin: function (options) {
      return navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(options) });
    }
  };

  function wire(form, ceremony) {
    if (form.dataset.passkeyWired) return;
    form.dataset.passkeyWired = "1";
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      form.querySelector("[data-passkey-error]").hidden = true;
      setBusy(form, true);
      fetchOptions(form).then(function (data) {
        return ceremony(data.options).then(function (credential) {
          form.elements.challengeId.value = data.challengeId;
          form.elements.credential.value = JSON.stringify(credential.toJSON());
          form.submit();
        });
      }).catch(function (error) {
        setBusy(form, false);
        showError(form, error && error.fromServer ? error.message : "");
      });
    });
  }

  function wireAll(root) {
    Object.keys(ceremonies).forEach(function (key) {
      var attribute = "data-" + key.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); });
      root.querySelectorAll("[" + attribute + "]").forEach(function (form) {
        wire(form, ceremonies[key]);
      });
    });
  }

  wireAll(document);
  // htmx swaps a section in anew (after removing a passkey): wire its form again.
  document.addEventListener("htmx:load", function (event) { wireAll(event.target.parentNode || document); });
})();
