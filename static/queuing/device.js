/* Shared by the hall's device pages (kiosk, display, evaluator): a heartbeat every 30 s
   (POST …/heartbeat, so the director sees the device online), the "网络连接中断" banner, and
   a fetch wrapper that reports the network state. Exposed as window.HallDevice. */
(function () {
  "use strict";
  var body = document.body;
  var banner = document.getElementById("network-banner");
  var RETRY_MS = 5000;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function setOffline(offline) {
    if (banner) {
      banner.hidden = !offline;
    }
    body.classList.toggle("is-offline", offline);
  }

  /* fetch() that shows the banner while the network is down and hides it once an answer
     (any HTTP status) comes back. */
  function request(url, options) {
    options = options || {};
    var headers = options.headers || {};
    headers["X-CSRFToken"] = csrfToken();
    options.headers = headers;
    options.credentials = "same-origin";
    options.cache = "no-store";
    return fetch(url, options).then(
      function (response) {
        setOffline(false);
        return response;
      },
      function (error) {
        setOffline(true);
        throw error;
      }
    );
  }

  var heartbeatUrl = body.getAttribute("data-heartbeat-url");
  var heartbeatMs = (parseInt(body.getAttribute("data-heartbeat-seconds"), 10) || 30) * 1000;

  function heartbeat() {
    if (!heartbeatUrl) {
      return;
    }
    request(heartbeatUrl, { method: "POST" }).then(
      function () {
        window.setTimeout(heartbeat, heartbeatMs);
      },
      function () {
        window.setTimeout(heartbeat, RETRY_MS);
      }
    );
  }

  window.addEventListener("offline", function () {
    setOffline(true);
  });
  window.addEventListener("online", function () {
    heartbeat();
  });

  window.HallDevice = { request: request, setOffline: setOffline, csrfToken: csrfToken };
  heartbeat();
})();
