// A campaign's page: its counts follow the daemon's progress. Without this file the
// page shows the counts of when it was loaded, and "Refresh" loads them again.
"use strict";

(function () {
  const POLL_MS = 2000;
  const table = document.getElementById("campaign-counts");
  if (!table) {
    return;
  }

  function poll() {
    fetch(table.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((shown) => {
        for (const [status, count] of Object.entries(shown.counts)) {
          const cell = table.querySelector('tr[data-status="' + status + '"] .count');
          if (cell) {
            cell.textContent = String(count);
          }
        }
        if (!shown.finished) {
          window.setTimeout(poll, POLL_MS);
        }
      })
      .catch(() => window.setTimeout(poll, POLL_MS * 5));
  }

  window.setTimeout(poll, POLL_MS);
})();
