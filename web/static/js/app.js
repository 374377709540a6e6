// Behaviour that htmx does not give by itself; no inline scripts, so the CSP stays strict.
(function () {
  "use strict";

  // After a swap: focus the error summary if the server sent one, else the new content,
  // and tell screen readers what changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var summary = target.querySelector("[data-error-summary]");
    var focusable = summary || target.querySelector("[data-focus-after-swap]") || null;
    if (focusable) {
      if (!focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
      focusable.focus();
    }
    var live = document.getElementById("live");
    var message = (summary || target).getAttribute("data-announce");
    if (live && message) live.textContent = message;
  });

  // Busy state: the submitting button says so and cannot be pressed twice.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest("form");
    if (!form) return;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
    });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt.closest("form");
    if (!form) return;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.removeAttribute("aria-busy");
      button.disabled = false;
    });
  });

  // Upload progress for <progress data-upload-progress> inside the uploading form.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.detail.elt.closest("form");
    var bar = form && form.querySelector("progress[data-upload-progress]");
    if (bar && event.detail.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });
})();
