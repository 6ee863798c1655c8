// The open discussion, live: new messages appear and the messages sent change state
// (sent, delivered, failed...) without a reload. Without this file the page still
// shows everything; a reload brings the news.
"use strict";

(function () {
  const POLL_MS = 2500;
  const list = document.getElementById("bubbles");
  if (!list || !list.dataset.updates) {
    return; // an older page of the discussion: nothing new lands there
  }

  function shownIds() {
    return Array.from(list.querySelectorAll(".bubble"), (bubble) => Number(bubble.dataset.id));
  }

  function poll() {
    const ids = shownIds();
    const query = new URLSearchParams({
      after: String(ids.length ? Math.max(...ids) : 0),
      from: String(ids.length ? Math.min(...ids) : 0),
    });
    fetch(list.dataset.updates + "?" + query, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then(apply)
      .catch(() => {}) // the next poll tries again (daemon restart, network blip, logout)
      .finally(() => window.setTimeout(poll, POLL_MS));
  }

  function apply(update) {
    for (const state of update.states) {
      const bubble = document.getElementById("message-" + state.id);
      if (bubble) {
        showState(bubble, state);
      }
    }
    let lastInbound = 0;
    let added = null;
    for (const message of update.messages) {
      if (document.getElementById("message-" + message.id)) {
        continue;
      }
      added = makeBubble(message);
      list.appendChild(added);
      if (message.direction === "in") {
        lastInbound = message.id;
      }
    }
    if (added) {
      added.scrollIntoView({ block: "nearest" });
    }
    if (lastInbound) {
      markRead(lastInbound);
    }
  }

  // Text only through textContent: a message body is whatever a stranger typed.
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function makeBubble(message) {
    const bubble = element("li", "bubble bubble-" + message.direction);
    bubble.id = "message-" + message.id;
    bubble.dataset.id = String(message.id);
    bubble.appendChild(element("p", "body", message.body));
    const meta = element("p", "meta");
    const time = element("time", "", message.time);
    time.dateTime = message.datetime;
    meta.appendChild(time);
    if (message.direction === "out") {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("span", "status"));
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("span", "error"));
      bubble.appendChild(meta);
      showState(bubble, message);
    } else {
      bubble.appendChild(meta);
    }
    return bubble;
  }

  function showState(bubble, state) {
    const status = bubble.querySelector(".status");
    if (!status) {
      return;
    }
    status.className = "status status-" + state.status;
    status.textContent = state.status_name;
    bubble.querySelector(".error").textContent = state.error;
  }

  // Messages that arrived while the page was open are read once they are shown.
  function markRead(upTo) {
    fetch(list.dataset.read, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": list.dataset.csrf },
      body: new URLSearchParams({ up_to: String(upTo) }),
    }).catch(() => {});
  }

  window.setTimeout(poll, POLL_MS);
})();
