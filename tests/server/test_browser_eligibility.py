"""我能享受什么 in a real browser (Debian chromium via Playwright) against the real `rag serve`: the labelled form
filled with the keyboard on a desktop, the cards (figure, status, what to check, the clause) on a phone without
horizontal scrolling, and a bad answer said in one sentence."""

from __future__ import annotations

import pytest
import test_browser
from _browser import browser_api
from _live_server import rag_serve

pytestmark = pytest.mark.slow
browser = test_browser.browser  # the shared chromium fixture
sync_api = browser_api()
expect = sync_api.expect
T = 90_000  # ms; a busy 2-core machine
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def server():
    with rag_serve({"RAG_RATE_LIMIT": "0"}) as url:
        yield url


def _fill(page, region: str, months: str) -> None:
    page.get_by_role("tab", name="我能享受什么").click()
    page.get_by_label("所在地区（如：青岛、北京市朝阳区）").fill(region)
    page.locator("#rag-el-order").get_by_label("二孩").check()
    page.locator("#rag-el-months").get_by_role("spinbutton").fill(months)
    page.locator("#rag-el-mother").get_by_label("在单位上班").check()
    page.locator("#rag-el-father").get_by_label("在单位上班").check()


def test_form_and_cards_on_a_phone(server, browser):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(server + "/")
    _fill(page, "青岛", "3")
    page.get_by_role("button", name="查看我能享受什么").click()
    cards = page.locator("#rag-el-results .rag-el-card")
    expect(cards.first).to_be_visible(timeout=T)
    met = page.locator("#rag-el-results .rag-el-met", has_text="延长产假")
    expect(met.locator(".rag-el-status")).to_have_text("符合")
    expect(met.locator(".rag-el-summary strong")).to_have_text("60天")
    maybe = page.locator("#rag-el-results .rag-el-maybe", has_text="托育补贴")
    expect(maybe.locator(".rag-el-check")).to_contain_text("托位")
    met.locator("details.rag-el-cite summary").click()
    expect(met.locator("blockquote")).to_contain_text("女职工增加60天产假")
    expect(page.locator("#rag-el-results")).to_contain_text("征求意见稿")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 391  # nothing wider than the phone
    box = met.bounding_box()
    assert box["width"] >= 300  # one card per row, full width
    page.screenshot(path="/tmp/eligibility-phone.png", full_page=True)
    ctx.close()


def test_keyboard_and_a_bad_answer(server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server + "/")
    _fill(page, "火星", "3")
    page.get_by_role("button", name="查看我能享受什么").focus()
    page.keyboard.press("Enter")
    alert = page.locator("#rag-el-results [role=alert]")
    expect(alert).to_contain_text("已收录的地区", timeout=T)
    expect(alert).not_to_contain_text("火星")  # the input is never echoed
    page.close()
