"""The browser tests' one gate: Debian chromium and Playwright's Python API, skipped (or failed in CI) when
missing. `sync_api = browser_api()` at module level of a test file."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"


def browser_api():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("Debian chromium is missing in CI: scripts/sysdeps.sh did not install it")
        pytest.skip("Debian chromium is not installed (make sysdeps)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


@contextmanager
def chromium(sync_api):
    """Debian's chromium launched headless for one test module (the flags every browser test uses)."""
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()
