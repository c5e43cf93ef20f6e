/* The kiosk: elder mode (remembered on this machine), the on-screen keypad, taking a ticket
   without losing it to a network blip (the same request token is retried, so a retry never
   gives a second ticket), live waiting counts, printing the ticket page. Every form also
   works without this script. */
(function () {
  "use strict";
  var html = document.documentElement;
  var ELDER_KEY = "hall-kiosk-elder";
  var RETRY_MS = 3000;
  var MAX_RETRIES = 20;
  var COUNTS_MS = 30000;
  var IDLE_RESET_MS = 90000;

  // ---- elder mode ----
  function applyElder(on) {
    html.classList.toggle("ui-large", on);
    html.classList.toggle("kiosk-elder", on);
    var toggle = document.getElementById("elder-toggle");
    if (toggle) {
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? "标准模式" : "老年模式（大字）";
    }
  }
  function elderStored() {
    try {
      return window.localStorage.getItem(ELDER_KEY) === "on";
    } catch (e) {
      return false;
    }
  }
  applyElder(elderStored());
  document.addEventListener("click", function (event) {
    if (!event.target.closest("#elder-toggle")) {
      return;
    }
    var on = !html.classList.contains("kiosk-elder");
    try {
      window.localStorage.setItem(ELDER_KEY, on ? "on" : "off");
    } catch (e) {
      /* private mode: not remembered */
    }
    applyElder(on);
  });

  // ---- on-screen keypad: types into the last focused field of its form ----
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.classList && input.classList.contains("keypad-target")) {
      var scope = input.closest("[data-keypad-scope]");
      if (scope) {
        scope.keypadTarget = input;
      }
    }
  });
  document.addEventListener("click", function (event) {
    var key = event.target.closest(".keypad-key");
    if (!key) {
      return;
    }
    var scope = key.closest("[data-keypad-scope]");
    var input = scope && (scope.keypadTarget || scope.querySelector(".keypad-target"));
    if (!input) {
      return;
    }
    var value = input.value;
    var code = key.getAttribute("data-key");
    var max = parseInt(input.getAttribute("maxlength"), 10) || 32;
    if (code === "back") {
      value = value.slice(0, -1);
    } else if (code === "clear") {
      value = "";
    } else if (value.length < max) {
      value += code;
    }
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    scope.keypadTarget = input;
  });

  // ---- taking a ticket: fetch with retry, the server's page on a refusal ----
  var start = document.getElementById("kiosk-start");

  function formData(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name && !data.has(submitter.name)) {
      data.append(submitter.name, submitter.value);
    }
    return data;
  }

  function setBusy(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
      button.disabled = busy;
    });
  }

  function send(form, data, attempt) {
    window.HallDevice.request(form.action, { method: "POST", body: data, headers: { "HX-Request": "true" } }).then(
      function (response) {
        var target = response.headers.get("HX-Redirect");
        if (target) {
          window.location.assign(target);
          return;
        }
        return response.text().then(function (text) {
          start.innerHTML = text; // our own server-rendered partial (no scripts in it)
          var error = document.getElementById("kiosk-error");
          if (error) {
            error.focus();
          }
        });
      },
      function () {
        if (attempt >= MAX_RETRIES) {
          setBusy(form, false);
          return;
        }
        window.setTimeout(function () {
          send(form, data, attempt + 1);
        }, RETRY_MS);
      }
    );
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!start || !start.contains(form) || !window.fetch || !window.FormData) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return; // a second tap while the first is on its way
    }
    var data = formData(form, event.submitter);
    setBusy(form, true);
    send(form, data, 0);
  });

  // ---- waiting counts on the buttons, every 30 s ----
  function refreshCounts() {
    var url = start && start.getAttribute("data-board-url");
    if (!url) {
      return;
    }
    window.HallDevice.request(url)
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (board) {
        (board && board.waiting ? board.waiting : []).forEach(function (row) {
          var cells = document.querySelectorAll('[data-waiting-for="' + row.code + '"]');
          Array.prototype.forEach.call(cells, function (cell) {
            cell.textContent = String(row.waiting);
          });
        });
      })
      .catch(function () {
        /* the banner says so; next round retries */
      });
  }
  if (start) {
    window.setInterval(refreshCounts, COUNTS_MS);
  }

  // ---- a person who walked away: clear what they typed ----
  var idleTimer = null;
  document.addEventListener("input", function () {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(function () {
      var page = start && start.getAttribute("data-page-url");
      if (page) {
        window.location.replace(page);
      }
    }, IDLE_RESET_MS);
  });

  // ---- ticket page ----
  document.addEventListener("click", function (event) {
    if (event.target.closest("#print-ticket")) {
      window.print();
    }
  });
})();
