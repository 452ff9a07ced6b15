// Phone first (issue 20): on a narrow screen the stylesheet stacks each table row, and every
// cell shows its column's name from `data-label`. Templates may set data-label themselves;
// this fills in the rest from the table's own header, so every table reads on a phone.
// No build step, no inline script (the strict CSP allows only same-origin files).
(function () {
  function label(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var heads = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
      if (!heads) { return; }
      var names = Array.prototype.map.call(heads.cells, function (cell) {
        // The column's visible name: not what is said only to screen readers (", sort ascending").
        var copy = cell.cloneNode(true);
        copy.querySelectorAll(".visually-hidden").forEach(function (hidden) { hidden.remove(); });
        return copy.textContent.trim();
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            if (!cell.hasAttribute("data-label") && names[i]) {
              cell.setAttribute("data-label", names[i]);
            }
          });
        });
      });
      table.classList.add("labelled");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSwap", function (event) { label(event.target); });
})();
