/* "Copy" buttons: <button data-copy="ID" data-copy-status="ID2" hidden> copies the text of the element ID
 * (an install snippet in <pre><code>) to the clipboard with one click, says "Copied" on the button and in
 * the aria-live region ID2, and goes back to "Copy" after a few seconds. The button stays hidden where
 * the page cannot copy (no script, no clipboard API outside a secure context): the text can be selected. */
(function () {
  "use strict";

  var RESET_AFTER_MS = 3000;

  function setUp(button) {
    var source = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!source) return;
    var label = button.textContent;
    var timer = null;

    function say(buttonText, message) {
      button.textContent = buttonText;
      if (status) status.textContent = message;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        button.textContent = label;
        if (status) status.textContent = "";
      }, RESET_AFTER_MS);
    }

    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(
        function () {
          say("Copied", "Copied to the clipboard.");
        },
        function () {
          say(label, "Could not copy: select the text and copy it.");
        }
      );
    });
    button.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("button[data-copy]").forEach(setUp);
  });
})();
