/* carta forms: after an error, focus the summary; its links focus the answer, its question in
   view (GOV.UK's pattern). The forms work without it. */
(function () {
  "use strict";
  function target(id) {
    var el = document.getElementById(id);
    if (el && el.tagName === "FIELDSET") { el = el.querySelector("input, select, textarea") || el; }
    return el;
  }
  function caption(el) {
    var set = el.closest("fieldset");
    if (set && set.querySelector("legend") && el.type !== "checkbox") { return set.querySelector("legend"); }
    var label = el.id && document.querySelector('label[for="' + el.id + '"]');
    return label || el;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var el = target(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!el) { return; }
      event.preventDefault();
      caption(el).scrollIntoView();
      el.focus({preventScroll: true});
    });
  });
})();
