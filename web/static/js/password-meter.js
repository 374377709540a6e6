// The strength meter of password forms: as the user types, the server's own password check
// (zxcvbn, the common list, the person's names) says how strong it is and why not. It only
// informs: nothing here disables the form or stops a submit.
(function () {
  "use strict";

  var timers = new WeakMap();

  function meterFor(input) {
    return input.id && document.querySelector('[data-password-meter="' + input.id + '"]');
  }

  function check(input, meter) {
    var form = input.form;
    var body = new FormData();
    body.append("password", input.value);
    ["firstName", "familyName", "email", "csrf_token"].forEach(function (name) {
      var field = form && form.elements.namedItem(name);
      if (field && field.value) body.append(name, field.value);
    });
    var token = form && form.elements.namedItem("csrf_token");
    fetch("/password/strength", {
      method: "POST", body: body, credentials: "same-origin",
      headers: token ? { "X-CSRF-Token": token.value } : {},
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (verdict) {
      if (!verdict || input.value === "") return;
      meter.hidden = false;
      meter.dataset.score = verdict.score;
      meter.dataset.ok = verdict.ok ? "true" : "false";
      meter.querySelector("meter").value = verdict.score;
      meter.querySelector("[data-password-meter-text]").textContent =
        verdict.message ? verdict.label + ". " + verdict.message : verdict.label + ".";
    }).catch(function () { /* the form's own check still answers on submit */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "password") return;
    var meter = meterFor(input);
    if (!meter) return;
    clearTimeout(timers.get(input));
    if (input.value === "") {
      meter.hidden = true;
      return;
    }
    timers.set(input, setTimeout(function () { check(input, meter); }, 250));
  });
})();
