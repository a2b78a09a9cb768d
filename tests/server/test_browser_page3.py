"""Issue 26 in a real browser (Debian chromium via Playwright) against the real `rag serve`: 各地对比 as one card per
region on a phone and AA in dark mode, the 👎 sheet with all four reasons and a stored "哪里不对？" line under the
newest answer on a phone, [n] links that open their clause, a next step under 怎么办, the reading-order pin that
lets go when anything else scrolls, follow-ups that keep the region answered, the widget's data-region by name
(and an unknown one said), a refused origin said in the panel, no English, 44 px targets and a 16 px input."""

from __future__ import annotations

import functools
import re
import threading
import time
from http.server import ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from _browser import chromium
from _live_server import free_port, rag_serve
from test_browser import AXE, DESKTOP, DOCS, PHONE, ROOT, T, Watch, _answered, _ask, _axe, _HostPage, sync_api

from rag.ops.stores import Store
from rag.ops.stores.db import feedback

pytestmark = pytest.mark.slow
expect = sync_api.expect
SHOTS = DOCS  # docs/ under `make screenshots` (RAG_UPDATE_SCREENSHOTS=1), a temp folder otherwise


@pytest.fixture(scope="module")
def origins():
    return f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"  # allowed, refused


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('page3') / 'rag.sqlite'}"


@pytest.fixture(scope="module")
def server(origins, db_url):
    env = {"RAG_ALLOWED_ORIGINS": origins[0], "RAG_DATABASE_URL": db_url, "RAG_RATE_LIMIT": "0"}
    with rag_serve(env) as url:
        yield url


@pytest.fixture(scope="module")
def hosts(server, origins):
    """Two third-party sites with the widget: one allowed to embed it, one not; data-region by name."""
    demo = (ROOT / "examples" / "embed.html").read_text(encoding="utf-8")
    tag = '<script src="/embed.js" data-region="qingdao" data-title="生育政策问答"></script>'

    def page(region: str) -> bytes:
        return demo.replace(
            tag,
            tag.replace('src="/embed.js"', f'src="{server}/embed.js"').replace(
                'data-region="qingdao"', f'data-region="{region}"'
            ),
        ).encode()

    pages = {"/": page("青岛"), "/latin.html": page("Qingdao"), "/unknown.html": page("火星")}
    servers = []
    for origin in origins:
        httpd = ThreadingHTTPServer(
            ("127.0.0.1", int(origin.rsplit(":", 1)[1])), functools.partial(_HostPage, pages=pages)
        )
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
    yield origins
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as b:
        yield b


def _english(scope) -> list[str]:
    """Latin words in the visible text or in any aria-label/title (the answers' own digits and units are fine)."""
    found = scope.locator("body").evaluate(
        """(body) => {
            const out = [];
            const seen = (s) => (s.match(/[A-Za-z]{2,}/g) || []).filter((w) => !['CN','PDF','GB'].includes(w));
            for (const el of body.querySelectorAll('[aria-label], [title]'))
                for (const a of ['aria-label', 'title']) { const v = el.getAttribute(a); if (v) out.push(...seen(v)); }
            out.push(...seen(body.innerText));
            return out; }"""
    )
    return sorted(set(found))


def _small_targets(scope, minimum: int) -> list[str]:
    """Visible clickable elements (buttons, links, tabs, selects) smaller than minimum px in either direction."""
    return scope.locator("body").evaluate(
        f"""(body) => [...body.querySelectorAll('button, a[href], [role=tab], select, summary')]
            .filter((e) => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden')
            // inline links in running text are exempt (WCAG 2.5.8); Gradio's hidden copies of the tabs are not targets
            .filter((e) => !e.closest('.rag-body, .rag-next, .rag-rc-value, .rag-compare, .rag-notice, .visually-hidden'))
            .map((e) => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.width > 0 && (r.width < {minimum} || r.height < {minimum}))
            .map(([e, r]) => (e.getAttribute('aria-label') || e.textContent.trim()).slice(0, 20)
                 + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""
    )


# ---- High: 各地对比 on a phone, dark mode AA ---------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_compare_is_one_card_per_region_on_a_phone_and_passes_axe(server, browser, scheme):
    ctx = browser.new_context(**PHONE, color_scheme=scheme, bypass_csp=True)
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(server + "/" + ("?__theme=dark" if scheme == "dark" else ""))
    page.get_by_role("tab", name="各地对比").click()
    cards = page.locator("#rag-compare .rag-rc")
    expect(cards).to_have_count(5, timeout=T)
    assert not page.locator("#rag-compare table.rag-compare").is_visible()  # no six columns in 374 px
    qingdao = cards.filter(has=page.locator(".rag-rc-name", has_text="青岛市"))
    row = qingdao.locator(".rag-rc-row", has=page.locator(".rag-rc-benefit", has_text=re.compile("^育儿假$")))
    assert "10天" in row.inner_text()
    box = row.locator(".rag-rc-value").bounding_box()
    assert box["width"] >= 180  # a line of text, not a character per line
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 391  # nothing wider than the phone
    row.locator("a.rag-cell-link").click()
    anchor = row.locator("a.rag-cell-link").get_attribute("href")[1:]
    card = page.locator(f".rag-cite:has([id='{anchor}'])")
    expect(card).to_be_in_viewport(timeout=T)
    expect(card.locator("details.rag-full")).to_have_attribute("open", "", timeout=T)  # the clause, opened
    assert re.search(r"\d{4}-\d{2}-\d{2}", card.locator(".rag-meta").inner_text())  # documents.toml's date
    page.screenshot(path=str(SHOTS / f"compare-phone{'-dark' if scheme == 'dark' else ''}.png"))
    if AXE.is_file():
        assert _axe(page) == []
    assert _english(page) == []
    assert watch.outside() == [] and watch.problems == [], watch.problems
    ctx.close()


def test_compare_table_passes_axe_in_dark_mode_on_a_desktop(server, browser):
    if not AXE.is_file():
        pytest.skip("axe-core is not fetched (make sysdeps)")
    ctx = browser.new_context(viewport=DESKTOP, color_scheme="dark", bypass_csp=True)
    page = ctx.new_page()
    page.goto(server + "/?__theme=dark")
    page.get_by_role("tab", name="各地对比").click()
    page.locator("#rag-compare table.rag-compare").wait_for(timeout=T)
    head = page.locator("#rag-compare tbody th").first
    assert head.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(249, 250, 251)"  # not white
    assert _axe(page) == []
    ctx.close()


# ---- High: the 👎 reasons under the newest answer on a phone; free text stored -----------------------------
def _stored_comment(db_url: str, prefix: str, timeout: float = 30) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # every feedback row, not only the newest per answer: the sheet's 👎 and its words may be two rows
        with Store(db_url).engine.connect() as conn:
            comments = [
                c for (c,) in conn.execute(sa.select(feedback.c.comment)) if (c or "").startswith(prefix)
            ]
        if comments:
            return comments[-1]
        time.sleep(0.5)
    return None


def test_thumbs_down_sheet_reaches_every_reason_and_stores_what_is_wrong(server, browser, db_url):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(server + "/")
    _ask(page, "青岛育儿假有几天？", 0)
    _answered(page, 0).locator(".rag-cite").first.wait_for(timeout=T)
    down = page.locator("#rag-chat").get_by_role("button", name="踩", exact=True).last
    down.scroll_into_view_if_needed()
    down.tap()
    sheet = page.locator(".rag-sheet")
    expect(sheet).to_be_visible(timeout=T)
    for reason in ("答案错误", "没回答我的问题", "看不懂", "其他"):
        button = sheet.get_by_role("button", name=reason, exact=True)
        expect(button).to_be_in_viewport(ratio=1.0)
        assert button.bounding_box()["height"] >= 44
    sheet.get_by_role("button", name="其他", exact=True).tap()
    detail = sheet.get_by_role("textbox")
    expect(detail).to_be_focused()
    detail.fill("育儿假应为每年10天，文中写的是累计")
    sheet.get_by_role("button", name="提交").tap()
    expect(sheet.get_by_role("status")).to_contain_text("谢谢", timeout=T)  # inline, not a toast
    assert _stored_comment(db_url, "其他：") == "其他：育儿假应为每年10天，文中写的是累计"
    page.screenshot(path=str(SHOTS / "feedback-sheet-phone.png"))
    page.keyboard.press("Escape")
    expect(sheet).to_have_count(0)
    assert watch.problems == [], watch.problems
    ctx.close()


# ---- Medium: citations, next step, reading order, follow-up region ------------------------------------------
def test_refs_open_their_clause_and_howto_answers_say_where_to_ask(server, browser):
    page = browser.new_page(viewport=DESKTOP)
    watch = Watch(page)
    page.goto(server + "/")
    _ask(page, "北京生育津贴怎么领取？", 0)
    bot = _answered(page, 0)
    bot.locator(".rag-cite").first.wait_for(timeout=T)
    nxt = bot.locator(".rag-next")
    assert "北京市人民政府" in nxt.inner_text() and nxt.locator("a[href='tel:12345']").count() == 1
    meta = bot.locator(".rag-cite .rag-meta").first.inner_text()
    assert "北京市人民政府" in meta and "2022-01-21" in meta  # from documents.toml
    full = bot.locator(".rag-cite details.rag-full").first
    assert full.get_attribute("open") is None  # the whole clause is folded until asked for
    ref = bot.locator(".rag-body a.rag-ref").first
    if ref.count():
        ref.click()
        expect(full).to_have_attribute("open", "", timeout=T)
    else:  # an answer without [n] in its text still opens the clause on its summary
        full.locator("summary").click()
        expect(full).to_have_attribute("open", "")
    full.locator("summary").click()  # folded again
    # print / save: the conversation as a plain page with every clause open, then the page as it was
    expect(page.get_by_role("button", name="打印或保存本次对话")).to_be_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert not page.locator("#rag-input").is_visible() and not page.locator("#rag-examples").is_visible()
    assert full.get_attribute("open") is not None
    page.screenshot(path=str(SHOTS / "print-view.png"), full_page=True)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("#rag-input").is_visible() and full.get_attribute("open") is None
    assert watch.problems == [], watch.problems
    page.close()


def test_the_pin_lets_go_when_the_reader_or_a_button_scrolls(server, browser):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(server + "/")
    _ask(page, "青岛三孩家庭有什么支持？", 0)
    _answered(page, 0).locator(".rag-cite").first.wait_for(timeout=T)
    page.wait_for_timeout(500)
    log = page.locator("#rag-chat [role=log]")
    bottom = log.evaluate(
        """(log) => { let box = log; while (box && !(/(auto|scroll)/.test(getComputedStyle(box).overflowY)
                && box.scrollHeight > box.clientHeight)) box = box.parentElement;
            box = box || log; box.scrollTop = box.scrollHeight; return box.scrollTop; }"""
    )
    page.wait_for_timeout(300)
    log.evaluate("(log) => log.appendChild(document.createElement('span'))")  # any change re-runs the pin
    page.wait_for_timeout(500)
    now = log.evaluate(
        """(log) => { let box = log; while (box && !(/(auto|scroll)/.test(getComputedStyle(box).overflowY)
                && box.scrollHeight > box.clientHeight)) box = box.parentElement; return (box || log).scrollTop; }"""
    )
    assert bottom > 0 and abs(now - bottom) <= 2, (bottom, now)  # a scroll by script (the ↓ button) was kept
    ctx.close()


def test_follow_ups_keep_the_region_the_answer_was_about(server, browser):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(server + "/")
    page.locator("#rag-region-select").select_option("qingdao")
    _ask(page, "北京产假多少天？", 0)
    _answered(page, 0).locator(".rag-cite").first.wait_for(timeout=T)
    expect(page.locator("#rag-region-select")).to_have_value("beijing", timeout=T)  # the select follows
    _ask(page, "那育儿假呢？", 1)
    bot = _answered(page, 1)
    bot.locator(".rag-cite").first.wait_for(timeout=T)
    assert bot.locator(".rag-cite .rag-region").first.inner_text() == "北京市"
    suggestion = bot.locator("button.rag-suggest").first  # a suggested next question is sent on a tap
    asked = suggestion.inner_text()
    assert asked.startswith("北京")
    suggestion.click()
    expect(page.locator("#rag-chat .user").nth(2)).to_have_text(asked, timeout=T)
    _answered(page, 2).locator(".rag-cite").first.wait_for(timeout=T)
    page.keyboard.press("Escape")
    tab = page.get_by_role("tab", name="问答")
    tab.focus()
    page.keyboard.press("ArrowRight")  # arrow keys move between the tabs
    expect(page.get_by_role("tab", name="各地对比")).to_be_focused()
    expect(page.locator("#rag-compare .rag-compare-wrap")).to_be_visible(timeout=T)
    page.close()


# ---- Medium: the widget ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/latin.html"])
def test_widget_region_by_name(hosts, browser, path):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(hosts[0] + path)
    page.locator("button.ragw-btn").click()
    chat = page.frame_locator("iframe.ragw-frame")
    expect(chat.locator("#rag-region-select")).to_have_value("qingdao", timeout=T)
    expect(chat.locator("#rag-examples button").first).to_have_text("青岛育儿假有几天？", timeout=T)
    page.close()


def test_widget_unknown_region_is_said(hosts, browser):
    page = browser.new_page(viewport=DESKTOP)
    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.goto(hosts[0] + "/unknown.html")
    page.locator("button.ragw-btn").click()
    chat = page.frame_locator("iframe.ragw-frame")
    expect(chat.locator("#rag-chat")).to_contain_text("没有找到地区“火星”", timeout=T)
    expect(chat.locator("#rag-region-select")).to_have_value("auto")
    deadline = time.monotonic() + 30
    while not any("火星" in w for w in warnings) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert any("火星" in w and "data-region" in w for w in warnings), warnings
    page.close()


def test_widget_on_a_refused_origin_says_so_in_the_panel(hosts, browser):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(hosts[1] + "/")  # this origin is not in allowed_origins
    page.locator("button.ragw-btn").tap()
    note = page.locator(".ragw-refused")
    expect(note).to_be_visible(timeout=T)
    assert "未获准嵌入" in note.inner_text() and note.locator("a").count() == 1
    page.screenshot(path=str(SHOTS / "widget-refused.png"))
    ctx.close()


# ---- Low: English, targets, input size, heading ---------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_page_is_chinese_with_44px_targets_and_a_16px_input(server, browser, scheme):
    ctx = browser.new_context(**PHONE, color_scheme=scheme, bypass_csp=True)
    page = ctx.new_page()
    page.goto(server + "/" + ("?__theme=dark" if scheme == "dark" else ""))
    expect(page.locator("h1")).to_have_count(1, timeout=T)
    for control in ("#rag-region-select", "#rag-elder"):  # the phone header keeps its controls in view
        expect(page.locator(control)).to_be_in_viewport(ratio=1.0, timeout=T)
    box = page.locator("#rag-input textarea")
    box.wait_for(timeout=T)
    assert float(box.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px")) >= 16
    _ask(page, "青岛三孩家庭有什么支持？", 0)
    bot = _answered(page, 0)
    bot.locator(".rag-cite").first.wait_for(timeout=T)
    assert bot.locator(".rag-body li:visible").count() <= 5  # the rest behind 更多
    assert _english(page) == []
    assert _small_targets(page, 44) == []
    if AXE.is_file():
        assert _axe(page) == []
    page.locator("#rag-chat .rag-body").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SHOTS / f"list-phone{'-dark' if scheme == 'dark' else ''}.png"))
    # the keyboard takes ~45% of the screen: header and tabs make room while the input has focus
    box.focus()
    page.set_viewport_size({"width": 390, "height": 460})
    expect(page.locator("#rag-top")).to_be_hidden(timeout=T)
    page.locator("#rag-chat [role=log]").click(position={"x": 5, "y": 5})
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#rag-top")).to_be_visible(timeout=T)
    ctx.close()


# ---- 长辈版 -----------------------------------------------------------------------------------------------------
SPOKEN = """window.__spoken = [];
if (window.speechSynthesis) {  // record what the page asks the browser to say (headless Chromium has no voice)
  window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_elder_mode_is_remembered_big_high_contrast_and_reads_aloud(server, browser, scheme):
    ctx = browser.new_context(**PHONE, color_scheme=scheme, bypass_csp=True)
    ctx.add_init_script(SPOKEN)
    page = ctx.new_page()
    suffix = "?__theme=dark" if scheme == "dark" else ""
    page.goto(server + "/" + suffix)
    switch = page.get_by_role("button", name="长辈版")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    page.reload()  # remembered
    expect(page.get_by_role("button", name="长辈版")).to_have_attribute("aria-pressed", "true", timeout=T)
    _ask(page, "北京生育津贴怎么领取？", 0)
    bot = _answered(page, 0)
    bot.locator(".rag-cite").first.wait_for(timeout=T)
    body = bot.locator(".rag-body p").first
    size = float(body.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    line = float(body.evaluate("e => getComputedStyle(e).lineHeight").removesuffix("px"))
    assert size >= 20 and line / size >= 1.5, (size, line)
    assert float(page.locator("#rag-input textarea").evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= 20
    assert _small_targets(page, 48) == []
    bot.get_by_role("button", name="朗读").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and spoken[-1]["lang"] == "zh-CN" and "生育津贴" in spoken[-1]["text"]
    expect(bot.get_by_role("button", name="停止朗读")).to_be_visible()
    if AXE.is_file():
        assert _axe(page) == []
    assert _english(page) == []
    page.screenshot(path=str(SHOTS / f"elder-phone{'-dark' if scheme == 'dark' else ''}.png"))
    ctx.close()
