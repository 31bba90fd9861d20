// Reordering rows that have a position (`order`): drag a row by its handle, or use its
// "Move up" / "Move down" buttons (reachable by Tab; each move is announced). Both rewrite
// the rows' position inputs in the order shown; the rows are saved with the page, so
// nothing is saved until the editor saves. Without this script the positions stay
// editable by hand.
(function () {
  "use strict";
  var ORDER_INPUT = "input[name$='-order']";
  var ROW = "tr.form-row, div.inline-related";
  var status;

  function orderInput(row) {
    var input = row.querySelector(ORDER_INPUT);
    return input && input.closest(ROW) === row ? input : null;
  }

  function rowsOf(group) {
    return Array.prototype.filter.call(group.querySelectorAll(ROW), function (row) {
      return !row.classList.contains("empty-form") && row.closest(".inline-group") === group &&
        orderInput(row);
    });
  }

  // A table row's errors stand in the table row just above it: they move with it.
  function unitOf(row) {
    var before = row.previousElementSibling;
    return before && before.classList.contains("row-form-errors") ? [before, row] : [row];
  }

  function placeBefore(row, reference) {
    unitOf(row).forEach(function (node) { reference.parentNode.insertBefore(node, reference); });
  }

  function placeAfter(row, reference) {
    var next = reference.nextElementSibling;
    unitOf(row).forEach(function (node) { reference.parentNode.insertBefore(node, next); });
  }

  function isBlankNewRow(row) {
    var id = row.querySelector("input[name$='-id']");
    if (id && id.value) return false;
    var fields = row.querySelectorAll("input[type=text], input[type=number], textarea, select");
    return Array.prototype.every.call(fields, function (field) {
      return field === orderInput(row) || !field.value;
    });
  }

  function label(row) {
    var fields = row.querySelectorAll("textarea, input[type=text], select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      var text = field.tagName === "SELECT"
        ? (field.selectedOptions[0] ? field.selectedOptions[0].textContent : "")
        : field.value;
      text = (text || "").trim();
      if (text) return text.length > 60 ? text.slice(0, 57) + "…" : text;
    }
    return "New row";
  }

  // Positions follow the order shown: the numbers in use, handed out from the top.
  function renumber(group, moved) {
    var rows = rowsOf(group).filter(function (row) {
      return row === moved || orderInput(row).value !== "" || !isBlankNewRow(row);
    });
    var numbers = rows.map(function (row) { return parseInt(orderInput(row).value, 10); })
      .filter(function (n) { return !isNaN(n); })
      .sort(function (a, b) { return a - b; });
    var next = numbers.length ? numbers[numbers.length - 1] + 1 : 1;
    while (numbers.length < rows.length) numbers.push(next++);
    rows.forEach(function (row, index) {
      var input = orderInput(row);
      if (input.value !== String(numbers[index])) {
        input.value = String(numbers[index]);
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    return rows;
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function announceMove(group, row) {
    var rows = rowsOf(group);
    var heading = group.querySelector("h2");
    var where = heading ? heading.textContent.trim() + ": " : "";
    announce(where + "“" + label(row) + "” moved to place " + (rows.indexOf(row) + 1) +
      " of " + rows.length + ".");
  }

  function addControls(row) {
    var input = orderInput(row);
    if (!input || row.querySelector(".ordered-row-controls")) return;
    var controls = document.createElement("div");
    controls.className = "ordered-row-controls";
    var handle = document.createElement("span");
    handle.className = "ordered-row-handle";
    handle.setAttribute("aria-hidden", "true");
    handle.title = "Drag to move this row";
    handle.textContent = "⠿";
    controls.appendChild(handle);
    [["-1", "Move up", "↑"], ["1", "Move down", "↓"]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ordered-row-move";
      button.setAttribute("data-move", spec[0]);
      button.setAttribute("aria-label", spec[1]);
      button.title = spec[1];
      button.textContent = spec[2];
      controls.appendChild(button);
    });
    input.insertAdjacentElement("afterend", controls);
  }

  function move(button) {
    var row = button.closest(ROW);
    var group = row.closest(".inline-group");
    var rows = rowsOf(group);
    var index = rows.indexOf(row);
    var step = parseInt(button.getAttribute("data-move"), 10);
    var target = rows[index + step];
    if (!target) {
      // A long table comes in pages (occupations/admin_paging.py): the form holds one page.
      var pager = group.previousElementSibling;
      var paged = pager && pager.classList.contains("rows-pager");
      announce("“" + label(row) + "” is already " + (step < 0 ? "first" : "last") +
        (paged ? " on this page. To move it to another page, type the position it should " +
          "take and save." : "."));
      return;
    }
    if (step < 0) placeBefore(row, unitOf(target)[0]);
    else placeAfter(row, target);
    renumber(group, row);
    button.focus();
    announceMove(group, row);
  }

  var dragging = null;

  function startDrag(event) {
    var handle = event.target.closest(".ordered-row-handle");
    if (!handle || event.button !== 0) return;
    var row = handle.closest(ROW);
    if (!row || row.classList.contains("empty-form")) return;
    event.preventDefault();
    dragging = { row: row, group: row.closest(".inline-group"), handle: handle };
    row.classList.add("ordered-row-dragging");
    handle.setPointerCapture(event.pointerId);
  }

  function drag(event) {
    if (!dragging) return;
    var row = dragging.row;
    var others = rowsOf(dragging.group).filter(function (other) { return other !== row; });
    var below = null;
    for (var i = 0; i < others.length; i++) {
      var box = others[i].getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) { below = others[i]; break; }
    }
    if (below) {
      if (row.nextElementSibling !== unitOf(below)[0]) placeBefore(row, unitOf(below)[0]);
    } else if (others.length) {
      var last = others[others.length - 1];
      if (last.nextElementSibling !== unitOf(row)[0]) placeAfter(row, last);
    }
  }

  function endDrag() {
    if (!dragging) return;
    var row = dragging.row;
    row.classList.remove("ordered-row-dragging");
    var before = rowsOf(dragging.group).map(function (r) { return orderInput(r).value; }).join();
    renumber(dragging.group, row);
    var after = rowsOf(dragging.group).map(function (r) { return orderInput(r).value; }).join();
    if (before !== after) announceMove(dragging.group, row);
    dragging = null;
  }

  var form = document.querySelector("#content-main form");
  if (!form) return;
  status = document.createElement("p");
  status.className = "ordered-rows-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  form.appendChild(status);
  // The hidden template row gets controls too, so rows added later are cloned with them.
  Array.prototype.forEach.call(form.querySelectorAll(".inline-group " + ORDER_INPUT), function (input) {
    addControls(input.closest(ROW));
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest(".ordered-row-move");
    if (button) move(button);
  });
  form.addEventListener("pointerdown", startDrag);
  form.addEventListener("pointermove", drag);
  form.addEventListener("pointerup", endDrag);
  form.addEventListener("pointercancel", endDrag);
})();
