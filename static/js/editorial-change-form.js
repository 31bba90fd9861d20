// Change-page helpers (the page works without them): a warning before leaving with unsaved
// changes, and error-summary links that open the collapsed section holding their field.
(function () {
  "use strict";
  var form = document.querySelector("#content-main form");
  if (!form) return;
  // A page that came back with errors or the edit guard's notice holds input not yet saved.
  var dirty = Boolean(document.querySelector(".errornote, .editorial-conflict"));
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  var summary = document.querySelector(".editorial-error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    if (target.focus) target.focus();
  });
})();
