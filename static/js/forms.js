/* Fields that matter only for one answer of another: shown when that answer is chosen. Without script
 * every field stays visible (the form works the same), so this only takes away what does not apply.
 * A field's wrapper says it: data-shown-when="visibility=units" (the other field's name and value). */
(function () {
  "use strict";

  function update(form) {
    form.querySelectorAll("[data-shown-when]").forEach(function (wrapper) {
      var rule = wrapper.dataset.shownWhen.split("=");
      var chosen = form.querySelector('[name="' + rule[0] + '"]:checked');
      wrapper.hidden = !chosen || chosen.value !== rule[1];
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-shown-when]")) return;
      update(form);
      form.addEventListener("change", function () {
        update(form);
      });
    });
  });
})();
