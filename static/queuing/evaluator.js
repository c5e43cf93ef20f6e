/* The evaluation tablet: idle until its window finishes a ticket (a cheap JSON poll every
   3 s), then the rating screen; a rating nobody gives within 90 s is dropped so the next
   citizen is not asked about someone else's visit. */
(function () {
  "use strict";
  var root = document.getElementById("evaluator");
  if (!root) {
    return;
  }
  var pendingUrl = root.getAttribute("data-pending-url");
  var pageUrl = root.getAttribute("data-page-url");
  var pollMs = (parseInt(root.getAttribute("data-poll-seconds"), 10) || 3) * 1000;
  var screen = root.getAttribute("data-screen") || "idle";
  var RATE_TIMEOUT_MS = 90000;
  var DISMISSED_KEY = "hall-evaluator-dismissed";
  var rateTimer = null;

  function dismissed() {
    try {
      return JSON.parse(window.sessionStorage.getItem(DISMISSED_KEY) || "[]");
    } catch (e) {
      return [];
    }
  }
  function dismiss(id) {
    var ids = dismissed().concat([id]).slice(-20);
    try {
      window.sessionStorage.setItem(DISMISSED_KEY, JSON.stringify(ids));
    } catch (e) {
      /* not remembered */
    }
  }

  function show(name) {
    screen = name;
    ["idle", "rate", "thanks"].forEach(function (item) {
      document.getElementById("screen-" + item).hidden = item !== name;
    });
  }

  function showRate(ticket) {
    document.getElementById("rate-ticket-id").value = ticket.id;
    document.getElementById("rate-number").textContent = ticket.number;
    var form = document.getElementById("rate-form");
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]"), function (radio) {
      radio.checked = false;
    });
    show("rate");
    document.getElementById("rate-title").focus();
    window.clearTimeout(rateTimer);
    rateTimer = window.setTimeout(function () {
      dismiss(ticket.id);
      show("idle");
    }, RATE_TIMEOUT_MS);
  }

  function poll() {
    if (screen !== "idle") {
      return;
    }
    window.HallDevice.request(pendingUrl)
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        var ticket = body && body.ticket;
        if (ticket && screen === "idle" && dismissed().indexOf(ticket.id) < 0) {
          showRate(ticket);
        }
      })
      .catch(function () {
        /* the banner says so; the next poll retries */
      });
  }

  document.getElementById("rate-form").addEventListener("submit", function () {
    var id = parseInt(document.getElementById("rate-ticket-id").value, 10);
    if (id) {
      dismiss(id);
    }
  });

  if (screen === "rate") {
    rateTimer = window.setTimeout(function () {
      window.location.replace(pageUrl);
    }, RATE_TIMEOUT_MS);
  }
  window.setInterval(poll, pollMs);
  poll();
})();
