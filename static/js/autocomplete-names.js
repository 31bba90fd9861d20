// Select2 (the admin's autocomplete) names its combobox by the selected value alone, so an
// empty one has no accessible name: give it the name of the select it stands for.
(function () {
  "use strict";
  function name(select) {
    if (select.getAttribute("aria-label")) return select.getAttribute("aria-label");
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }
  // The combobox is named by the select's name, then the selected value (the accessible
  // name follows aria-labelledby, even to an empty element, before aria-label).
  function label(root) {
    var selects = root.querySelectorAll("select.admin-autocomplete");
    Array.prototype.forEach.call(selects, function (select) {
      var container = select.nextElementSibling;
      var box = container && container.querySelector(".select2-selection[role=combobox]");
      var shown = container && container.querySelector(".select2-selection__rendered");
      var text = name(select);
      if (!box || !shown || !text || !select.id) return;
      var nameId = select.id + "-accessible-name";
      if (!document.getElementById(nameId)) {
        var span = document.createElement("span");
        span.id = nameId;
        span.hidden = true;
        span.textContent = text;
        select.parentElement.appendChild(span);
      }
      box.setAttribute("aria-labelledby", nameId + " " + shown.id);
      shown.setAttribute("aria-labelledby", nameId);
    });
  }
  // Django starts Select2 in a jQuery ready handler (and again for each row added); this
  // handler is registered after it, so it runs after it.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(function () { label(document); });
  }
  document.addEventListener("formset:added", function (event) { label(event.target); });
})();
