/* The page frame's behaviour (issue 8). No inline scripts anywhere: a strict CSP comes later.

   Stacked tables: on a phone a list table becomes one card per row (app.css, .table-stack).
   Each cell gets its column's heading as data-label, shown before the value; a table opts out
   with .table-nostack. Without this script the tables keep their columns and scroll. */
(function () {
  "use strict";

  function headings(table) {
    var row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!row) return null;
    var labels = [];
    Array.prototype.forEach.call(row.cells, function (cell) {
      var span = cell.colSpan || 1;
      var text = cell.textContent.replace(/\s+/g, " ").trim();
      for (var i = 0; i < span; i++) labels.push(text);
    });
    return labels;
  }

  function stack(table) {
    var labels = headings(table);
    if (!labels) return;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && labels[column]) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("table-stack");
  }

  function stackAll(root) {
    var tables = root.querySelectorAll("main table.table:not(.table-nostack)");
    Array.prototype.forEach.call(tables, stack);
  }

  document.addEventListener("DOMContentLoaded", function () {
    stackAll(document);
  });
  // Tables that htmx swaps in (pickers, previews) are stacked too.
  document.addEventListener("htmx:afterSwap", function () {
    stackAll(document);
  });
})();
