// Progressive enhancement only: every form works without JavaScript.
// No inline scripts anywhere (Content-Security-Policy: script-src 'self').
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Forms marked data-autosubmit submit when a select changes (the submit button stays for keyboard users
  // without JS; with JS it is hidden visually but kept for assistive technology).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
    });
  });
  // Buttons that ask before a destructive action: data-confirm="Question?"
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
})();
