// The send form's live parts. Without this file the form works the same: the counter
// shows the server's figures after each submit, and several numbers go in one field
// separated by commas.
//
// - The counter under a text (a textarea with data-length-url) asks the server, as
//   the text is typed, how the daemon will send it: alphabet, characters, SMS. The
//   server measures with python-gammu (smsbox/sms_length.py), so the two never differ.
// - The numbers (#numbers): a "+" button adds a field; a list pasted with line breaks
//   is kept as a comma-separated one (a one-line field would drop the breaks).
//
// Hook for the contacts' type-ahead: a script loaded after this one calls
//   window.smsbox.onNumberField(function (input, suggestUrl) { ... })
// and is called for every number field, those already there and those "+" adds;
// suggestUrl is #numbers' data-suggest-url (empty until the contacts exist).
"use strict";

(function () {
  const DEBOUNCE_MS = 250;
  const numberHooks = [];
  window.smsbox = window.smsbox || {};
  window.smsbox.onNumberField = function (hook) {
    numberHooks.push(hook);
    document.querySelectorAll("#numbers input[name=number]").forEach((input) => {
      hook(input, numbersBox().dataset.suggestUrl);
    });
  };

  function numbersBox() {
    return document.getElementById("numbers");
  }

  // -- the counter ------------------------------------------------------------------

  function watchLength(textarea) {
    const counter = document.getElementById(textarea.id + "-counter");
    let timer = null;
    let asked = 0; // the newest question: older answers arriving late are dropped

    function ask() {
      const question = ++asked;
      fetch(textarea.dataset.lengthUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": textarea.dataset.csrf, Accept: "application/json" },
        body: new URLSearchParams({ text: textarea.value }),
      })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((length) => {
          if (question !== asked) {
            return;
          }
          counter.textContent = length.text;
          counter.dataset.alphabet = length.alphabet;
          counter.dataset.parts = String(length.parts);
          counter.classList.toggle("too-long", length.too_long);
        })
        .catch(() => {}); // the next keystroke asks again
    }

    textarea.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DEBOUNCE_MS);
    });
    // The server counted the text it wrote in the page; one typed before this script
    // ran, or put back by the browser on going back, has not been counted yet.
    if (textarea.value !== textarea.defaultValue) {
      ask();
    }
  }

  // -- several numbers ----------------------------------------------------------------

  function setUpNumbers(box) {
    const add = document.createElement("button");
    add.type = "button";
    add.className = "add-number";
    add.textContent = "+";
    add.setAttribute("aria-label", box.dataset.addLabel);
    add.title = box.dataset.addLabel;
    const inputs = box.querySelectorAll("input[name=number]");
    inputs[inputs.length - 1].after(add);
    inputs.forEach(prepare);
    add.addEventListener("click", () => {
      const count = box.querySelectorAll("input[name=number]").length + 1;
      const input = document.createElement("input");
      input.type = "tel";
      input.name = "number";
      input.id = "number-" + count;
      input.autocomplete = "off";
      input.inputMode = "tel";
      input.setAttribute("aria-describedby", "numbers-hint");
      const label = document.createElement("label");
      label.htmlFor = input.id;
      label.className = "visually-hidden";
      label.textContent = box.dataset.label.replace("{n}", String(count));
      add.before(label, input);
      prepare(input);
      input.focus();
    });
  }

  function prepare(input) {
    input.addEventListener("paste", (event) => {
      const pasted = event.clipboardData && event.clipboardData.getData("text");
      if (!pasted || !/[\r\n]/.test(pasted)) {
        return;
      }
      event.preventDefault();
      const joined = pasted
        .split(/[\r\n]+/)
        .map((line) => line.trim())
        .filter(Boolean)
        .join(", ");
      input.setRangeText(joined, input.selectionStart, input.selectionEnd, "end");
    });
    for (const hook of numberHooks) {
      hook(input, numbersBox().dataset.suggestUrl);
    }
  }

  document.querySelectorAll("textarea[data-length-url]").forEach(watchLength);
  const box = numbersBox();
  if (box) {
    setUpNumbers(box);
  }
})();
