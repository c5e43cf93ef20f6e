/* Progressive enhancement only: the consultation pages work without this file.
   After htmx replaces the list's results, move the keyboard focus to their heading so that
   screen-reader and keyboard users land on what changed. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "consult-results") {
      return;
    }
    var heading = target.querySelector("#consult-results-title");
    if (heading) {
      heading.focus();
    }
  });
})();
