// Behaviour that htmx does not give by itself; no inline scripts, so the CSP stays strict.
(function () {
  "use strict";

  // After a swap: focus the error summary if the server sent one, else the new content,
  // and tell screen readers what changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    // The event fires on each element swapped in (with outerHTML, detail.target is the
    // element that was replaced, no longer in the page).
    var target = event.target;
    if (!target || !target.querySelector) return;
    var find = function (selector) {
      return target.matches(selector) ? target : target.querySelector(selector);
    };
    var summary = find("[data-error-summary]");
    var focusable = summary || find("[data-focus-after-swap]") || null;
    if (focusable) {
      if (!focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
      focusable.focus();
    }
    // Screen readers hear what came in: the new content's own words (a success banner),
    // unless an error summary took the focus, which they read by itself.
    var live = document.getElementById("live");
    var message = (summary || target).getAttribute("data-announce");
    if (!message && focusable && !summary) {
      message = focusable.textContent.replace(/\s+/g, " ").trim();
    }
    if (live && message) live.textContent = message;
  });

  // A failed request is never silent: htmx swaps nothing for a 4xx/5xx (422 aside) or a
  // lost connection, so say what happened in the page's language (texts in the layout).
  function requestFailed(kind) {
    var box = document.getElementById("request-failed");
    if (!box) return;
    box.querySelector("[data-request-failed-text]").textContent = box.dataset[kind] || "";
    box.hidden = false;
    box.focus();
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    requestFailed(status === 413 ? "tooLarge" : status === 429 ? "busy" : "failed");
  });
  document.addEventListener("htmx:sendError", function () { requestFailed("offline"); });

  // Busy state: the submitting button says so and cannot be pressed twice.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var failed = document.getElementById("request-failed");
    if (failed) failed.hidden = true;
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

  // A visible countdown ("You can ask for a new code in 42 seconds"), from data attributes
  // the server fills in the page's language; "{s}" stands for the seconds.
  function startCountdowns(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (el) {
      if (el.dataset.countdownStarted) return;
      el.dataset.countdownStarted = "1";
      var left = parseInt(el.dataset.countdown, 10) || 0;
      var tick = function () {
        if (left <= 0) {
          el.textContent = el.dataset.countdownDone || "";
          return;
        }
        el.textContent = (el.dataset.countdownText || "").replace("{s}", String(left));
        left -= 1;
        window.setTimeout(tick, 1000);
      };
      tick();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { startCountdowns(document); });
  document.addEventListener("htmx:load", function (event) { startCountdowns(event.detail.elt); });

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
