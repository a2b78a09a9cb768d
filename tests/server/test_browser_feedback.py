"""Real browser (Debian chromium) against the real `rag serve`: 👍 under an answer in the chat page and 👎 with a
reason under an answer in the embedded widget reach the database, joined to the logged question; /admin opens
with the browser's login prompt and shows the report's charts under the page's CSP."""

from __future__ import annotations

import time

import pytest
from _browser import CHROMIUM, browser_api
from _live_server import rag_serve

from rag.ops.stores import Store

pytestmark = pytest.mark.slow
sync_api = browser_api()
T = 90_000
TOKEN = "browser-admin"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('browser-ops') / 'rag.sqlite'}"


@pytest.fixture(scope="module")
def server(db_url):
    env = {"RAG_DATABASE_URL": db_url, "RAG_RATE_LIMIT": "0", "RAG_LOG_SALT": "b", "RAG_ADMIN_TOKEN": TOKEN}
    with rag_serve(env) as url:
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


def ask(scope, question: str):
    box = scope.locator("#rag-input textarea")
    box.wait_for(timeout=T)
    for attempt in range(6):  # Gradio may ignore a submit while it finishes loading
        if box.input_value() != question:
            box.fill(question)
        box.press("Enter")
        try:
            scope.locator("#rag-chat .bot", has_text="10天").first.wait_for(timeout=15_000)
            return
        except sync_api.TimeoutError:
            if attempt == 5:
                raise


def rated(db_url, channel, timeout=30.0) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [r for r in Store(db_url).question_rows() if r["channel"] == channel and r["rating"]]
        if rows:
            return rows[-1]
        time.sleep(0.5)
    return None


def test_thumbs_up_in_the_chat_reaches_the_database(server, browser, db_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    ask(page, "青岛育儿假有几天？")
    page.locator("#rag-chat").get_by_role("button", name="赞", exact=True).last.click()
    row = rated(db_url, "ui")
    assert row is not None and row["rating"] == "up" and row["region"] == "qingdao"
    page.close()


def test_thumbs_down_with_a_reason_in_the_widget_reaches_the_database(server, browser, db_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/examples/embed.html")
    page.locator("button.ragw-btn").click()
    chat = page.frame_locator("iframe.ragw-frame")
    ask(chat, "青岛育儿假有几天？")
    chat.locator("#rag-chat").get_by_role("button", name="踩", exact=True).last.click()
    # 踩 opens the page's sheet of reasons (Gradio's own hover list is out of reach under the newest answer)
    chat.locator(".rag-sheet").get_by_role("button", name="看不懂", exact=True).click()
    row = rated(db_url, "widget")
    assert row is not None and (row["rating"], row["comment"]) == ("down", "看不懂")
    page.close()


def test_admin_page_in_the_browser_needs_the_token_and_shows_charts(server, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    with pytest.raises(sync_api.Error, match="AUTH"):  # 401 + Basic challenge and no credentials to give
        page.goto(server + "/admin")
    ctx.close()
    ctx = browser.new_context(http_credentials={"username": "operator", "password": TOKEN})
    page = ctx.new_page()
    problems = []
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    assert page.goto(server + "/admin?since=1d").status == 200
    charts = page.locator("figure.chart")  # drawn by the browser with the page's fonts (issue 27)
    assert charts.count() == 4
    assert all(charts.nth(i).locator(".bar").count() >= 1 for i in range(charts.count()))
    assert page.locator("table").count() >= 1 and problems == []
    ctx.close()
