/* The floating "智能咨询" button: opens a small panel (fetched from data-widget-url) with the
   question form; answers are appended to the panel's log. Keyboard: the button toggles the
   panel, Esc closes it and returns the focus to the button. Without JavaScript the button is
   a link to the full chat page. No third-party code; every text comes from the server. */
(function () {
  "use strict";

  function init(root) {
    var opener = root.querySelector("[data-assist-open]");
    var panel = root.querySelector(".assist-panel");
    if (!opener || !panel) {
      return;
    }
    var loaded = false;
    var ephemeral = root.getAttribute("data-ephemeral") === "1";
    opener.setAttribute("role", "button");
    opener.setAttribute("aria-expanded", "false");

    function log() {
      return panel.querySelector("[data-assist-log]");
    }

    function showError(text) {
      var target = log();
      if (!target) {
        panel.textContent = text;
        return;
      }
      var p = document.createElement("p");
      p.className = "notice notice-warning assist-turn";
      p.setAttribute("role", "alert");
      p.textContent = text;
      target.appendChild(p);
    }

    function post(form) {
      return fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      });
    }

    function clearConversation() {
      var form = panel.querySelector("[data-assist-clear]");
      var target = log();
      if (target) {
        target.innerHTML = "";
      }
      if (form) {
        post(form).catch(function () {});
      }
    }

    function wire() {
      var form = panel.querySelector("[data-assist-form]");
      var busy = panel.querySelector("[data-assist-busy]");
      var clear = panel.querySelector("[data-assist-clear]");
      var close = panel.querySelector("[data-assist-close]");
      if (close) {
        close.addEventListener("click", function () {
          hide();
        });
      }
      if (clear) {
        clear.addEventListener("submit", function (event) {
          event.preventDefault();
          clearConversation();
          var box = form && form.querySelector("textarea");
          if (box) {
            box.focus();
          }
        });
      }
      if (!form) {
        return;
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("button[type=submit]");
        var box = form.querySelector("textarea");
        if (button) {
          button.disabled = true;
        }
        if (busy) {
          busy.classList.add("is-busy");
        }
        post(form)
          .then(function (response) {
            if (!response.ok) {
              throw new Error(String(response.status));
            }
            return response.text();
          })
          .then(function (html) {
            var target = log();
            target.insertAdjacentHTML("beforeend", html);
            var last = target.lastElementChild;
            if (last && !last.classList.contains("notice") && box) {
              box.value = "";
            }
            if (last && last.scrollIntoView) {
              last.scrollIntoView({ block: "start" });
            }
          })
          .catch(function () {
            showError(root.getAttribute("data-error-text") || "");
          })
          .finally(function () {
            if (button) {
              button.disabled = false;
            }
            if (busy) {
              busy.classList.remove("is-busy");
            }
            if (box) {
              box.focus();
            }
          });
      });
    }

    function focusBox() {
      var box = panel.querySelector("textarea");
      if (box) {
        box.focus();
      }
    }

    function show() {
      panel.hidden = false;
      opener.setAttribute("aria-expanded", "true");
      if (loaded) {
        if (ephemeral) {
          clearConversation();
        }
        focusBox();
        return;
      }
      fetch(root.getAttribute("data-widget-url"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          panel.innerHTML = html;
          loaded = true;
          wire();
          if (ephemeral) {
            clearConversation();
          }
          focusBox();
        })
        .catch(function () {
          showError(root.getAttribute("data-error-text") || "");
        });
    }

    function hide() {
      if (panel.hidden) {
        return;
      }
      if (ephemeral) {
        clearConversation();
      }
      panel.hidden = true;
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }

    opener.addEventListener("click", function (event) {
      event.preventDefault();
      if (panel.hidden) {
        show();
      } else {
        hide();
      }
    });
    opener.addEventListener("keydown", function (event) {
      if (event.key === " ") {
        event.preventDefault();
        opener.click();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) {
        hide();
      }
    });
  }

  function start() {
    var roots = document.querySelectorAll("[data-assist-widget]");
    for (var i = 0; i < roots.length; i++) {
      init(roots[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
