// The import page's progress bar, moved as the import reads the file; the page
// reloads once it is over to show the report (without script: the Refresh link).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (state.finished) { window.location.reload(); return; }
        bar.max = state.total || 1;
        bar.value = state.done;
        text.textContent = Math.round(100 * state.done / (state.total || 1)) + " %";
        window.setTimeout(poll, 500);
      });
  }
  window.setTimeout(poll, 300);
})();
