/*
 * 生育政策问答 — embeddable chat widget.
 *
 *   <script src="https://HOST/embed.js" data-region="qingdao" data-title="生育政策问答"></script>
 *
 * Adds a floating button; clicking it opens the chat (HOST/?embed=1&region=…) in an iframe.
 * Everything lives in a Shadow DOM with `ragw-` prefixed classes, so no style leaks either way, and
 * nothing is loaded from anywhere but HOST (works on an offline intranet).
 * Optional attributes: data-region (a slug such as qingdao, any case, or a name: 青岛市, 青岛; resolved by the
 * server, and an unknown value is said in the console and in the chat), data-title,
 * data-position ("left" | "right", default right), data-open ("true" opens the panel at once),
 * data-region-lock ("true": answer only about data-region; a question about another region gets a one-line
 * notice and a link to the general assistant, never the preset region's rule).
 * data-region is a default: a covered place named in the question wins, and the answer says so.
 * Keyboard: opening moves focus into the chat's input, Escape (anywhere in the panel, the chat included) closes
 * it and focus returns to the button.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__ragWidget) return;
  window.__ragWidget = true;

  var base = new URL(".", script.src);
  var REFUSED = "此网站尚未获准嵌入生育政策问答，请联系网站管理员；您也可以直接打开：";
  var region = (script.getAttribute("data-region") || "").trim().slice(0, 40);
  var title = script.getAttribute("data-title") || "生育政策问答";
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  var src = new URL("./", base);
  src.searchParams.set("embed", "1");
  if (region) src.searchParams.set("region", region);
  if (region && script.getAttribute("data-region-lock") === "true") src.searchParams.set("lock", "1");

  var css = [
    ":host{all:initial}",
    ".ragw-root{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;font:14px/1.4 system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif}",
    ".ragw-btn{display:flex;align-items:center;gap:6px;border:0;border-radius:28px;padding:12px 18px;background:#2f6fdd;color:#fff;font:inherit;font-size:15px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".ragw-btn:hover{background:#2559b5}.ragw-btn:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}",
    ".ragw-panel{position:fixed;bottom:84px;" + side + ":20px;width:400px;height:min(640px,calc(100vh - 110px));display:none;flex-direction:column;background:#fff;border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.3)}",
    ".ragw-open .ragw-panel{display:flex}",
    ".ragw-bar{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#2f6fdd;color:#fff;font-weight:600}",
    ".ragw-close{border:0;background:transparent;color:#fff;font-size:26px;line-height:1;cursor:pointer;min-width:44px;min-height:44px;margin:-8px -10px -8px 0;border-radius:6px}",
    ".ragw-close:focus-visible{outline:3px solid #f59e0b;outline-offset:-3px}",
    ".ragw-refused{padding:20px;font-size:16px;line-height:1.6;color:#111827}.ragw-refused a{color:#1d4ed8;word-break:break-all}",
    ".ragw-frame{flex:1;width:100%;border:0;background:#fff}",
    "@media (max-width:600px){.ragw-panel{inset:0;width:100vw;height:100vh;height:100dvh;border-radius:0;bottom:0;" + side + ":0}.ragw-open .ragw-btn{display:none}}"
  ].join("\n");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text; // never innerHTML: titles come from the host page
    return e;
  }

  function icon() { // a speech bubble drawn inline: no emoji font or image request needed
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z");
    svg.appendChild(path);
    return svg;
  }

  function mount() {
    var host = el("div");
    host.setAttribute("data-rag-widget", "");
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = el("style");
    style.textContent = css;
    var wrap = el("div", "ragw-root");
    var btn = el("button", "ragw-btn");
    btn.appendChild(icon());
    btn.appendChild(el("span", "", title));
    btn.type = "button";
    btn.setAttribute("aria-expanded", "false");
    btn.setAttribute("aria-controls", "ragw-panel");
    var panel = el("div", "ragw-panel");
    panel.id = "ragw-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    var bar = el("div", "ragw-bar");
    var close = el("button", "ragw-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "关闭");
    bar.appendChild(el("span", "", title));
    bar.appendChild(close);
    panel.appendChild(bar);
    var frame = null;

    var ready = false;
    var hello = false; // the chat page itself answered (a frame the server refuses to be embedded in never does)

    function refused() { // one clear sentence in the panel instead of a blank grey box
      if (hello || !frame || panel.querySelector(".ragw-refused")) return;
      var note = el("div", "ragw-refused", REFUSED);
      var link = el("a", "", src.origin + "/");
      link.href = src.origin + "/";
      link.target = "_blank";
      link.rel = "noopener";
      note.appendChild(link);
      note.setAttribute("role", "alert");
      frame.style.display = "none";
      panel.appendChild(note);
      if (window.console) console.warn("生育政策问答：" + REFUSED + src.origin + "/（本站 " + location.origin + " 不在服务端 allowed_origins 中）");
    }
    var wantFocus = false; // opened by the user: move focus into the chat once it can take it

    function focusChat() { // focus the frame, then ask the chat (another origin) to focus its own input
      if (!frame || !wantFocus) return;
      frame.focus();
      if (ready) {
        frame.contentWindow.postMessage({ type: "rag-widget-focus" }, src.origin);
        wantFocus = false;
      }
    }

    function toggle(open, byUser) {
      if (open && !frame) { // the chat loads only when first opened
        frame = el("iframe", "ragw-frame");
        frame.title = title;
        frame.src = src.href;
        frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
        // the chat says hello as its first script runs, before the frame's load event: no hello by a moment after
        // load means the page was refused (frame-ancestors) or is not the assistant
        frame.addEventListener("load", function () { setTimeout(refused, 1500); });
        panel.appendChild(frame);
      }
      var wasOpen = wrap.classList.contains("ragw-open");
      wrap.classList.toggle("ragw-open", open);
      btn.setAttribute("aria-expanded", String(open));
      wantFocus = open && byUser !== false;
      if (open) focusChat();
      else if (wasOpen) btn.focus();
    }
    btn.addEventListener("click", function () { toggle(!wrap.classList.contains("ragw-open")); });
    close.addEventListener("click", function () { toggle(false); });
    // Escape on the host page (the panel's own bar included) ...
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && wrap.classList.contains("ragw-open")) toggle(false);
    });
    // ... and from inside the chat frame, which reports it (and that its input exists) by message
    window.addEventListener("message", function (e) {
      if (!frame || e.source !== frame.contentWindow || e.origin !== src.origin || !e.data) return;
      if (e.data.type === "rag-widget-hello") hello = true;
      if (e.data.type === "rag-widget-warning" && window.console) console.warn(String(e.data.text).slice(0, 300));
      if (e.data.type === "rag-widget-close" && wrap.classList.contains("ragw-open")) toggle(false);
      if (e.data.type === "rag-widget-ready") {
        ready = true;
        if (wrap.classList.contains("ragw-open")) focusChat();
      }
    });
    wrap.appendChild(panel);
    wrap.appendChild(btn);
    root.appendChild(style);
    root.appendChild(wrap);
    document.body.appendChild(host);
    if (script.getAttribute("data-open") === "true") toggle(true, false); // open, but the host page keeps focus
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
