/* Suggestions under a search box as someone types (names and topics), as an ARIA 1.2 combobox with a
 * listbox popup: ArrowDown / ArrowUp move through them, Enter opens the one chosen, Escape closes the
 * list, and without a chosen one Enter searches as before. The box names its source:
 * <input data-suggest-url="/catalog/suggest/">. Without script the box is a plain search box. */
(function () {
  "use strict";
  var DELAY_MS = 150;

  function setUp(input, index) {
    var list = document.createElement("ul");
    list.id = "suggestions-" + index;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var timer = null;
    var asked = 0;
    var active = -1;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(position) {
      var all = options();
      if (!all.length) return;
      active = (position + all.length) % all.length;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", String(i === active));
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function show(suggestions) {
      list.replaceChildren();
      suggestions.forEach(function (suggestion, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.url = suggestion.url;
        var label = document.createElement("span");
        label.textContent = suggestion.label;
        var kind = document.createElement("span");
        kind.className = "suggestions__kind";
        kind.textContent = suggestion.kind;
        option.append(label, " ", kind);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the box until the page changes
          window.location.assign(suggestion.url);
        });
        list.append(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var any = suggestions.length > 0;
      list.hidden = !any;
      input.setAttribute("aria-expanded", String(any));
    }

    function ask() {
      var text = input.value.trim();
      var mine = ++asked;
      if (text.length < 2) {
        close();
        return;
      }
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (mine === asked && document.activeElement === input) show(data.suggestions || []);
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        choose(active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        choose(active - 1);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].dataset.url);
      }
    });
    input.addEventListener("blur", close);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-suggest-url]").forEach(setUp);
  });
})();
