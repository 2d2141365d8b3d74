/* The catalog page, on top of htmx's partial updates (which already work without this script):
 * - on a narrow screen the filters fold behind their "Filters" button (a <details>, rendered open so that
 *   they show without script), and stay as the person left them when the results update;
 * - after an update, focus goes back to the control that had it (a facet checkbox: htmx does it by id;
 *   by name and value here when the id changed), or to the result count when that control is gone
 *   (a removed filter chip), never to the top of the page;
 * - the search box shows the words searched when a chip or "Clear all" changed them. */
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 860px)");
  var wasOpen = false;
  var focused = null;

  function filters() {
    return document.getElementById("catalog-filters");
  }

  function fit(open) {
    var details = filters();
    if (details) details.open = !NARROW.matches || open;
  }

  function lost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function restoreFocus(target) {
    if (!focused || !lost()) return;
    var again = null;
    if (focused.name) {
      target.querySelectorAll("input[name]").forEach(function (input) {
        if (input.name === focused.name && input.value === focused.value) again = input;
      });
    }
    again = again || document.getElementById("result-count");
    if (again) again.focus({ preventScroll: !!focused.name });
  }

  fit(false);
  NARROW.addEventListener("change", function () {
    fit(false);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "catalog-results") return;
    var details = filters();
    wasOpen = !!(details && details.open);
    var active = document.activeElement;
    focused = active && event.detail.target.contains(active)
      ? { name: active.getAttribute("name"), value: active.value }
      : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target.id !== "catalog-results") return;
    fit(wasOpen);
    var box = document.getElementById("catalog-q");
    var results = document.getElementById("results");
    if (box && results && document.activeElement !== box) box.value = results.dataset.q || "";
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target.id === "catalog-results") restoreFocus(event.detail.target);
  });
})();
