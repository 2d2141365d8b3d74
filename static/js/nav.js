/* The top bar on a narrow screen: the navigation folds behind a "Menu" button. Without script the button
 * stays hidden and the navigation simply wraps. Menus in the bar (<details class="menu">) close on Escape,
 * giving focus back to their summary, and when a click or focus lands outside them. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("main-nav");
    if (toggle && nav) {
      toggle.hidden = false;
      document.documentElement.classList.add("nav-folds");
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        nav.classList.toggle("nav--open", open);
      });
    }

    var menus = document.querySelectorAll("details.menu");
    function closeOthers(target) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(target)) menu.open = false;
      });
    }
    document.addEventListener("click", function (event) { closeOthers(event.target); });
    document.addEventListener("focusin", function (event) { closeOthers(event.target); });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      menus.forEach(function (menu) {
        if (menu.open && menu.contains(document.activeElement)) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
  });
})();
