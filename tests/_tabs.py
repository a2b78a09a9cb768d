"""The page's tabs as the page itself declares them (Gradio's own config: every `gr.Tab`, in order), not from a
list kept here: a tab added later (issue 24's 我能享受什么) is scanned by the accessibility tests and photographed
by scripts/screenshots.py without a change. Shared by tests/server/test_browser_tabs.py and that script."""

from __future__ import annotations

import time

MORE_TABS = "更多标签页"  # Gradio's "More tabs" menu, in Chinese (rag/messages.py PAGE_GRADIO_TEXT)


def tabs(page, timeout: float = 90) -> list[dict]:
    """[{label, elem_id, slug}] of every visible tab; slug is the elem_id without "rag-tab-" (rag-tab-compare ->
    compare), for file names."""
    page.locator("[role=tab]").first.wait_for(timeout=timeout * 1000)
    found = page.evaluate(
        """() => (window.gradio_config?.components || [])
            .filter((c) => c.type === 'tabitem' && c.props.visible !== false)
            .map((c, i) => ({label: c.props.label, elem_id: c.props.elem_id || '',
                             slug: (c.props.elem_id || 'tab' + i).replace(/^rag-tab-/, '')}))"""
    )
    if not found:
        raise AssertionError("the page declares no tabs (window.gradio_config has no tabitem)")
    return found


def open_tab(page, tab: dict, timeout: float = 90) -> None:
    """Selects the tab (from Gradio's overflow menu when a narrow screen put it there) and waits until its panel
    has drawn and stopped changing (the compare tab, say, fills in after its select event)."""
    button = page.get_by_role("tab", name=tab["label"], exact=True)
    if not button.count() or not button.first.is_visible():
        page.get_by_role("button", name=MORE_TABS).click()
        button = page.locator(".overflow-dropdown button", has_text=tab["label"])
    button.first.click()
    page.locator("[role=tab][aria-selected=true]", has_text=tab["label"]).wait_for(timeout=timeout * 1000)
    panel = page.locator(f"#{tab['elem_id']}") if tab["elem_id"] else page.locator("[role=tabpanel]:visible")
    panel.first.wait_for(state="visible", timeout=timeout * 1000)
    settle(panel.first, timeout)


def settle(locator, timeout: float = 90, quiet: float = 1.0) -> None:
    """Waits until the element's HTML has not changed for `quiet` seconds and no Gradio progress is shown."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = locator.evaluate("e => e.querySelector('.pending, .generating, .eta-bar') ? null : e.innerHTML")
        if now is not None and now == last:
            if time.monotonic() - since >= quiet:
                return
        else:
            last, since = now, time.monotonic()
        time.sleep(0.2)
    raise AssertionError(f"the tab's panel kept changing for {timeout} s")
