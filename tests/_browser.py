"""The browser tests' one gate: Debian chromium and Playwright's Python API, skipped (or failed in CI) when
missing. `sync_api = browser_api()` at module level of a test file."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"


def browser_api():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("Debian chromium is missing in CI: scripts/sysdeps.sh did not install it")
        pytest.skip("Debian chromium is not installed (make sysdeps)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")
