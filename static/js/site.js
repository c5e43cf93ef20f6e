/* Progressive enhancement only: every page works without this file.
   After htmx replaces the site finder's results, move the keyboard focus to their
   heading so that screen-reader and keyboard users land on what changed. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "site-results") {
      return;
    }
    var heading = target.querySelector("#site-results-title");
    if (heading) {
      heading.focus();
    }
  });
})();
