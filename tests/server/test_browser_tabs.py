"""Every tab of the page, found from the page itself (tests/_tabs.py), at phone 390x844 and desktop 1366x768, light
and dark, with 长辈版 off and on, in the real browser against the real `rag serve` (issue 26, "Done when"):
axe-core finds no serious or critical violation, no English is visible or in an aria-label/title, and nothing
clickable is smaller than 44 px (48 px in 长辈版). The chat tab is scanned with an answer in it (cards, the next
step with its office and 12345, suggested questions), so what an answer adds is scanned too."""

from __future__ import annotations

import os

import pytest
from _browser import chromium
from _live_server import rag_serve
from _tabs import open_tab, tabs
from test_browser import AXE, DESKTOP, PHONE, T, Watch, _answered, _ask, _axe, sync_api
from test_browser_page3 import _english, _small_targets

pytestmark = pytest.mark.slow
expect = sync_api.expect
DEVICES = {"desktop": {"viewport": DESKTOP}, "phone": PHONE}


@pytest.fixture(scope="module")
def server():
    with rag_serve({"RAG_RATE_LIMIT": "0"}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as b:
        yield b


def _open(browser, server: str, device: str, scheme: str, elder: bool):
    ctx = browser.new_context(**DEVICES[device], color_scheme=scheme, bypass_csp=True)
    page = ctx.new_page()
    query = "&".join(q for q, on in (("__theme=dark", scheme == "dark"), ("elder=1", elder)) if on)
    page.goto(server + "/" + (f"?{query}" if query else ""))
    if elder:
        expect(page.get_by_role("button", name="长辈版")).to_have_attribute("aria-pressed", "true", timeout=T)
    return ctx, page


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_tab_passes_axe_speaks_chinese_and_has_large_targets(server, browser, scheme, elder, device):
    if not AXE.is_file():
        if os.environ.get("CI"):
            raise RuntimeError("axe.min.js is missing in CI: scripts/sysdeps.sh did not fetch it")
        pytest.skip("axe-core is not fetched (make sysdeps)")
    ctx, page = _open(browser, server, device, scheme, elder)
    watch = Watch(page)
    _ask(
        page, "青岛生育津贴怎么领取？", 0
    )  # an answer with cards, a next step (the plan's lead office, 12345)
    bot = _answered(page, 0)
    bot.locator(".rag-cite").first.wait_for(timeout=T)
    expect(bot.locator(".rag-next a[href='tel:12345']")).to_have_count(1)
    found = tabs(page)
    assert len(found) >= 2 and found[0]["label"] == "问答", found
    problems = {}
    for tab in found:
        open_tab(page, tab)
        seen = {
            "axe": _axe(page),
            "english": _english(page),
            "small": _small_targets(page, 48 if elder else 44),
        }
        seen = {k: v for k, v in seen.items() if v}
        if seen:
            problems[tab["label"]] = seen
    assert problems == {}, problems
    assert watch.outside() == [] and watch.problems == [], watch.problems
    ctx.close()
