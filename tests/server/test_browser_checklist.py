"""The rest of issue 26's checklist (docs/page.md, "Checklist") in the real browser against the real `rag serve`:
"您是不是想问…" and a next step under vague questions, [n] links and cards with issuer/文号/date/status,
"报告此条款有误" stored with the clause named, figures in bold and ~38 CJK characters a line, the sticky benefit
column of 各地对比, Gradio's toasts in Chinese (and none in 长辈版), voice input in 长辈版 on a phone where the
browser has a recogniser, the ↓ button that scrolls to the newest message, and the widget's follow-ups that keep
the region answered, with a 44 px close button."""

from __future__ import annotations

import functools
import re
import threading
from http.server import ThreadingHTTPServer

import pytest
from _browser import chromium
from _live_server import free_port, rag_serve
from test_browser import DESKTOP, PHONE, ROOT, T, Watch, _answered, _ask, _HostPage, sync_api
from test_browser_page3 import _english, _small_targets, _stored_comment

pytestmark = pytest.mark.slow
expect = sync_api.expect


@pytest.fixture(scope="module")
def origin():
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('checklist') / 'rag.sqlite'}"


@pytest.fixture(scope="module")
def server(origin, db_url):
    with rag_serve({"RAG_ALLOWED_ORIGINS": origin, "RAG_DATABASE_URL": db_url, "RAG_RATE_LIMIT": "0"}) as url:
        yield url


@pytest.fixture(scope="module")
def host(server, origin):
    demo = (ROOT / "examples" / "embed.html").read_text(encoding="utf-8")
    tag = '<script src="/embed.js" data-region="qingdao" data-title="生育政策问答"></script>'
    pages = {"/": demo.replace(tag, tag.replace('src="/embed.js"', f'src="{server}/embed.js"')).encode()}
    httpd = ThreadingHTTPServer(
        ("127.0.0.1", int(origin.rsplit(":", 1)[1])), functools.partial(_HostPage, pages=pages)
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield origin
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as b:
        yield b


# ---- "您是不是想问…" and a next step for vague or off-topic questions -------------------------------------------
@pytest.mark.parametrize("question", ["今天天气怎么样？", "我想了解一下政策", "朝阳区产假多少天"])
def test_a_vague_question_offers_did_you_mean_and_where_to_ask(server, browser, question):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(server + "/")
    _ask(page, question, 0)
    bot = _answered(page, 0)
    group = bot.locator(".rag-suggests[role=group]")
    expect(group).to_be_visible(timeout=T)
    assert group.locator("span").first.inner_text() == "您是不是想问："
    assert bot.locator(".rag-next a[href='tel:12345']").count() == 1  # a dead end still says where to ask
    offered = group.get_by_role("button").first
    asked = offered.inner_text()
    offered.tap()
    expect(page.locator("#rag-chat .user").nth(1)).to_have_text(asked, timeout=T)  # one tap asks it
    _answered(page, 1).locator(".rag-cite").first.wait_for(timeout=T)
    ctx.close()


# ---- citations: [n] links, cards with issuer / 文号 / date / status, 报告此条款有误 ---------------------------------
def test_refs_cards_and_reporting_a_clause(server, browser, db_url):
    page = browser.new_page(viewport=DESKTOP)
    watch = Watch(page)
    page.goto(server + "/")
    _ask(page, "贵州育儿假有几天？", 0)
    bot = _answered(page, 0)
    bot.locator(".rag-cite").first.wait_for(timeout=T)
    assert "10天" in bot.locator(".rag-body strong").all_inner_texts()  # the figure asked for, in bold
    para = bot.locator(".rag-body p").first  # ~38 CJK characters a line, not ~55
    chars = para.evaluate("e => e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize)")
    assert chars <= 40, chars
    _ask(page, "重庆育儿假有几天？", 1)  # the plan names no number of days: said, with where to ask
    bot = _answered(page, 1)
    bot.locator(".rag-cite").first.wait_for(timeout=T)
    assert bot.locator(".rag-next a[href='tel:12345']").count() == 1
    ref = bot.locator(".rag-body a.rag-ref").first
    expect(ref).to_be_visible()
    target = ref.get_attribute("href")[1:]
    ref.click()
    card = bot.locator(f"[id='{target}']")
    expect(card.locator("details.rag-full")).to_have_attribute("open", "", timeout=T)
    expect(card).to_be_in_viewport()
    meta = card.locator(".rag-meta").inner_text()
    for part in (
        "中共重庆市委 重庆市人民政府",
        "渝委发〔2022〕9号",
        "2022-04-30",
        "正式文件",
    ):  # documents.toml
        assert part in meta, (part, meta)
    assert card.locator("details.rag-full mark").count() >= 1  # the cited sentence highlighted in the clause
    # 报告此条款有误: the 👎 sheet about this clause, its reason chosen and the clause named in the line
    card.get_by_role("button", name="报告此条款有误").click()
    sheet = page.locator(".rag-sheet")
    expect(sheet).to_be_visible(timeout=T)
    expect(sheet.get_by_role("button", name="答案错误")).to_have_attribute("aria-pressed", "true")
    line = sheet.get_by_role("textbox")
    expect(line).to_be_focused()
    assert re.match(r"第\d+条依据（重庆市 .+）有误：$", line.input_value()), line.input_value()
    line.press("End")
    line.type("应为每年各10天")
    sheet.get_by_role("button", name="提交").click()
    expect(sheet.get_by_role("status")).to_contain_text("谢谢", timeout=T)
    stored = _stored_comment(db_url, "答案错误：第")
    assert stored and "重庆市" in stored and stored.endswith("有误：应为每年各10天"), stored
    assert watch.problems == [], watch.problems
    page.close()


def test_compare_table_keeps_its_benefit_column_in_view_on_a_desktop(server, browser):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(server + "/")
    page.get_by_role("tab", name="各地对比").click()
    head = page.locator("#rag-compare table.rag-compare tbody th").first
    head.wait_for(timeout=T)
    assert head.evaluate("e => getComputedStyle(e).position") == "sticky"
    page.close()


# ---- Gradio's toasts: Chinese, and none in 长辈版 -------------------------------------------------------------------
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_a_lost_connection_is_said_in_chinese_and_not_as_a_popup_in_elder_mode(server, browser, elder):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(server + "/" + ("?elder=1" if elder else ""))
    box = page.locator("#rag-input textarea")
    box.wait_for(timeout=T)
    page.locator("#rag-region-select").wait_for(timeout=T)
    page.route("**/gradio_api/queue/join**", lambda route: route.abort())  # the server unreachable
    box.fill("青岛育儿假有几天？")
    box.press("Enter")
    toast = page.locator(".toast-body")
    toast.first.wait_for(state="attached", timeout=T)
    page.wait_for_timeout(500)
    assert "与服务器的连接已断开" in toast.first.evaluate("e => e.textContent")
    if elder:
        expect(toast.first).to_be_hidden()  # 长辈版: no pop-ups
    else:
        expect(toast.first).to_be_visible()
        assert _english(page) == []  # the toast's title, text and close button in Chinese
    page.close()


# ---- 长辈版 on a phone: voice input where the browser can listen --------------------------------------------------
LISTENER = """window.__heard = [];
window.webkitSpeechRecognition = window.SpeechRecognition = class {  // headless Chromium has no microphone
  start() { window.__heard.push(this.lang);
            setTimeout(() => { this.onresult({results: [[{transcript: '青岛育儿假有几天'}]]}); this.onend(); }, 50); }
  stop() { this.onend(); }
};"""
DEAF = "delete window.webkitSpeechRecognition; delete window.SpeechRecognition;"


def test_voice_input_in_elder_mode_on_a_phone_fills_the_box_without_sending(server, browser):
    ctx = browser.new_context(**PHONE)
    ctx.add_init_script(LISTENER)
    page = ctx.new_page()
    page.goto(server + "/?elder=1")
    voice = page.get_by_role("button", name="语音输入")
    expect(voice).to_be_visible(timeout=T)
    box = voice.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48
    voice.tap()
    expect(page.locator("#rag-input textarea")).to_have_value("青岛育儿假有几天", timeout=T)
    assert page.evaluate("window.__heard") == ["zh-CN"]
    page.wait_for_timeout(1000)
    assert page.locator("#rag-chat .user").count() == 0  # said, not sent: the reader checks and sends
    assert _small_targets(page, 48) == [] and _english(page) == []
    page.goto(server + "/?elder=0")  # standard mode: no voice button
    page.evaluate("window.localStorage.setItem('rag-elder', '0')")
    page.reload()
    page.locator("#rag-input textarea").wait_for(timeout=T)
    page.wait_for_timeout(1000)
    expect(page.get_by_role("button", name="语音输入")).to_be_hidden()
    ctx.close()
    deaf = browser.new_context(**PHONE)  # a browser without a recogniser: no button that cannot work
    deaf.add_init_script(DEAF)
    page = deaf.new_page()
    page.goto(server + "/?elder=1")
    expect(page.get_by_role("button", name="长辈版")).to_have_attribute("aria-pressed", "true", timeout=T)
    page.wait_for_timeout(1000)
    assert page.locator("#rag-voice").count() == 0
    deaf.close()


# ---- Gradio's ↓ button scrolls to the newest message --------------------------------------------------------------
def test_the_scroll_down_button_reaches_the_newest_message(server, browser):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(server + "/")
    _ask(page, "青岛三孩家庭有什么支持？", 0)
    _answered(page, 0).locator(".rag-cite").first.wait_for(timeout=T)
    log = page.locator("#rag-chat [role=log]")
    box = log.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(6):  # the reader scrolls up by hand
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(100)
    down = page.get_by_role("button", name="滚到最新消息")
    expect(down).to_be_visible(timeout=T)
    b = down.bounding_box()
    assert (
        b["width"] >= 44 and b["height"] >= 44 and b["x"] + b["width"] >= box["x"] + box["width"] - 60
    )  # at the edge
    down.click()
    page.wait_for_timeout(1000)
    gap = log.evaluate(
        """(log) => { let box = log; while (box && !(/(auto|scroll)/.test(getComputedStyle(box).overflowY)
                && box.scrollHeight > box.clientHeight)) box = box.parentElement;
            box = box || log; return box.scrollHeight - box.clientHeight - box.scrollTop; }"""
    )
    assert gap <= 4, gap
    ctx.close()


# ---- the widget: follow-ups keep the region answered; a 44 px close button ---------------------------------------
def test_widget_follow_up_keeps_the_region_named_over_the_preset(host, browser):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(host + "/")
    page.locator("button.ragw-btn").tap()
    close = page.locator("button.ragw-close")
    close.wait_for(timeout=T)
    b = close.bounding_box()
    assert b["width"] >= 44 and b["height"] >= 44, b
    chat = page.frame_locator("iframe.ragw-frame")
    _ask(chat, "北京产假多少天？", 0)  # data-region="qingdao"
    first = _answered(chat, 0)
    first.locator(".rag-cite").first.wait_for(timeout=T)
    assert "北京市" in first.locator(".rag-notice").inner_text()  # 您问的是北京市的政策
    _ask(chat, "那育儿假呢？", 1)
    second = _answered(chat, 1)
    second.locator(".rag-cite").first.wait_for(timeout=T)
    assert {r.inner_text() for r in second.locator(".rag-cite .rag-region").all()} == {"北京市"}
    expect(chat.locator("#rag-region-select")).to_have_value("beijing")
    ctx.close()
