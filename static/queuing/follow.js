/* The phone follow page refreshes itself (every 20 s by default). */
(function () {
  "use strict";
  var root = document.getElementById("follow");
  var seconds = root ? parseInt(root.getAttribute("data-refresh-seconds"), 10) || 20 : 0;
  if (seconds) {
    window.setTimeout(function () {
      window.location.reload();
    }, seconds * 1000);
  }
})();
