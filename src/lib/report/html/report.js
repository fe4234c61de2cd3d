/* The HTML report's interaction: sortable tables, filters, and a service's flows. It reads the
 * page's own cells and attributes and writes no markup: rows are only moved and hidden, so
 * nothing from the capture is ever parsed as HTML here. */
"use strict";
(function () {
  var each = function (list, action) { Array.prototype.forEach.call(list, action); };

  /* The value a cell sorts by: its data-value when it has one (raw numbers, RFC 3339 times). */
  function sortValue(row, column) {
    var cell = row.cells[column];
    if (!cell) return "";
    var value = cell.getAttribute("data-value");
    return value !== null ? value : cell.textContent.trim().toLowerCase();
  }

  function makeSortable(table) {
    var headers = table.tHead.rows[0].cells;
    each(headers, function (header, column) {
      var button = header.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        each(headers, function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = header.hasAttribute("data-numeric");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (first, second) {
          var a = sortValue(first, column), b = sortValue(second, column);
          var order = numeric ? Number(a) - Number(b) : (a < b ? -1 : a > b ? 1 : 0);
          /* Ties keep the report's own order, whichever way the column goes. */
          if (order === 0) return Number(first.dataset.order) - Number(second.dataset.order);
          return ascending ? order : -order;
        });
        var fragment = document.createDocumentFragment();
        rows.forEach(function (row) { fragment.appendChild(row); });
        body.appendChild(fragment);
      });
    });
  }

  /* Whether a row passes one control: selects name a data attribute of the rows, an option may
   * stand for several values (data-any-of, as "any non-standard" does for the severities), the
   * text box searches the row's text, and a checkbox asks for rows whose attribute is "true". */
  function passes(row, control) {
    var key = control.dataset.filter;
    if (control.type === "checkbox") return !control.checked || row.dataset[key] === "true";
    var wanted = control.value;
    if (wanted === "") return true;
    if (key === "text") return row.textContent.toLowerCase().indexOf(wanted.toLowerCase()) >= 0;
    var value = row.dataset[key] || "";
    var option = control.tagName === "SELECT" ? control.selectedOptions[0] : null;
    if (option && option.dataset.anyOf !== undefined)
      return option.dataset.anyOf.split(" ").indexOf(value) >= 0;
    return value === wanted;
  }

  function applyFilters(controls) {
    var table = document.getElementById(controls.dataset.table);
    var inputs = controls.querySelectorAll("[data-filter]");
    var shown = 0, rows = table.tBodies[0].rows;
    each(rows, function (row) {
      var visible = true;
      each(inputs, function (input) { visible = visible && passes(row, input); });
      row.hidden = !visible;
      if (visible) shown++;
    });
    var count = controls.querySelector("output");
    if (count) count.value = "showing " + shown + " of " + rows.length + " rows";
  }

  each(document.querySelectorAll("table.sortable"), makeSortable);
  each(document.querySelectorAll(".controls[data-table]"), function (controls) {
    var update = function () { applyFilters(controls); };
    each(controls.querySelectorAll("[data-filter]"), function (input) {
      input.addEventListener(input.tagName === "INPUT" && input.type !== "checkbox" ? "input" : "change", update);
    });
    var reset = controls.querySelector("button.reset");
    if (reset) reset.addEventListener("click", function () {
      each(controls.querySelectorAll("[data-filter]"), function (input) {
        if (input.type === "checkbox") input.checked = false; else input.value = "";
      });
      update();
    });
    /* Nothing is filtered yet: only the count is written, so opening a long page costs no
     * walk over its rows. */
    var count = controls.querySelector("output");
    var rows = document.getElementById(controls.dataset.table).tBodies[0].rows.length;
    if (count) count.value = "showing " + rows + " of " + rows + " rows";
  });

  /* A service's "flows" button narrows the flow table to that service's flows. */
  var flowControls = document.querySelector(".controls[data-table='flows-table']");
  var serviceFilter = flowControls && flowControls.querySelector("[data-filter='service']");
  each(document.querySelectorAll("button.show-flows"), function (button) {
    button.addEventListener("click", function () {
      if (!serviceFilter) return;
      serviceFilter.value = button.dataset.service;
      applyFilters(flowControls);
      document.getElementById("flows").scrollIntoView();
    });
  });
  document.documentElement.dataset.ready = "true";
})();
