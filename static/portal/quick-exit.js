/* 一键离开 (quick exit) on sensitive pages: templates/includes/quick_exit.html.
   - The button becomes the first Tab stop of the page (moved to the start of <body>).
   - Pressing it, or Esc twice within a second, hides the page at once, replaces the current
     history entry with the neutral page (so Back does not return here) and leaves with
     location.replace (no new history entry either).
   Without JavaScript the button is a plain link to the neutral page. */
(function () {
  "use strict";
  var ESC_WINDOW_MS = 1000;
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  var bar = document.getElementById("quick-exit-bar") || link;
  document.body.insertBefore(bar, document.body.firstChild);
  document.documentElement.classList.add("has-quick-exit");

  var leaving = false;
  function leave() {
    if (leaving) {
      return;
    }
    leaving = true;
    var target = link.href;
    document.documentElement.classList.add("quick-exit-leaving");
    document.title = "";
    try {
      window.sessionStorage.clear();
    } catch (ignored) {
      /* storage may be disabled */
    }
    try {
      // Same-origin targets only; for another site replace() below still drops this entry.
      window.history.replaceState(null, "", target);
    } catch (ignored) {
      /* a cross-origin QUICK_EXIT_URL */
    }
    window.location.replace(target);
  }

  link.addEventListener("click", function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    leave();
  });

  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      return;
    }
    var now = Date.now();
    if (now - lastEscape <= ESC_WINDOW_MS) {
      event.preventDefault();
      leave();
    }
    lastEscape = now;
  });

  // Coming back through the back/forward cache after leaving: leave again at once.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && leaving) {
      leaving = false;
      leave();
    }
  });
})();
