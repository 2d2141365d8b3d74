/* Usage beacons for the clicks the server does not see: a search result opened, "Contribute" clicked.
 * Delegated on document, so it keeps working after htmx swaps the result list. A text/plain Blob keeps
 * sendBeacon a simple request (no CORS preflight); the server validates everything it receives. */
(function () {
  "use strict";
  var ENDPOINT = "/usage/beacon/";

  function optedOut() {
    return navigator.doNotTrack === "1" || window.doNotTrack === "1" || navigator.globalPrivacyControl === true;
  }

  function send(payload) {
    if (!navigator.sendBeacon || optedOut()) return;
    try {
      navigator.sendBeacon(ENDPOINT, new Blob([JSON.stringify(payload)], { type: "text/plain" }));
    } catch (error) {
      /* Counting a click must never get in the way of following it. */
    }
  }

  function resultClick(link) {
    var list = link.closest("#result-list");
    if (!list || !list.dataset.searchId) return;
    var links = Array.prototype.slice.call(list.querySelectorAll("a.card__title"));
    var first = parseInt(list.dataset.firstPosition, 10) || 1;
    send({
      kind: "result_click",
      search_id: list.dataset.searchId,
      position: first + links.indexOf(link),
      path: link.getAttribute("href"),
    });
  }

  function onClick(event) {
    // Left click, or middle click (auxclick) opening the result in a new tab.
    if (event.type === "auxclick" && event.button !== 1) return;
    var target = event.target;
    if (!(target instanceof Element)) return;
    var result = target.closest("#result-list a.card__title");
    if (result) {
      resultClick(result);
      return;
    }
    var contribute = target.closest("[data-usage=contribute_click]");
    if (contribute && contribute.dataset.project) {
      send({ kind: "contribute_click", project: contribute.dataset.project });
    }
  }

  document.addEventListener("click", onClick, true);
  document.addEventListener("auxclick", onClick, true);
})();
