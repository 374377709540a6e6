// Keyboard shortcuts on a reviewer's application page (documented on the page itself).
// Plain letter keys only, never with Ctrl, Alt or Meta (screen readers use those), and
// only when focus is not in a text field, a select or an editable region: typing a reason
// never triggers one. No accesskey attributes, so no clash with browser or AT keys.
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function choose(value, then) {
    var radio = document.querySelector('#decision input[name="decision"][value="' + value + '"]');
    if (!radio) return false;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    var focusable = then ? document.getElementById(then) : radio;
    (focusable || radio).focus();
    return true;
  }

  function showDocument(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("a[data-document-view]"));
    var viewer = document.querySelector("iframe.document-viewer");
    if (!links.length || !viewer) return false;
    var current = links.findIndex(function (a) { return viewer.src.indexOf(a.getAttribute("href")) !== -1; });
    var next = links[(current + step + links.length) % links.length];
    viewer.src = next.getAttribute("href");
    next.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    if (typing(event.target)) return;
    var handled = false;
    switch (event.key) {
      case "a": handled = choose("APPROVE"); break;
      case "r": handled = choose("REJECT", "field-reason"); break;
      case "c": handled = choose("RETURN", "field-reason"); break;
      case "d": {
        var form = document.getElementById("decision");
        if (form) {
          form.scrollIntoView({ block: "start" });
          var first = form.querySelector("input, select, textarea, button");
          if (first) first.focus();
          handled = true;
        }
        break;
      }
      case "j": handled = showDocument(1); break;
      case "k": handled = showDocument(-1); break;
    }
    if (handled) event.preventDefault();
  });
})();

// The prepared-reason picker: choosing one writes its text into the reason (still editable).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-canned-target]")) return;
    var option = select.options[select.selectedIndex];
    var target = document.getElementById(select.getAttribute("data-canned-target"));
    if (!target || !option || !option.getAttribute("data-text")) return;
    target.value = option.getAttribute("data-text");
    target.focus();
  });
})();
