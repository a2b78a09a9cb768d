"""Real browser (Debian chromium via Playwright) against `rag serve` (a real process), at desktop 1366x768, phone
390x844, and the widget on a third-party page served from ANOTHER origin (a second loopback server). One test per
problem of issue 13 (numbered in the test names' docstrings), plus CSP, no outside requests, hostile input, and an
axe-core accessibility scan (no serious or critical violations) of the page, light and dark, and the widget.
Screenshots go to a temp folder; `make screenshots` (RAG_UPDATE_SCREENSHOTS=1) refreshes docs/*.png."""

from __future__ import annotations

import functools
import os
import re
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _live_server import free_port, rag_serve

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / ".cache" / "axe" / "axe.min.js"  # fetched from the npm registry by scripts/sysdeps.sh
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):  # CI installs it (scripts/sysdeps.sh): a missing browser there is a failure
        raise RuntimeError("Debian chromium is missing in CI: scripts/sysdeps.sh did not install it")
    pytest.skip("Debian chromium is not installed (make sysdeps)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

DOCS = (
    ROOT / "docs"
    if os.environ.get("RAG_UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "rag-screenshots"
)
DOCS.mkdir(parents=True, exist_ok=True)
Q = "青岛育儿假有几天？"
BEIJING_Q = "北京产假多少天？"
T = 90_000  # ms; generous for a busy 2-core machine (no timing is asserted)
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


# ---- servers ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def host_origin():
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def server(host_origin):
    # the real `rag serve` command, configured through the environment as an operator would
    with rag_serve({"RAG_ALLOWED_ORIGINS": f"https://www.example.gov.cn,{host_origin}"}) as url:
        yield url


class _HostPage(BaseHTTPRequestHandler):
    """A third-party site: the demo page with the widget script pointing at the assistant's origin."""

    def __init__(self, *a, pages: dict, **kw):
        self.pages = pages
        super().__init__(*a, **kw)

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/favicon.ico":  # a site without an icon, without a 404 in the console
            self.send_response(204)
            self.end_headers()
            return
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def host(server, host_origin):
    demo = (ROOT / "examples" / "embed.html").read_text(encoding="utf-8")
    tag = '<script src="/embed.js" data-region="qingdao" data-title="生育政策问答"></script>'
    assert tag in demo
    widget = tag.replace('src="/embed.js"', f'src="{server}/embed.js"')
    pages = {
        "/": demo.replace(tag, widget).encode(),
        "/locked.html": demo.replace(
            tag, widget.replace("data-region=", 'data-region-lock="true" data-region=')
        ).encode(),
    }
    httpd = ThreadingHTTPServer(
        ("127.0.0.1", urlparse(host_origin).port), functools.partial(_HostPage, pages=pages)
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield host_origin
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


class Watch:
    """Records every request, console error (any frame), uncaught error and JS dialog of a page."""

    def __init__(self, page):
        self.urls, self.problems = [], []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        page.on("console", lambda m: "Content Security Policy" in m.text and self.problems.append(m.text))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status} {r.url}"))
        page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))

    def outside(self) -> list[str]:
        return [
            u
            for u in self.urls
            if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname != "127.0.0.1"
        ]


def _ask(scope, question: str, nth: int):
    """Types and submits; resubmits if Gradio was still finishing the previous event and ignored it."""
    box = scope.locator("#rag-input textarea")
    box.wait_for(timeout=T)
    for attempt in range(6):
        if box.input_value() != question:
            box.fill(question)
        box.press("Enter")
        try:
            scope.locator("#rag-chat .bot").nth(nth).wait_for(timeout=15_000)
            return
        except sync_api.TimeoutError:
            if attempt == 5:
                raise


def _answered(scope, nth: int):
    """Waits until the nth answer is complete (its citation cards or its final text are there)."""
    bot = scope.locator("#rag-chat .bot").nth(nth)
    bot.wait_for(timeout=T)
    expect(bot).not_to_have_text("", timeout=T)
    return bot


def _question_and_answer_start_visible(scope, nth: int) -> dict:
    """Geometry of the nth question and its answer's first line inside the chat log's scroll area."""
    return (
        scope.locator("#rag-chat .message-row.user-row")
        .nth(nth)
        .evaluate(
            """(row) => {
            let box = row.parentElement;
            while (box && !(/(auto|scroll)/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight))
                box = box.parentElement;
            box = box || document.querySelector('#rag-chat [role=log]');
            const view = box.getBoundingClientRect();
            const q = row.getBoundingClientRect();
            const bot = row.nextElementSibling || row;
            const a = bot.getBoundingClientRect();
            return {viewTop: view.top, viewBottom: view.bottom, qTop: q.top, qBottom: q.bottom,
                    aTop: a.top, firstLine: a.top + 28, scrollable: box.scrollHeight > box.clientHeight};
        }"""
        )
    )


def _assert_reading_order(scope, nth: int):
    g = _question_and_answer_start_visible(scope, nth)
    assert g["qTop"] >= g["viewTop"] - 1, g  # the question is not above the visible log
    assert g["firstLine"] <= g["viewBottom"] + 1, g  # the answer's first line is visible below it


def _no_page_scroll(scope) -> bool:
    """One scroll area: the document itself does not scroll, only the chat log."""
    return scope.locator("html").evaluate(
        "e => document.scrollingElement.scrollHeight <= window.innerHeight + 1"
    )


def _in_viewport(locator, height: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


# ---- the widget on a third-party origin (problems 1, 2, 4, 8) ------------------------------------------
def test_widget_on_another_origin_region_rule_focus_escape_and_one_scroll_area(host, browser):
    """1 (preset region is a default, with a notice), 2 (answer start in view), 4 (focus in on open, Escape from
    inside the chat, focus back on the button, no console errors), 5/8 (examples sent on click, compact header,
    one scroll area)."""
    page = browser.new_page(viewport=DESKTOP)
    watch = Watch(page)
    page.goto(host + "/")
    host_button_color = page.locator("main button").evaluate("e => getComputedStyle(e).color")
    page.locator("button.ragw-btn").click()  # Playwright's CSS pierces the open shadow root
    chat = page.frame_locator("iframe.ragw-frame")
    box = chat.locator("#rag-input textarea")
    expect(box).to_be_focused(timeout=T)  # focus moved into the chat's input
    expect(chat.locator("#rag-chat")).to_contain_text("青岛市", timeout=T)  # greeting follows the preset
    examples = chat.locator("#rag-examples button")
    expect(examples.first).to_have_text("青岛育儿假有几天？", timeout=T)
    examples.first.click()  # an example is sent, not just copied into the box
    chat.locator("#rag-chat .rag-cite").first.wait_for(timeout=T)
    assert "10天" in _answered(chat, 0).inner_text()
    # 8: compact header, one scroll area
    assert chat.locator("#rag-top").bounding_box()["height"] <= 56
    assert chat.locator("#rag-region-select").input_value() == "qingdao"
    assert _no_page_scroll(chat)
    # 1: a place named in the question wins over data-region, and the answer says so
    _ask(chat, BEIJING_Q, 1)
    chat.locator("#rag-chat .bot").nth(1).locator(".rag-notice").wait_for(timeout=T)
    bot = _answered(chat, 1)
    assert "北京市" in bot.locator(".rag-notice").inner_text()
    assert bot.locator(".rag-cite .rag-region").first.inner_text() == "北京市"
    # 2: the question and the start of its answer are in view
    _assert_reading_order(chat, 1)
    # the host page's `button { … !important }` did not reach the widget, and the widget did not restyle the page
    assert page.locator("button.ragw-btn").evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    assert page.locator("main button").evaluate("e => getComputedStyle(e).color") == host_button_color
    page.screenshot(path=str(DOCS / "embed.png"))
    # 4: Escape from inside the chat closes the panel and focus returns to the button
    box.focus()
    box.press("Escape")
    expect(page.locator(".ragw-panel")).to_be_hidden(timeout=T)
    expect(page.locator("button.ragw-btn")).to_be_focused(timeout=T)
    page.locator("button.ragw-btn").click()
    expect(box).to_be_focused(timeout=T)
    page.keyboard.press("Escape")
    expect(page.locator(".ragw-panel")).to_be_hidden(timeout=T)
    assert watch.outside() == [] and watch.problems == [], watch.problems  # no autofocus errors either
    page.close()


def test_locked_widget_answers_other_regions_with_a_notice_only(host, browser):
    """1 (data-region-lock="true"): a notice and a link to the general assistant, never the locked region's rule."""
    page = browser.new_page(viewport=DESKTOP)
    watch = Watch(page)
    page.goto(host + "/locked.html")
    page.locator("button.ragw-btn").click()
    chat = page.frame_locator("iframe.ragw-frame")
    expect(chat.locator("#rag-chat")).to_contain_text("只解答青岛市", timeout=T)
    assert chat.locator("#rag-region-select").is_disabled()
    _ask(chat, BEIJING_Q, 0)
    notice = chat.locator("#rag-chat .bot .rag-notice").first
    notice.wait_for(timeout=T)
    bot = _answered(chat, 0)
    assert "北京市" in notice.inner_text() and notice.locator("a").count() == 1
    assert "青岛市" not in [r.inner_text() for r in bot.locator(".rag-cite .rag-region").all()]
    assert "60天" not in bot.inner_text()  # Qingdao's maternity-leave rule
    assert watch.outside() == [] and watch.problems == [], watch.problems
    page.close()


# ---- the full page, desktop (problems 1, 3, 4, 5, 6, 9) -------------------------------------------------
def test_desktop_examples_above_the_fold_region_select_and_no_repeated_source(server, browser):
    """5 (examples visible at 1366x768 and sent on click), 1 (selected region is a default), 6 (no 依据 line above
    the cards), 9 (lang, Chinese labels)."""
    page = browser.new_page(viewport=DESKTOP)
    watch = Watch(page)
    page.goto(server + "/")
    examples = page.locator("#rag-examples button")
    expect(examples).to_have_count(4, timeout=T)
    assert all(_in_viewport(examples.nth(i), DESKTOP["height"]) for i in range(4))
    assert _in_viewport(page.locator("#rag-input textarea"), DESKTOP["height"])
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("#rag-input textarea").get_attribute("aria-label") == "输入您的问题"
    assert page.locator("#rag-chat [role=log]").get_attribute("aria-label") == "对话记录"
    assert page.get_by_label("地区").evaluate("e => e.tagName") == "SELECT"
    page.locator("#rag-region-select").select_option("beijing")
    examples.first.click()  # "青岛育儿假有几天？" with 北京市 selected
    page.locator("#rag-chat .bot .rag-cite").first.wait_for(timeout=T)
    bot = _answered(page, 0)
    assert bot.locator(".rag-cite .rag-region").first.inner_text() == "青岛市"
    assert "青岛市" in bot.locator(".rag-notice").inner_text()
    text = bot.inner_text()
    assert "依据：" not in text and "10天" in text  # 6: the card says where it comes from
    labels = page.locator("#rag-chat .message-buttons button").evaluate_all(
        "bs => bs.map(b => b.getAttribute('aria-label') || b.getAttribute('title') || b.textContent.trim())"
    )
    assert labels and all(label and not re.search(r"[A-Za-z]", label) for label in labels), labels
    page.screenshot(path=str(DOCS / "chat.png"))
    assert watch.outside() == [] and watch.problems == [], watch.problems
    page.close()


def test_keyboard_focus_is_visible_and_the_region_control_stays_closed(server, browser):
    """4: tabbing through 地区 opens nothing over the chat; every focused control shows an outline."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(server + "/")
    page.locator("#rag-region-select").wait_for(timeout=T)
    page.locator("body").click(position={"x": 5, "y": 5})
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                const wrap = e.closest('#rag-input'); const w = wrap ? getComputedStyle(wrap) : null;
                return {tag: e.tagName, id: e.id, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
                        || (w && w.outlineStyle !== 'none' && parseFloat(w.outlineWidth) >= 2)}; }"""
        )
        if info["tag"] in ("BODY", "IFRAME"):
            continue
        seen.append(info)
        assert info["outline"], info
    assert {"rag-region-select"} <= {i["id"] for i in seen} and "TEXTAREA" in {i["tag"] for i in seen}
    assert page.locator("[role=listbox]:visible, ul.options:visible").count() == 0
    page.close()


def test_off_topic_after_a_regional_question_is_not_a_section_list(server, browser):
    """3: an off-topic follow-up gets the general refusal, not "<region>的…方案中没有找到…" and its sections."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(server + "/")
    _ask(page, Q, 0)
    page.locator("#rag-chat .bot .rag-cite").first.wait_for(timeout=T)
    _ask(page, "今天天气怎么样？", 1)
    text = _answered(page, 1).inner_text()
    assert "该方案主要包括" not in text and not text.startswith("青岛市的")
    page.close()


def test_input_counter_paste_cut_message_and_blank_input(server, browser):
    """7: a live counter near the limit, a clear message when a paste is cut, whitespace-only does nothing."""
    ctx = browser.new_context(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    page = ctx.new_page()
    page.goto(server + "/")
    box = page.locator("#rag-input textarea")
    box.wait_for(timeout=T)
    page.locator("#rag-region-select").wait_for(timeout=T)
    box.fill("   ")
    box.press("Enter")
    page.wait_for_timeout(1500)
    assert page.locator("#rag-chat .message-row").count() == 0  # no empty question bubble
    box.fill("")
    page.evaluate("t => navigator.clipboard.writeText(t)", "育" * 600)
    box.focus()
    page.keyboard.press("Control+V")
    note = page.locator("#rag-input-note")
    expect(note).to_contain_text("600", timeout=T)
    expect(note).to_contain_text("500", timeout=T)
    assert len(box.input_value()) == 500
    expect(note).to_contain_text("已输入 500/500 字")
    box.fill("育" * 300)
    expect(note).to_be_hidden()  # far from the limit: no counter, no stale message
    box.fill("育" * 450)
    expect(note).to_have_text("已输入 450/500 字")
    ctx.close()


# ---- phone ------------------------------------------------------------------------------------------------
def test_phone_page_keeps_each_answer_start_in_view(server, browser):
    """2 and 8 on a phone: after each answer the question and the answer's first line are visible; examples are
    visible without scrolling; only the chat log scrolls."""
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(server + "/")
    examples = page.locator("#rag-examples button")
    expect(examples).to_have_count(4, timeout=T)
    assert all(_in_viewport(examples.nth(i), 844) for i in range(4))
    _ask(page, Q, 0)
    page.locator("#rag-chat .bot .rag-cite").first.wait_for(timeout=T)
    expect(page.locator("#rag-examples")).to_be_hidden()  # the conversation gets the examples' room
    _ask(page, "那北京呢？", 1)
    page.locator("#rag-chat .bot").nth(1).locator(".rag-cite").first.wait_for(timeout=T)
    page.wait_for_timeout(500)
    _assert_reading_order(page, 1)
    g = _question_and_answer_start_visible(page, 1)
    assert g["scrollable"]  # long enough that scrolling mattered
    assert g["qTop"] - g["viewTop"] <= 60, g  # the question at the top: the answer below it gets the screen
    assert _no_page_scroll(page)
    page.screenshot(path=str(DOCS / "phone.png"))
    assert watch.outside() == [] and watch.problems == [], watch.problems
    ctx.close()


def test_widget_fills_a_phone_screen(host, browser):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(host + "/")
    page.locator("button.ragw-btn").tap()
    frame = page.locator("iframe.ragw-frame")
    frame.wait_for(timeout=T)
    panel = page.locator(".ragw-panel").bounding_box()
    assert panel["width"] >= 389 and panel["height"] >= 800
    chat = page.frame_locator("iframe.ragw-frame")
    chat.locator("#rag-input textarea").wait_for(timeout=T)
    examples = chat.locator("#rag-examples button")
    expect(examples).to_have_count(4, timeout=T)
    assert all(_in_viewport(examples.nth(i), 844) for i in range(4))
    assert _no_page_scroll(chat)
    page.locator("button.ragw-close").tap()
    assert not page.locator(".ragw-panel").is_visible()
    ctx.close()


# ---- 各地对比 tab ----------------------------------------------------------------------------------------------
def test_compare_tab_links_each_value_to_its_citation_card(server, browser):
    """The new tab: main benefits per region; a value's [n] shows its clause card; "未规定" cells are plain."""
    ctx = browser.new_context(viewport=DESKTOP, bypass_csp=AXE.is_file())
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(server + "/")
    page.get_by_role("tab", name="各地对比").click()
    table = page.locator("#rag-compare table.rag-compare")
    table.wait_for(timeout=T)
    assert table.locator("thead th").all_inner_texts()[1:4] == ["北京市", "重庆市", "贵州省"]
    row = table.locator("tbody tr").filter(has=page.locator("th", has_text=re.compile(r"^育儿假$")))
    qingdao = row.locator("td").nth(3)  # columns follow documents.toml: 北京 重庆 贵州 青岛 通化
    assert "10天" in qingdao.inner_text()
    plain = table.locator("td", has_text=re.compile(r"^未规定$")).first
    assert plain.locator("a").count() == 0
    url = page.url
    qingdao.locator("a.rag-cell-link").click()
    anchor = qingdao.locator("a.rag-cell-link").get_attribute("href")[1:]
    card = page.locator(f".rag-cite:has([id='{anchor}'])")
    expect(card).to_be_in_viewport(timeout=T)
    assert "青岛市" in card.locator(".rag-region").inner_text()
    assert card.locator("mark", has_text="10天").count() >= 1  # the sentence the value comes from
    assert page.url == url  # scrolled, not navigated
    page.screenshot(path=str(DOCS / "compare.png"))
    if AXE.is_file():
        assert _axe(page) == []
    assert watch.outside() == [] and watch.problems == [], watch.problems
    ctx.close()


# ---- security carried over ---------------------------------------------------------------------------------
def test_hostile_input_is_shown_as_text_and_runs_nothing(server, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    watch = Watch(page)
    page.goto(server + "/")
    attack = (
        '青岛育儿假<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
        "![t](http://127.0.0.2:9/track.png)"
    )
    _ask(page, attack, 0)
    user = page.locator("#rag-chat .user").first
    user.wait_for(timeout=T)
    assert "<img src=x" in user.inner_text() and "![t](http://127.0.0.2:9/track.png)" in user.inner_text()
    assert page.evaluate("window.__pwned === undefined")
    assert (
        page.locator("#rag-chat img[src*='127.0.0.2'], #rag-chat img[src='x'], #rag-chat script").count() == 0
    )
    assert watch.outside() == [] and not [p for p in watch.problems if "dialog" in p or "pageerror" in p]
    page.close()


# ---- accessibility (problem 9) -------------------------------------------------------------------------------
def _axe(frame, context: str = "document") -> list[dict]:
    """axe-core in the page (CSP bypassed for the test's own script only): serious and critical violations."""
    frame.add_script_tag(path=str(AXE))
    result = frame.evaluate(
        f"async () => (await axe.run({context}, {{iframes: false, resultTypes: ['violations']}})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def _placeholder_contrast(page) -> float:
    """WCAG contrast of the input's placeholder against the first opaque background behind it."""
    return page.locator("#rag-input textarea").evaluate(
        """(box) => {
            const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
            const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
                return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
                .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
            const fg = rgb(getComputedStyle(box, "::placeholder").color);
            let el = box, bg = null;
            while (el) { const c = rgb(getComputedStyle(el).backgroundColor);
                if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) { bg = c; break; } el = el.parentElement; }
            bg = bg || [255, 255, 255];
            const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
            return (a + 0.05) / (b + 0.05);
        }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_scan_of_the_page(server, browser, scheme):
    if not AXE.is_file():
        if os.environ.get("CI"):
            raise RuntimeError("axe.min.js is missing in CI: scripts/sysdeps.sh did not fetch it")
        pytest.skip("axe-core is not fetched (make sysdeps)")
    ctx = browser.new_context(viewport=DESKTOP, bypass_csp=True, color_scheme=scheme)
    page = ctx.new_page()
    page.goto(server + "/" + ("?__theme=dark" if scheme == "dark" else ""))
    _ask(page, Q, 0)
    page.locator("#rag-chat .rag-cite").first.wait_for(timeout=T)
    page.locator("#rag-region-select").select_option("qingdao")
    _ask(page, BEIJING_Q, 1)  # with the notice line
    _answered(page, 1)
    assert _placeholder_contrast(page) >= 4.5  # axe does not rate placeholders; the issue measured 1.9:1
    page.locator("#rag-input textarea").fill("育" * 450)  # the counter too
    assert _axe(page) == []
    ctx.close()


def test_axe_scan_of_the_widget(host, browser):
    if not AXE.is_file():
        if os.environ.get("CI"):
            raise RuntimeError("axe.min.js is missing in CI: scripts/sysdeps.sh did not fetch it")
        pytest.skip("axe-core is not fetched (make sysdeps)")
    ctx = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = ctx.new_page()
    page.goto(host + "/")
    page.locator("button.ragw-btn").click()
    frame_el = page.locator("iframe.ragw-frame")
    frame_el.wait_for(timeout=T)
    chat = page.frame_locator("iframe.ragw-frame")
    _ask(chat, Q, 0)
    chat.locator("#rag-chat .rag-cite").first.wait_for(timeout=T)
    assert _axe(page, "{include: [['[data-rag-widget]']]}") == []  # the widget's button and panel
    assert _axe(frame_el.element_handle().content_frame()) == []  # the chat inside it
    ctx.close()
