/*
 * 生育政策问答 — the chat page's own script (served from /ui/chat.js, loaded first in <head>, so it runs before
 * Gradio boots and is allowed by the page's strict CSP: same origin, no eval, no inline handlers).
 *
 * What it does, one concern per function:
 *   pinLocale      Gradio's UI language follows the browser; the page is Chinese, so it is pinned to zh-CN.
 *   embedMode      ?embed=1 adds the `rag-embed` class, a narrow screen `rag-phone` (compact layout, one scroll
 *                  area) before first paint; `rag-started` (set once a question is asked) hides the examples there.
 *   regionSelect   a native <select> for the region (keyboard-correct, compact) bound to the hidden value box.
 *   readingOrder   after each question, the log scrolls so that question and the START of its answer are visible;
 *                  streaming text grows below and never pushes the start away.
 *   inputHelp      live counter near the limit; a paste longer than the limit says it was cut.
 *   labels         Chinese accessible names for the log, input, send, copy and feedback (赞/踩/其他反馈) buttons.
 *   frameLink      inside the widget: Escape anywhere asks the host page to close; the host asks for focus.
 * Sentences come from /ui/config.json (rag/server/ui_text.py), never from here.
 */
(function () {
  "use strict";

  var params = new URLSearchParams(window.location.search);
  var embedded = params.get("embed") === "1" || params.get("embed") === "true";
  var framed = window.parent !== window;
  var config = { regions: [], max_chars: 500, text: {} };

  function pinLocale() {
    try {
      Object.defineProperty(navigator, "language", { get: function () { return "zh-CN"; }, configurable: true });
      Object.defineProperty(navigator, "languages", { get: function () { return ["zh-CN", "zh"]; }, configurable: true });
    } catch (e) { /* a browser that refuses keeps its own language: the page still works */ }
    document.documentElement.setAttribute("lang", "zh-CN");
  }

  function embedMode() {
    if (embedded) document.documentElement.classList.add("rag-embed");
    // phone layout as a class (chat.css explains why not @media)
    var phone = window.matchMedia ? window.matchMedia("(max-width: 600px)") : null;
    function set() { document.documentElement.classList.toggle("rag-phone", !!(phone && phone.matches)); }
    set();
    if (phone && phone.addEventListener) phone.addEventListener("change", set);
  }

  function t(key, values) {
    var s = (config.text && config.text[key]) || "";
    Object.keys(values || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(values[k])); });
    return s;
  }

  function $(sel) { return document.querySelector(sel); }

  function setNativeValue(el, value) {
    var proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, "value").set.call(el, value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // ---- region ---------------------------------------------------------------------------------------
  function regionSelect() {
    var top = $("#rag-top");
    var hidden = $("#rag-region textarea, #rag-region input");
    if (!top || !hidden || $("#rag-region-select") || !config.regions.length) return;
    var preset = params.get("region") || "auto";
    var locked = (params.get("lock") === "1" || params.get("lock") === "true") && preset !== "auto" &&
      !(config.region && config.region.unknown);
    var wrap = document.createElement("div");
    wrap.className = "rag-region-wrap";
    var label = document.createElement("label");
    label.setAttribute("for", "rag-region-select");
    label.textContent = t("region_label");
    var select = document.createElement("select");
    select.id = "rag-region-select";
    config.regions.forEach(function (r) {
      var opt = document.createElement("option");
      opt.value = r.slug;
      opt.textContent = r.name;
      select.appendChild(opt);
    });
    var known = function (v) { return config.regions.some(function (r) { return r.slug === v; }); };
    select.value = known(hidden.value) ? hidden.value : "auto";
    if (locked) select.disabled = true; // the widget's fixed region is shown, not offered
    select.addEventListener("change", function () { setNativeValue(hidden, select.value); });
    wrap.appendChild(label);
    wrap.appendChild(select);
    top.appendChild(wrap);
    // the server decides the region (a name in ?region= resolved on load; the region an answer was about, so a
    // follow-up stays there): the select shows the hidden value whenever it changes
    setInterval(function () {
      if (known(hidden.value) && select.value !== hidden.value && document.activeElement !== select) {
        select.value = hidden.value;
      }
    }, 400);
    if (config.region && config.region.unknown) {
      var warning = t("region_unknown_console", { value: config.region.asked });
      if (window.console) console.warn(warning);
      if (framed) window.parent.postMessage({ type: "rag-widget-warning", text: warning }, "*");
    }
  }

  // ---- reading order --------------------------------------------------------------------------------
  function scroller() {
    var log = $("#rag-chat [role=log]");
    var el = log;
    while (el && el !== document.body) {
      var style = getComputedStyle(el);
      if (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight) return el;
      el = el.parentElement;
    }
    return log;
  }

  function readingOrder() {
    var chat = $("#rag-chat");
    if (!chat || chat.__ragOrder) return;
    chat.__ragOrder = true;
    var seen = 0;
    var pinned = null; // the row of the latest question, kept at the top while its answer arrives
    var placed = null; // the scrollTop the pin last set: a scroll elsewhere is the reader's (or a button's)
    function userMoved() { pinned = null; }
    pinOff = userMoved;
    var height = 0; // the log's scrollHeight when the pin last placed it
    function movedByOther(box) {
      if (placed === null || Math.abs(box.scrollTop - placed) <= 2) return false;
      // content that shrank for a moment (Gradio re-rendering a message) clamps scrollTop: not the reader
      var clamped = box.scrollHeight < height - 1 && box.scrollTop >= box.scrollHeight - box.clientHeight - 2;
      return !clamped;
    }
    function onScroll(e) {
      if (movedByOther(e.currentTarget)) userMoved();
    }
    function pin() {
      var box = scroller();
      if (pinned && !pinned.isConnected) { // Gradio re-rendered the row: the pin follows the newest question
        var rows = chat.querySelectorAll(".message-row.user-row");
        pinned = rows.length ? rows[rows.length - 1] : null;
      }
      if (!pinned || !box) return;
      // moved since the pin last placed it (the scroll event may not have arrived yet): the reader's, let go
      if (movedByOther(box)) { userMoved(); return; }
      var top = pinned.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop - 8;
      if (Math.abs(box.scrollTop - top) > 1) {
        box.scrollTop = Math.max(0, top);
        placed = box.scrollTop;
        height = box.scrollHeight;
      }
    }
    var observer = new MutationObserver(function () {
      var users = chat.querySelectorAll(".message-row.user-row");
      if (users.length !== seen) {
        seen = users.length;
        // once a conversation runs, the compact layouts give the examples' room to the chat (chat.css)
        document.documentElement.classList.toggle("rag-started", seen > 0);
        pinned = users.length ? users[users.length - 1] : null;
        placed = null;
        var box = scroller();
        if (box && !box.__ragListen) { // a reader who scrolls (any way: wheel, touch, keys, ↓ button, scrollbar)
          box.__ragListen = true; // takes over until the next question
          ["wheel", "touchmove", "keydown", "pointerdown"].forEach(function (ev) {
            box.addEventListener(ev, userMoved, { passive: true });
          });
          box.addEventListener("scroll", onScroll, { passive: true });
        }
      }
      pin(); // the answer grows below; the question and the answer's first line stay in view
    });
    observer.observe(chat, { childList: true, subtree: true, characterData: true });
  }

  // ---- input ----------------------------------------------------------------------------------------
  function inputHelp() {
    var box = $("#rag-input textarea");
    if (!box || box.__ragHelp) return;
    box.__ragHelp = true;
    var max = config.max_chars || 500;
    var note = document.createElement("div");
    note.id = "rag-input-note";
    note.className = "rag-input-note";
    note.setAttribute("aria-live", "polite");
    box.closest("#rag-input").appendChild(note);
    box.setAttribute("aria-describedby", "rag-input-note");
    var cut = "";
    function update() {
      var n = box.value.length;
      var counter = n >= max * 0.8 ? t("counter", { n: n, max: max }) : "";
      note.textContent = [cut, counter].filter(Boolean).join(" ");
      note.classList.toggle("rag-near", n >= max * 0.8);
    }
    box.addEventListener("paste", function (e) {
      var pasted = (e.clipboardData && e.clipboardData.getData("text")) || "";
      var room = max - (box.value.length - (box.selectionEnd - box.selectionStart));
      cut = pasted.length > room ? t("pasted_cut", { n: pasted.length, max: max }) : "";
      setTimeout(update, 0);
    });
    box.addEventListener("input", function () {
      if (box.value.length < max) cut = "";
      update();
    });
    update();
  }

  // ---- accessible names -----------------------------------------------------------------------------
  function labels() {
    var log = $("#rag-chat [role=log]");
    if (log && log.getAttribute("aria-label") !== t("chat_label")) log.setAttribute("aria-label", t("chat_label"));
    var box = $("#rag-input textarea");
    if (box && box.getAttribute("aria-label") !== t("input_label")) box.setAttribute("aria-label", t("input_label"));
    var send = $("#rag-input button.submit-button, #rag-input button[type=submit], #rag-input button");
    if (send && send.getAttribute("aria-label") !== t("send_label")) send.setAttribute("aria-label", t("send_label"));
    document.querySelectorAll("#rag-chat button[aria-label='Copy message'], #rag-chat button[title='Copy message']")
      .forEach(function (b) { b.setAttribute("aria-label", t("copy_label")); b.setAttribute("title", t("copy_label")); });
    var names = config.text && config.text.feedback_labels;  // Gradio's 👍/👎 and the flag of 👎 reasons
    if (names) {
      document.querySelectorAll("#rag-chat .message-buttons button[aria-label], #rag-chat .message-buttons button[title]")
        .forEach(function (b) {
          ["aria-label", "title"].forEach(function (a) {
            var zh = names[b.getAttribute(a)];
            if (zh) b.setAttribute(a, zh);
          });
        });
    }
    var examples = $("#rag-examples");
    if (examples && !examples.getAttribute("role")) {
      examples.setAttribute("role", "group");
      examples.setAttribute("aria-label", t("examples_label"));
    }
  }

  // ---- [n] in an answer and in 各地对比 scrolls to its clause card and opens it (the page's <base> would turn
  // "#id" into a navigation)
  function citeLinks() {
    document.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("#rag-compare a.rag-cell-link, #rag-chat a.rag-ref");
      if (!a) return;
      var target = document.getElementById(a.getAttribute("href").slice(1));
      if (!target) return;
      e.preventDefault();
      var card = target.closest(".rag-cite") || target;
      var full = card.querySelector("details.rag-full");
      if (full) full.open = true;
      pinOff();
      card.scrollIntoView({ block: "start" });
      card.classList.add("rag-flash");
      setTimeout(function () { card.classList.remove("rag-flash"); }, 2000);
      var n = card.querySelector(".rag-n");
      if (n) { n.setAttribute("tabindex", "-1"); n.focus({ preventScroll: true }); }
    });
  }
  var pinOff = function () {};

  // ---- 👎: a small sheet with the reasons and a "哪里不对？" line, both stored through /api/feedback ----------
  function answerIdNear(button) { // Gradio puts an answer's buttons in the row right after the answer's own row
    var at = button.closest(".message-buttons") || button;
    for (var el = at; el; el = el.previousElementSibling) {
      var keys = el.querySelectorAll ? el.querySelectorAll(".rag-aid[id^='rag-aid-']") : []; // (ids survive the
      if (keys.length) return keys[keys.length - 1].id.slice("rag-aid-".length); // sanitiser, data-* do not)
    }
    return null;
  }

  function postFeedback(answerId, comment, status) {
    return fetch("/api/feedback", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answer_id: answerId, rating: "down", comment: comment })
    }).then(function (r) {
      status.textContent = r.ok ? t("feedback_sheet").thanks : t("feedback_sheet").failed;
    }).catch(function () { status.textContent = t("feedback_sheet").failed; });
  }

  function thankInline(button) { // under the answer, where the eye is: no toast
    var row = button.closest(".message-buttons");
    if (!row || row.querySelector(".rag-thanks")) return;
    var note = document.createElement("span");
    note.className = "rag-thanks";
    note.setAttribute("role", "status");
    note.textContent = config.text.feedback_thanks || "";
    row.appendChild(note);
  }

  function feedbackSheet() {
    var text = function (k) { return (config.text.feedback_sheet || {})[k] || ""; };
    var reasons = Array.prototype.slice.call(config.text.down_reasons || []);
    var sheet = null, opener = null;
    function close() {
      if (!sheet) return;
      sheet.remove();
      sheet = null;
      if (opener && opener.isConnected) opener.focus();
    }
    function open(button, answerId, preset) {
      close();
      opener = button;
      sheet = document.createElement("div");
      sheet.className = "rag-sheet";
      sheet.setAttribute("role", "dialog");
      sheet.setAttribute("aria-label", text("title"));
      var head = document.createElement("div");
      head.className = "rag-sheet-head";
      var h = document.createElement("strong");
      h.textContent = text("title");
      var x = document.createElement("button");
      x.type = "button"; x.className = "rag-sheet-close"; x.textContent = "×";
      x.setAttribute("aria-label", text("close"));
      x.addEventListener("click", close);
      head.appendChild(h); head.appendChild(x);
      sheet.appendChild(head);
      var status = document.createElement("div");
      status.className = "rag-sheet-status"; status.setAttribute("role", "status");
      var chosen = "";
      var row = document.createElement("div");
      row.className = "rag-sheet-reasons";
      reasons.forEach(function (r) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "rag-sheet-reason"; b.textContent = r;
        b.setAttribute("aria-pressed", "false");
        b.addEventListener("click", function () {
          chosen = r;
          row.querySelectorAll("button").forEach(function (o) { o.setAttribute("aria-pressed", String(o === b)); });
          postFeedback(answerId, r, status);
          if (r === reasons[reasons.length - 1]) input.focus(); // 其他: say what
        });
        row.appendChild(b);
      });
      sheet.appendChild(row);
      var form = document.createElement("form");
      form.className = "rag-sheet-form";
      var input = document.createElement("input");
      input.type = "text"; input.maxLength = 280; input.id = "rag-sheet-detail";
      input.placeholder = text("detail"); input.setAttribute("aria-label", text("detail"));
      var send = document.createElement("button");
      send.type = "submit"; send.textContent = text("send");
      form.appendChild(input); form.appendChild(send);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var detail = input.value.trim();
        if (!detail && !chosen) { input.focus(); return; }
        postFeedback(answerId, (chosen || reasons[reasons.length - 1]) + (detail ? "：" + detail : ""), status);
      });
      sheet.appendChild(form);
      sheet.appendChild(status);
      sheet.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.stopPropagation(); close(); } });
      document.body.appendChild(sheet);
      if (preset) { // 报告此条款有误: the reason chosen, the clause named in the line, the reader says what is wrong
        chosen = preset.reason;
        row.querySelectorAll("button").forEach(function (o) { o.setAttribute("aria-pressed", String(o.textContent === chosen)); });
        input.value = preset.detail;
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      } else row.querySelector("button").focus();
    }
    document.addEventListener("click", function (e) { // 报告此条款有误 on a card: the sheet about that clause
      var b = e.target.closest && e.target.closest("#rag-chat button.rag-report");
      if (!b) return;
      var key = null;
      for (var el = b; el && !key; el = el.parentElement) key = el.querySelector(".rag-aid[id^='rag-aid-']");
      if (!key) return;
      var card = b.closest(".rag-cite");
      var n = ((card.querySelector(".rag-n") || {}).textContent || "").replace(/\D/g, "");
      var where = [".rag-region", ".rag-sec"].map(function (sel) {
        var part = card.querySelector(sel);
        return part ? part.textContent.trim() : "";
      }).filter(Boolean).join(" ");
      open(b, key.id.slice("rag-aid-".length), {
        reason: text("report_reason"),
        detail: text("report_detail").split("{n}").join(n).split("{where}").join(where)
      });
    });
    document.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("#rag-chat .message-buttons button");
      if (!b) return;
      var names = config.text.feedback_labels || {};
      var label = b.getAttribute("aria-label");
      if (label === names.Like) thankInline(b);
      var down = label === names.Dislike || label === names.Feedback;
      if (!down) return;
      var answerId = answerIdNear(b);
      if (!answerId) return;
      if (label === names.Feedback) e.stopPropagation(); // the sheet replaces Gradio's hover list
      setTimeout(function () { open(b, answerId); }, 0);
    }, true);
  }

  // ---- 长辈版 (适老化: MIIT 2021, GB/T 37668): one remembered switch; 朗读 reads an answer aloud -------------
  function elderMode() {
    var top = $("#rag-top");
    if (!top || $("#rag-elder")) return;
    var key = "rag-elder";
    var on = params.get("elder") === "1";
    try { on = on || window.localStorage.getItem(key) === "1"; } catch (e) { /* storage blocked: not remembered */ }
    var button = document.createElement("button");
    button.type = "button";
    button.id = "rag-elder";
    button.textContent = t("elder");
    button.title = t("elder_hint");
    function set(value) {
      document.documentElement.classList.toggle("rag-elder", value);
      button.setAttribute("aria-pressed", String(value));
      try { window.localStorage.setItem(key, value ? "1" : "0"); } catch (e) { /* not remembered */ }
    }
    button.addEventListener("click", function () { set(button.getAttribute("aria-pressed") !== "true"); });
    top.appendChild(button);
    set(on);
  }

  function speakAnswers() {
    var synth = window.speechSynthesis;
    if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return;
    document.documentElement.classList.add("rag-can-speak");
    var speaking = null;
    document.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("#rag-chat button.rag-speak");
      if (!b) return;
      synth.cancel();
      if (speaking === b) { speaking = null; b.textContent = t("speak"); return; }
      if (speaking) speaking.textContent = t("speak");
      var body = b.parentElement.querySelector(".rag-body");
      var u = new SpeechSynthesisUtterance((body ? body.innerText : "").replace(/\[\d+\]/g, ""));
      u.lang = "zh-CN";
      u.rate = 0.9;
      u.onend = function () { if (speaking === b) { speaking = null; b.textContent = t("speak"); } };
      speaking = b;
      b.textContent = t("speak_stop");
      synth.speak(u);
    });
  }

  // ---- voice input (长辈版 on a phone, where the browser has a recogniser): what is said goes into the box, not
  // sent; the page itself sends no audio anywhere (the browser's own recogniser does the listening)
  function voiceInput() {
    var Rec = window.SpeechRecognition || window.webkitSpeechRecognition;
    var box = $("#rag-input textarea");
    if (typeof Rec !== "function" || !box || $("#rag-voice")) return;
    document.documentElement.classList.add("rag-can-listen");
    var max = config.max_chars || 500;
    var button = document.createElement("button");
    button.type = "button"; button.id = "rag-voice"; button.textContent = t("voice");
    button.setAttribute("aria-pressed", "false");
    var rec = null;
    function done() { rec = null; button.textContent = t("voice"); button.setAttribute("aria-pressed", "false"); }
    button.addEventListener("click", function () {
      if (rec) { rec.stop(); return; }
      rec = new Rec();
      rec.lang = "zh-CN"; rec.interimResults = false; rec.maxAlternatives = 1;
      rec.onresult = function (e) {
        var said = (e.results && e.results[0] && e.results[0][0] && e.results[0][0].transcript) || "";
        setNativeValue(box, (box.value + said).slice(0, max));
        box.focus();
      };
      rec.onerror = function () {
        var note = $("#rag-input-note");
        if (note) note.textContent = t("voice_failed");
        done();
      };
      rec.onend = done;
      button.textContent = t("voice_stop"); button.setAttribute("aria-pressed", "true");
      try { rec.start(); } catch (err) { rec.onerror(); }
    });
    box.closest("#rag-input").appendChild(button);
  }

  // ---- phone keyboard open: the header and tabs give their room to the conversation ---------------------
  function keyboardRoom() {
    var vv = window.visualViewport;
    if (!vv) return;
    var tallest = vv.height, width = vv.width;
    function update() {
      // a new width (rotation, the page's own layout settling) starts over: heights compare at one width only
      if (Math.abs(vv.width - width) > 1) { width = vv.width; tallest = vv.height; }
      tallest = Math.max(tallest, vv.height);
      var typing = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest("#rag-input");
      document.documentElement.classList.toggle("rag-typing", !!typing && vv.height < tallest * 0.75);
    }
    vv.addEventListener("resize", update);
    document.addEventListener("focusin", update);
    document.addEventListener("focusout", function () { setTimeout(update, 0); });
  }

  // ---- print / save as PDF: the conversation as a plain page (answers with their whole clauses) -------------
  function printButton() {
    var panel = $("#rag-chat .top-panel");
    if (!panel || panel.querySelector(".rag-print-btn") || !$("#rag-chat .message-row")) return;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "rag-print-btn";
    b.textContent = t("print_short");
    b.setAttribute("aria-label", t("print"));
    b.title = t("print");
    b.addEventListener("click", function () { window.print(); });
    panel.insertBefore(b, panel.firstChild);
  }

  function printView() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      document.documentElement.classList.add("rag-print");
      document.querySelectorAll("#rag-chat details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
    });
    window.addEventListener("afterprint", function () {
      document.documentElement.classList.remove("rag-print");
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    });
  }

  // ---- a suggested next question is sent like an example; arrow keys move between the tabs ----------------
  function suggestAndTabs() {
    document.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("#rag-chat button.rag-suggest");
      var box = $("#rag-input textarea");
      if (!b || !box) return;
      setNativeValue(box, b.textContent);
      var send = $("#rag-input button.submit-button, #rag-input button[type=submit]");
      setTimeout(function () {
        if (send) send.click();
        else box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      }, 0);
    });
    document.addEventListener("keydown", function (e) {
      var tab = e.target.closest && e.target.closest("#rag-tabs [role=tab]");
      if (!tab || (e.key !== "ArrowRight" && e.key !== "ArrowLeft")) return;
      var tabs = Array.prototype.filter.call(tab.parentElement.querySelectorAll("[role=tab]"),
        function (x) { return x.offsetParent !== null; });
      var next = tabs[(tabs.indexOf(tab) + (e.key === "ArrowRight" ? 1 : -1) + tabs.length) % tabs.length];
      if (next) { e.preventDefault(); next.focus(); next.click(); }
    });
  }

  // ---- Gradio's own English (toasts, a few aria labels) in Chinese --------------------------------------
  function translateGradio(root) {
    var map = config.text.gradio_text;
    if (!map) return;
    (root || document).querySelectorAll("[aria-label], [title]").forEach(function (el) {
      ["aria-label", "title"].forEach(function (a) {
        var v = el.getAttribute(a);
        if (!v || !/[A-Za-z]/.test(v)) return;
        if (map[v]) el.setAttribute(a, map[v]);
        else if (/^(bot|user)'s message/.test(v)) el.setAttribute(a, map[v.split(":")[0]]);
      });
    });
    // toasts, and the status announcements Gradio reads out (its zh-CN lacks "common.complete": the raw key shows)
    var texts = ".toast-title, .toast-text, .toast-details, .toast-body div, [aria-live], [aria-live] *, [role=status] *";
    document.querySelectorAll(texts).forEach(function (el) {
      if (el.children.length) return;
      var v = el.textContent.trim();
      if (!map[v]) return;
      // the text node's data, not textContent: Gradio keeps the node and writes its next message into it
      if (el.firstChild && el.firstChild.nodeType === 3 && el.childNodes.length === 1) el.firstChild.data = map[v];
      else el.textContent = map[v];
    });
  }

  // ---- widget frame ---------------------------------------------------------------------------------
  function frameLink() {
    if (!framed) return;
    // at once, before Gradio boots: the host page knows the chat itself loaded (a refused frame never says it)
    window.parent.postMessage({ type: "rag-widget-hello" }, "*");
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") window.parent.postMessage({ type: "rag-widget-close" }, "*");
    }, true);
    window.addEventListener("message", function (e) {
      if (e.source !== window.parent || !e.data || e.data.type !== "rag-widget-focus") return;
      var box = $("#rag-input textarea");
      if (box) box.focus();
    });
  }

  function focusInput() {
    if (framed) { // the host page asks for focus (rag-widget-focus) when its panel opens; tell it we can
      window.parent.postMessage({ type: "rag-widget-ready" }, "*");
      return;
    }
    var box = $("#rag-input textarea");
    if (box && !document.activeElement.closest("#rag-input") && document.activeElement === document.body) box.focus();
  }

  function whenReady() {
    if (!$("#rag-input textarea") || !$("#rag-chat")) return false;
    regionSelect();
    elderMode();
    voiceInput();
    readingOrder();
    inputHelp();
    labels();
    return true;
  }

  pinLocale();
  embedMode();
  frameLink();
  citeLinks();
  suggestAndTabs();
  printView();
  keyboardRoom();
  var query = params.get("region") ? "?region=" + encodeURIComponent(params.get("region")) : "";
  fetch("/ui/config.json" + query, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : config; })
    .catch(function () { return config; })
    .then(function (c) {
      config = c;
      feedbackSheet();
      speakAnswers();
      var focused = false;
      var translating = false;
      var observer = new MutationObserver(function () {
        if (!translating) {
          translating = true;
          requestAnimationFrame(function () { translating = false; translateGradio(); });
        }
        if (whenReady()) {
          labels();
          printButton();
          if (!focused) { focused = true; focusInput(); }
        }
      });
      function start() {
        // characterData: Gradio writes its status announcements into an existing text node
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
        if (whenReady() && !focused) { focused = true; focusInput(); }
      }
      if (document.body) start();
      else document.addEventListener("DOMContentLoaded", start);
    });
})();
