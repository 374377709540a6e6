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
  function requestFailed(kind, said) {
    var box = document.getElementById("request-failed");
    if (!box) return;
    box.querySelector("[data-request-failed-text]").textContent = said || box.dataset[kind] || "";
    box.hidden = false;
    box.focus();
  }
  // The server's own words when it sent its error block (pages/error.html), as text only.
  function serverMessage(xhr) {
    var type = (xhr && xhr.getResponseHeader("content-type")) || "";
    if (type.indexOf("text/html") < 0 || !xhr.responseText) return "";
    var found = new DOMParser().parseFromString(xhr.responseText, "text/html")
      .querySelector("[data-request-error]");
    if (!found) return "";
    return ["[data-request-error-title]", "[data-request-error-text]"].map(function (s) {
      var el = found.querySelector(s);
      return el ? el.textContent.trim() : "";
    }).filter(Boolean).join(" ");
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    requestFailed(status === 413 ? "tooLarge" : status === 429 ? "busy" : "failed",
                  serverMessage(xhr));
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

  // A file is checked as soon as it is chosen, before anything is sent (the server checks
  // it again): a file that would be refused is cleared and named with the reason beside its
  // field, and a form holding one is not sent, so nothing is saved without its file.
  function checkFile(input) {
    var file = input.files && input.files[0];
    var box = input.closest(".form-group");
    var note = box && box.querySelector("[data-file-error]");
    var problem = "";
    if (file) {
      var accepted = (input.getAttribute("accept") || "").split(",").map(function (t) {
        return t.trim();
      }).filter(Boolean);
      if (file.size === 0) problem = input.dataset.empty;
      else if (file.size > parseInt(input.dataset.maxBytes, 10)) problem = input.dataset.tooLarge;
      else if (accepted.length && accepted.indexOf(file.type) < 0) problem = input.dataset.wrongType;
    }
    var serverError = box && box.querySelector(".error-message:not([data-file-error])");
    if (note) {
      note.querySelector("[data-file-error-text]").textContent = problem ? file.name + ": " + problem : "";
      note.hidden = !problem;
    }
    if (box) box.classList.toggle("form-group--error", !!problem || !!serverError);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && (!note || id !== note.id);
    });
    if (problem && note) described.push(note.id);
    input.setAttribute("aria-describedby", described.join(" "));
    if (problem) {
      input.setAttribute("aria-invalid", "true");
      input.dataset.refused = "1";
      input.value = "";  // never sent; the user chooses another file
    } else if (file) {
      delete input.dataset.refused;
      if (!serverError) input.removeAttribute("aria-invalid");
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-max-bytes]")) {
      checkFile(event.target);
    }
  });
  // Capture phase: before htmx sends the form (and for a plain form, before the browser
  // does). A form whose file was refused is not sent until another file is chosen.
  document.addEventListener("submit", function (event) {
    var refused = null;
    event.target.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      if (input.files && input.files[0]) checkFile(input);
      if (input.dataset.refused && !refused) refused = input;
    });
    if (refused) {
      event.preventDefault();
      event.stopImmediatePropagation();
      refused.focus();
    }
  }, true);

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
