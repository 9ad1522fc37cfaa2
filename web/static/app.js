// A little JavaScript where it helps; every page works without it.
(function () {
  "use strict";
  function addRow(table) {
    var body = table.tBodies[0];
    var last = body.rows[body.rows.length - 1];
    var n = body.rows.length;
    var row = last.cloneNode(true);
    row.setAttribute("data-row", String(n));
    row.querySelectorAll("[name]").forEach(function (el) {
      el.name = el.name.replace(/^rows-\d+-/, "rows-" + n + "-");
      if (el.type === "checkbox") { el.checked = false; }
      else if (el.tagName === "SELECT") { el.selectedIndex = el.name.endsWith("-category") ? el.options.length - 1 : 1; }
      else if (el.name.endsWith("-group_size")) { el.value = "1"; }
      else { el.value = ""; }
    });
    row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    var num = row.querySelector(".n");
    if (num) { num.textContent = String(n + 1); }
    body.appendChild(row);
    var first = row.querySelector("textarea, input");
    if (first) { first.focus(); }
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t.matches("[data-add-row]")) {
      ev.preventDefault();
      addRow(document.querySelector(t.getAttribute("data-add-row")));
    } else if (t.matches("[data-print]")) {
      window.print();
    } else if (t.matches("[data-check-all]")) {
      var name = t.getAttribute("data-check-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) { c.checked = t.checked; });
    }
  });
})();
