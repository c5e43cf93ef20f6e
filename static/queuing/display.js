/* The hall display (TV). Pushed, not polled: an EventSource on the push stream (the browser
   reconnects by itself and sends Last-Event-ID); after every (re)connection and on a `reset`
   event it refetches the board JSON, so it never shows a stale number. While the stream is
   down it shows "重新连接中" and polls the board every data-poll-seconds (10 s; never faster
   at scale). Calls are announced: a chime (WebAudio), then speech — the browser's local
   Chinese voice when there is one, else pre-generated clips (static/queuing/voice/), never an
   online service. The last announcement text is in #announce (aria-live). */
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) {
    return;
  }
  var boardUrl = root.getAttribute("data-board-url");
  var streamUrl = root.getAttribute("data-stream-url");
  var pollMs = (parseInt(root.getAttribute("data-poll-seconds"), 10) || 10) * 1000;
  var voiceBase = root.getAttribute("data-voice-base") || "";
  var lastEventId = parseInt(root.getAttribute("data-last-event-id"), 10) || 0;
  var badge = document.getElementById("conn-badge");
  var announceEl = document.getElementById("announce");
  var STREAM_RETRY_MS = 30000;
  var VOICE_KEY = "hall-display-voice";

  // ---------------------------------------------------------------- board rendering
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }
  function replaceChildren(parent, children) {
    while (parent.firstChild) {
      parent.removeChild(parent.firstChild);
    }
    children.forEach(function (child) {
      parent.appendChild(child);
    });
  }

  function renderWindows(windows) {
    replaceChildren(
      document.getElementById("display-windows"),
      windows.map(function (w) {
        var li = el("li", "window-tile");
        li.setAttribute("data-window-id", w.id);
        li.appendChild(el("span", "window-tile-number", w.number + "号窗口"));
        var current = el("span", "window-tile-current", w.current || "—");
        current.setAttribute("data-role", "current");
        li.appendChild(current);
        var staff = el("span", "window-tile-staff", w.staff || "");
        staff.setAttribute("data-role", "staff");
        li.appendChild(staff);
        return li;
      })
    );
  }
  function recentItem(call) {
    var li = el("li");
    li.appendChild(el("span", "recent-number", call.number));
    li.appendChild(document.createTextNode(" 请到 " + call.window_number + " 号窗口"));
    return li;
  }
  function renderRecent(calls) {
    replaceChildren(document.getElementById("recent-calls"), calls.map(recentItem));
  }
  function renderWaiting(rows) {
    replaceChildren(
      document.getElementById("waiting-list"),
      rows.map(function (row) {
        var li = el("li");
        li.appendChild(el("span", "waiting-name", row.prefix + " " + row.name));
        li.appendChild(el("span", "waiting-count", row.waiting + " 人"));
        return li;
      })
    );
  }
  function renderStaff(people) {
    var items = people.map(function (person) {
      var li = el("li");
      if (person.photo_url) {
        var img = el("img", "display-staff-photo");
        img.src = person.photo_url;
        img.alt = "";
        img.width = 56;
        img.height = 56;
        li.appendChild(img);
      }
      li.appendChild(el("span", "display-staff-name", person.name));
      li.appendChild(document.createTextNode(" "));
      var meta = person.window_number + "号窗口" + (person.specialty ? " · " + person.specialty : "");
      li.appendChild(el("span", "display-staff-meta", meta));
      return li;
    });
    replaceChildren(document.getElementById("staff-list"), items.length ? items : [el("li", "", "暂无")]);
  }
  function renderTicker(board) {
    var parts = (board.alerts || []).slice();
    var figures = board.figures || {};
    parts.push("本月已服务 " + (figures.month_served || 0) + " 人次");
    if (figures.month_satisfaction_rate !== null && figures.month_satisfaction_rate !== undefined) {
      parts.push("本月满意率 " + Math.round(figures.month_satisfaction_rate * 100) + "%");
    }
    document.getElementById("ticker-text").textContent = parts.join("　　");
  }

  var lastCallAt = null; // the newest call time (server clock) the board has shown
  var recentlyAnnounced = {}; // "A012|3" → time, so a call pushed and then polled is spoken once

  function callKey(number, windowNumber) {
    return number + "|" + windowNumber;
  }

  function announceNewCalls(calls) {
    if (lastCallAt === null) {
      return; // the first board only sets the baseline
    }
    calls
      .filter(function (call) {
        return Date.parse(call.at) > lastCallAt;
      })
      .reverse()
      .forEach(function (call) {
        var key = callKey(call.number, call.window_number);
        if (!recentlyAnnounced[key] || Date.now() - recentlyAnnounced[key] > 60000) {
          announce(call.number, call.window_number, null);
        }
      });
  }

  function render(board) {
    var calls = board.recent_calls || [];
    announceNewCalls(calls);
    calls.forEach(function (call) {
      var at = Date.parse(call.at);
      if (lastCallAt === null || at > lastCallAt) {
        lastCallAt = at;
      }
    });
    if (lastCallAt === null) {
      lastCallAt = 0;
    }
    lastEventId = Math.max(lastEventId, board.last_event_id || 0);
    renderWindows(board.windows || []);
    renderRecent(calls);
    renderWaiting(board.waiting || []);
    renderStaff(board.staff_on_duty || []);
    renderTicker(board);
  }

  // ---------------------------------------------------------------- connection state
  var stream = null;
  var streamOpen = false;
  var pollTimer = null;
  var pollOk = false;
  var boardTimer = null;

  function updateBadge() {
    var down = !streamOpen && !pollOk;
    badge.hidden = !down;
    root.classList.toggle("is-reconnecting", down);
  }

  function fetchBoard() {
    return window.HallDevice.request(boardUrl)
      .then(function (response) {
        if (!response.ok) {
          throw new Error("board " + response.status);
        }
        return response.json();
      })
      .then(function (board) {
        render(board);
        pollOk = true;
        updateBadge();
      })
      .catch(function () {
        pollOk = false;
        updateBadge();
      });
  }

  function scheduleBoardFetch(delayMs) {
    // Board changes (tickets taken, windows opened) come in bursts: one fetch per burst.
    if (boardTimer) {
      return;
    }
    boardTimer = window.setTimeout(function () {
      boardTimer = null;
      fetchBoard();
    }, delayMs);
  }

  function startPolling() {
    if (!pollTimer) {
      pollTimer = window.setInterval(fetchBoard, pollMs);
      fetchBoard();
    }
  }
  function stopPolling() {
    if (pollTimer) {
      window.clearInterval(pollTimer);
      pollTimer = null;
    }
  }

  function eventData(event) {
    try {
      var data = JSON.parse(event.data || "{}");
      return data.payload || data;
    } catch (e) {
      return {};
    }
  }

  function onCall(event) {
    var call = eventData(event);
    if (event.lastEventId) {
      lastEventId = Math.max(lastEventId, parseInt(event.lastEventId, 10) || 0);
    }
    if (!call.number) {
      scheduleBoardFetch(0);
      return;
    }
    var tile = document.querySelector('.window-tile[data-window-id="' + call.window_id + '"] [data-role="current"]');
    if (tile) {
      tile.textContent = call.number;
    }
    var list = document.getElementById("recent-calls");
    list.insertBefore(recentItem(call), list.firstChild);
    while (list.children.length > 6) {
      list.removeChild(list.lastChild);
    }
    announce(call.number, call.window_number, call.text);
    scheduleBoardFetch(1500); // waiting counts and call times, after the voice started
  }

  function connectStream() {
    if (!streamUrl || !window.EventSource) {
      startPolling();
      return;
    }
    // The browser sends Last-Event-ID itself when it reconnects; a new EventSource starts
    // from the last event this page has seen.
    var separator = streamUrl.indexOf("?") < 0 ? "?" : "&";
    stream = new window.EventSource(streamUrl + separator + "last_event_id=" + lastEventId);
    stream.addEventListener("open", function () {
      streamOpen = true;
      stopPolling();
      updateBadge();
      fetchBoard(); // after a reconnect: catch up, never show a stale number
    });
    stream.addEventListener("error", function () {
      streamOpen = false;
      pollOk = false;
      updateBadge();
      startPolling();
      if (stream.readyState === window.EventSource.CLOSED) {
        // The server refused (not an event stream): retry later; poll meanwhile.
        stream = null;
        window.setTimeout(connectStream, STREAM_RETRY_MS);
      }
    });
    stream.addEventListener("call", onCall);
    stream.addEventListener("recall", onCall);
    stream.addEventListener("board", function () {
      scheduleBoardFetch(300);
    });
    stream.addEventListener("reset", function () {
      fetchBoard();
    });
  }

  // ---------------------------------------------------------------- voice
  var audioCtx = null;
  var voiceOn = false;
  var queue = [];
  var speaking = false;
  var clipCache = {};
  var clipsAvailable = null; // null: not checked yet
  var overlay = document.getElementById("voice-overlay");

  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function ensureAudio() {
    if (!audioCtx) {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context) {
        audioCtx = new Context();
      }
    }
    if (audioCtx && audioCtx.state === "suspended") {
      audioCtx.resume();
    }
  }

  function enableVoice() {
    voiceOn = true;
    try {
      window.localStorage.setItem(VOICE_KEY, "on");
    } catch (e) {
      /* not remembered */
    }
    ensureAudio();
    if (window.speechSynthesis) {
      window.speechSynthesis.speak(new window.SpeechSynthesisUtterance(""));
    }
    overlay.hidden = true;
  }

  document.getElementById("voice-enable").addEventListener("click", enableVoice);
  if (stored(VOICE_KEY) === "on") {
    voiceOn = true;
    ensureAudio();
    // Without --autoplay-policy=no-user-gesture-required the browser still wants one tap.
    window.setTimeout(function () {
      if (audioCtx && audioCtx.state === "suspended") {
        overlay.hidden = false;
      }
    }, 1000);
  } else {
    overlay.hidden = false;
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, ms);
    });
  }

  function chime() {
    if (!audioCtx || audioCtx.state !== "running") {
      return Promise.resolve();
    }
    var now = audioCtx.currentTime;
    [
      [880, 0],
      [660, 0.35]
    ].forEach(function (tone) {
      var osc = audioCtx.createOscillator();
      var gain = audioCtx.createGain();
      osc.type = "sine";
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, now + tone[1]);
      gain.gain.exponentialRampToValueAtTime(0.4, now + tone[1] + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + tone[1] + 0.6);
      osc.connect(gain).connect(audioCtx.destination);
      osc.start(now + tone[1]);
      osc.stop(now + tone[1] + 0.65);
    });
    return wait(1000);
  }

  function localChineseVoice() {
    if (!window.speechSynthesis) {
      return null;
    }
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i += 1) {
      // localService only: an online voice would send the text out of the intranet.
      if (/^(zh|cmn)([-_](CN|Hans))?/i.test(voices[i].lang) && voices[i].localService) {
        return voices[i];
      }
    }
    return null;
  }
  if (window.speechSynthesis) {
    window.speechSynthesis.getVoices(); // voices load asynchronously in Chromium
  }

  var DIGITS = "零一二三四五六七八九";
  function spokenNumber(number) {
    // "A012" → "A 零一二": read digit by digit, as halls do.
    return number.replace(/\d/g, function (d) {
      return DIGITS.charAt(parseInt(d, 10));
    });
  }

  function speakWithVoice(voice, number, windowNumber) {
    return new Promise(function (resolve) {
      var text = "请，" + spokenNumber(number) + "号，到" + windowNumber + "号窗口办理";
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.onend = resolve;
      utterance.onerror = resolve;
      window.speechSynthesis.speak(utterance);
      window.setTimeout(resolve, 10000);
    });
  }

  function windowClips(n) {
    n = parseInt(n, 10) || 0;
    if (n >= 10 && n < 100) {
      var tens = Math.floor(n / 10);
      var units = n % 10;
      var clips = tens > 1 ? [String(tens), "shi"] : ["shi"];
      return units ? clips.concat([String(units)]) : clips;
    }
    return String(n).split("");
  }

  function clipNames(number, windowNumber) {
    var names = ["qing"];
    number.split("").forEach(function (ch) {
      names.push(/[A-Za-z]/.test(ch) ? ch.toUpperCase() : ch);
    });
    names.push("hao", "dao");
    return names.concat(windowClips(windowNumber), ["chuangkou"]);
  }

  function loadClip(name) {
    if (!clipCache[name]) {
      clipCache[name] = fetch(voiceBase + name + ".wav")
        .then(function (response) {
          if (!response.ok) {
            throw new Error("clip " + name);
          }
          return response.arrayBuffer();
        })
        .then(function (bytes) {
          return audioCtx.decodeAudioData(bytes);
        });
    }
    return clipCache[name];
  }

  function checkClips() {
    if (clipsAvailable === null) {
      clipsAvailable = fetch(voiceBase + "manifest.json").then(
        function (response) {
          return response.ok;
        },
        function () {
          return false;
        }
      );
    }
    return clipsAvailable;
  }

  function speakWithClips(number, windowNumber) {
    if (!audioCtx || audioCtx.state !== "running") {
      return Promise.resolve();
    }
    return checkClips().then(function (ok) {
      if (!ok) {
        return null;
      }
      return Promise.all(clipNames(number, windowNumber).map(loadClip)).then(function (buffers) {
        var at = audioCtx.currentTime + 0.05;
        buffers.forEach(function (buffer) {
          var source = audioCtx.createBufferSource();
          source.buffer = buffer;
          source.connect(audioCtx.destination);
          source.start(at);
          at += buffer.duration * 0.92; // the clips carry a little silence at their ends
        });
        return wait((at - audioCtx.currentTime) * 1000);
      });
    });
  }

  function speak(item) {
    var voice = localChineseVoice();
    if (voice) {
      return speakWithVoice(voice, item.number, item.windowNumber);
    }
    return speakWithClips(item.number, item.windowNumber);
  }

  function playNext() {
    var item = queue.shift();
    if (!item) {
      speaking = false;
      return;
    }
    speaking = true;
    chime()
      .then(function () {
        return speak(item);
      })
      .catch(function () {
        /* a clip missing: the text is on screen anyway */
      })
      .then(function () {
        return wait(400);
      })
      .then(playNext);
  }

  function announce(number, windowNumber, text) {
    text = text || "请 " + number + " 号到 " + windowNumber + " 号窗口办理";
    recentlyAnnounced[callKey(number, windowNumber)] = Date.now();
    announceEl.textContent = text;
    announceEl.classList.remove("is-new");
    void announceEl.offsetWidth; // restart the highlight animation
    announceEl.classList.add("is-new");
    if (!voiceOn) {
      return;
    }
    queue.push({ number: number, windowNumber: windowNumber });
    if (!speaking) {
      playNext();
    }
  }

  // ---------------------------------------------------------------- clock
  var clock = document.getElementById("display-clock");
  // Beijing time whatever zone the screen's computer was set to.
  var beijing = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "long", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
  });
  function tick() {
    clock.textContent = beijing.format(new Date());
  }
  tick();
  window.setInterval(tick, 1000);

  window.HallDisplay = { announce: announce, fetchBoard: fetchBoard };
  fetchBoard(); // the baseline for spotting new calls while polling
  connectStream();
})();
