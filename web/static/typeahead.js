// The send form's type-ahead: two letters typed in a number field offer the contacts
// (name and number) and groups that match. Choosing a contact puts its number in the
// field; choosing a group ticks it among the form's groups. Without this file the
// fields take numbers and the groups are ticked by hand.
"use strict";

(function () {
  const DEBOUNCE_MS = 200;
  const MIN_LETTERS = 2;
  let count = 0;

  function attach(input, suggestUrl) {
    if (!suggestUrl || input.dataset.typeahead) {
      return;
    }
    input.dataset.typeahead = "on";
    const list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    let timer = null;
    let asked = 0;
    let active = -1;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(option) {
      if (option.dataset.number) {
        input.value = option.dataset.number;
      } else {
        const box = document.querySelector('#groups input[value="' + option.dataset.group + '"]');
        if (box) {
          box.checked = true;
        }
        input.value = "";
      }
      close();
      input.focus();
    }

    function option(text, data) {
      const item = document.createElement("li");
      item.id = list.id + "-" + ++count;
      item.setAttribute("role", "option");
      item.textContent = text; // text, never HTML: a contact's name is anyone's input
      Object.assign(item.dataset, data);
      item.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the field
        choose(item);
      });
      return item;
    }

    function show(found) {
      const groupLabel = document.getElementById("numbers").dataset.groupLabel;
      const items = found.contacts
        .map((contact) => option(contact.name + " · " + contact.number, { number: contact.number }))
        .concat(
          found.groups
            .filter((group) => document.querySelector('#groups input[value="' + group.id + '"]'))
            .map((group) =>
              option(group.name + " (" + groupLabel.replace("{n}", String(group.members)) + ")", {
                group: String(group.id),
              }),
            ),
        );
      if (!items.length) {
        close();
        return;
      }
      list.replaceChildren(...items);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      const typed = input.value.trim();
      const question = ++asked;
      if (typed.length < MIN_LETTERS || /^[+\d\s.()-]*$/.test(typed) && typed.length < 4) {
        close();
        return;
      }
      fetch(suggestUrl + "?" + new URLSearchParams({ q: typed }), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((found) => {
          if (question === asked) {
            show(found);
          }
        })
        .catch(close);
    }

    function move(step) {
      const options = list.querySelectorAll("[role=option]");
      if (!options.length) {
        return;
      }
      if (active >= 0) {
        options[active].removeAttribute("aria-selected");
      }
      active = (active + step + options.length) % options.length;
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
    }

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(list.querySelectorAll("[role=option]")[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => window.setTimeout(close, 150));
  }

  if (window.smsbox && window.smsbox.onNumberField) {
    window.smsbox.onNumberField(attach);
  }
})();
