/* Filters apply as soon as one changes (the Apply button stays for pages without JS). */
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  if (!form) { return; }
  form.addEventListener("change", function () { form.submit(); });
}());
