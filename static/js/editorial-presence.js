// Keeps the "also open by" notice of a change page current: a heartbeat every few seconds
// stamps this editor and reads who else has the record open. The page works without it.
(function () {
  "use strict";
  var notice = document.querySelector(".editorial-presence");
  if (!notice || !window.fetch) return;
  var url = notice.dataset.presenceUrl;
  var seconds = parseInt(notice.dataset.heartbeatSeconds, 10) || 30;
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  function beat() {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var others = data.others || [];
        notice.classList.toggle("editorial-presence-empty", others.length === 0);
        // Someone who may only view the record saves nothing, so nothing of theirs is at stake.
        var stake = "canSave" in notice.dataset
          ? " If they save first, you will see what they changed before anything of yours is saved."
          : "";
        notice.textContent = others.length ? "Also open by " + others.join(", ") + "." + stake : "";
      })
      .catch(function () {});
  }
  window.setInterval(beat, seconds * 1000);
})();
