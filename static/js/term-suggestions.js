// Progressive enhancement for the index's term fields (skill, qualification, ...): as the
// visitor types, offer matching names from /suggest/<kind>/ in a native <datalist>, which
// browsers expose as an accessible combobox. Without this script the field still takes a
// name or an address typed in full.
(function () {
  "use strict";
  var DELAY_MS = 150;
  var MIN_LENGTH = 2;

  function enhance(input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.after(list);
    input.setAttribute("list", list.id);
    var timer = null;
    var lastAsked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (text.length < MIN_LENGTH || text === lastAsked) return;
        lastAsked = text;
        var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(text);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren.apply(list, data.results.map(function (term) {
              var option = document.createElement("option");
              option.value = term.name;
              return option;
            }));
          })
          .catch(function () { /* suggestions are optional: typing in full still works */ });
      }, DELAY_MS);
    });
  }

  document.querySelectorAll("input[data-suggest-url]").forEach(enhance);
})();
