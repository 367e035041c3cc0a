/* Copy buttons: copy the text of the element named by data-copy (buttons stay hidden without JS). */
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = document.documentElement.lang === "en" ? "Copied" : "Kopiert";
        window.setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
}());
