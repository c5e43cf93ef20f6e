/* Window console: keyboard shortcuts for clerks (F1/N call next, R recall, S skip, B start,
   P park, F finish) outside text fields, and keeping the keyboard focus where it was after
   htmx replaced the panel. */
(function () {
  "use strict";
  var SHORTCUTS = {
    F1: "btn-call-next",
    n: "btn-call-next",
    r: "btn-recall",
    s: "btn-skip",
    b: "btn-start",
    p: "btn-park"
  };

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === "f") {
      var description = document.getElementById("id_description");
      if (description) {
        event.preventDefault();
        description.focus();
      }
      return;
    }
    var button = document.getElementById(SHORTCUTS[key] || "");
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  var focusedId = null;
  document.addEventListener("htmx:beforeRequest", function () {
    focusedId = document.activeElement ? document.activeElement.id : null;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail || !event.detail.target || event.detail.target.id !== "console") {
      return;
    }
    var again = focusedId && document.getElementById(focusedId);
    if (again && !again.disabled) {
      again.focus();
      return;
    }
    var call = document.getElementById("btn-call-next");
    var target = call && !call.disabled ? call : document.getElementById("btn-finish") || document.getElementById("btn-call-next");
    if (target) {
      target.focus();
    }
  });
})();
