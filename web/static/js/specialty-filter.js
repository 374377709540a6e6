// The classification form: the specialty list shows only the specialties open to the
// category chosen. Without JavaScript the whole list stays and the server says when a
// specialty does not belong to the category (server/resolvers/services/applying.py).
(function () {
  "use strict";

  function setUp() {
    var data = document.getElementById("specialty-categories");
    if (!data) return;
    var category = document.getElementById(data.dataset.category);
    var specialty = document.getElementById(data.dataset.specialty);
    if (!category || !specialty) return;
    var all = JSON.parse(data.textContent);
    var placeholder = specialty.querySelector('option[value=""]');

    function narrow() {
      var chosen = specialty.value;
      var wanted = category.value;
      while (specialty.options.length) specialty.remove(0);
      if (placeholder) specialty.add(placeholder);
      all.forEach(function (entry) {
        if (wanted && entry[2].indexOf(wanted) === -1) return;
        var option = new Option(entry[1], entry[0], false, entry[0] === chosen);
        specialty.add(option);
      });
      if (specialty.value !== chosen) specialty.value = "";
    }

    category.addEventListener("change", narrow);
    narrow();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
