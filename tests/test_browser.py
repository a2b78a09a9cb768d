"""Real browser (Debian chromium via Playwright) against `rag serve` (a real process): the widget on the demo host
page answers with citations; the page works under its strict CSP; nothing loads from outside 127.0.0.1;
hostile input is shown as text and runs nothing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _live_server import rag_serve

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):  # CI installs it (scripts/sysdeps.sh): a missing browser there is a failure
        raise RuntimeError("Debian chromium is missing in CI: scripts/sysdeps.sh did not install it")
    pytest.skip("Debian chromium is not installed (make sysdeps)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

# Screenshots go to a scratch folder; RAG_UPDATE_SCREENSHOTS=1 refreshes the ones the README shows (docs/).
DOCS = (
    Path(__file__).resolve().parents[1] / "docs"
    if os.environ.get("RAG_UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "rag-screenshots"
)
DOCS.mkdir(parents=True, exist_ok=True)
Q = "青岛育儿假有几天？"
T = 90_000  # ms; generous for a busy 2-core machine (no timing is asserted)


@pytest.fixture(scope="module")
def server():
    # the real `rag serve` command, configured through the environment as an operator would
    with rag_serve({"RAG_ALLOWED_ORIGINS": "https://www.example.gov.cn"}) as url:
        yield url


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
    """Records every request, CSP violation and JS dialog of a page."""

    def __init__(self, page):
        self.urls, self.problems = [], []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("console", lambda m: "Content Security Policy" in m.text and self.problems.append(m.text))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
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


def test_widget_on_host_page_answers_with_citations(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto(server + "/examples/embed.html")
    host_button_color = page.locator("main button").evaluate("e => getComputedStyle(e).color")
    page.locator("button.ragw-btn").click()  # Playwright's CSS pierces the open shadow root
    chat = page.frame_locator("iframe.ragw-frame")
    _ask(chat, Q, 0)
    card = chat.locator(".rag-cite").first
    card.wait_for(timeout=T)
    chat.locator("#rag-chat .bot", has_text="10天").first.wait_for(timeout=T)
    assert "青岛" in card.inner_text() and "征求意见稿" in card.inner_text()
    assert chat.locator(".rag-cite mark").count() >= 1
    # embed mode: region preset from data-region, page header hidden
    assert chat.locator("#rag-region input").input_value() == "青岛市"
    assert chat.locator("#rag-header").count() == 0 or not chat.locator("#rag-header").is_visible()
    # the host page's `button { … !important }` did not reach the widget, and the widget did not restyle the page
    assert page.locator("button.ragw-btn").evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    assert page.locator("main button").evaluate("e => getComputedStyle(e).color") == host_button_color
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "embed.png"))
    assert watch.outside() == [] and watch.problems == []
    page.close()


def test_full_page_follow_up_and_screenshot(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1500})
    watch = Watch(page)
    page.goto(server + "/")
    _ask(page, Q, 0)
    page.locator("#rag-chat .bot", has_text="10天").first.wait_for(timeout=T)
    _ask(page, "那北京呢？", 1)
    page.locator("#rag-chat .rag-cite", has_text="北京市").first.wait_for(timeout=T)
    page.locator("#rag-examples button", has_text="通化婚假多少天？").first.click()  # examples fill the box
    # (wait_for_function would need eval, which the page's CSP rightly forbids)
    sync_api.expect(page.locator("#rag-input textarea")).to_have_value("通化婚假多少天？", timeout=T)
    page.locator("#rag-input textarea").fill("")
    page.screenshot(path=str(DOCS / "chat.png"), full_page=True)
    assert watch.outside() == [] and watch.problems == []
    page.close()


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


def test_widget_fills_a_phone_screen(server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(server + "/examples/embed.html")
    page.locator("button.ragw-btn").tap()
    frame = page.locator("iframe.ragw-frame")
    frame.wait_for(timeout=T)
    panel = page.locator(".ragw-panel").bounding_box()
    assert panel["width"] >= 389 and panel["height"] >= 800
    page.frame_locator("iframe.ragw-frame").locator("#rag-input textarea").wait_for(timeout=T)
    page.locator("button.ragw-close").tap()
    assert not page.locator(".ragw-panel").is_visible()
    ctx.close()
