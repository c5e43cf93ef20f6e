/* The chat page (/assist/): progressive enhancement only — the form works as a normal POST.
   After htmx appended a new turn: empty the question box, keep the focus in it, and bring the
   new turn into view. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "assist-log") {
      return;
    }
    var form = document.getElementById("assist-form");
    var turns = target.querySelectorAll(".assist-turn");
    var last = turns[turns.length - 1];
    if (last && !last.classList.contains("notice") && form) {
      var box = form.querySelector("textarea");
      if (box) {
        box.value = "";
        box.focus();
      }
    }
    if (last && last.scrollIntoView) {
      last.scrollIntoView({ block: "start" });
    }
  });
})();
