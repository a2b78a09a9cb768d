"""Shared fixtures. Real-model fixtures use the project's index (built by `make setup`, rebuilt here if stale);
plumbing tests build small indexes with the hashing embedder in temporary folders."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from rag.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
# Tests live in folders that mirror the package (tests/ingest/, tests/server/, …); the shared helpers
# (_live_server.py, fake_openai.py, …) stay here, importable from every folder.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def settings():
    return load_settings(ROOT)


# Tests that use one of these fixtures run the real embedding model, a server or a browser: marked slow, so that
# `make test-fast` (pytest -m "not slow") skips them. Tests that start a subprocess or a server without such a
# fixture carry @pytest.mark.slow (or their module a pytestmark) themselves.
SLOW_FIXTURES = frozenset({"assistant", "asst", "client", "server", "web", "embedder", "browser"})


# In CI every dependency is installed (make test runs scripts/sysdeps.sh first), so a skip there means a test that
# did not run while the suite looked green: it fails instead, unless its reason is one of these (a case that cannot
# exist for that parameter, not a missing tool).
CI_ALLOWED_SKIPS = ("a SQLite file cannot be taken away", "SQLite does not enforce column widths")


def _strict_skip(report) -> None:
    if not os.environ.get("CI") or not report.skipped or getattr(report, "wasxfail", None):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if not any(allowed in reason for allowed in CI_ALLOWED_SKIPS):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where everything it needs is installed: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _strict_skip(outcome.get_result())


def pytest_collectreport(report):
    _strict_skip(report)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def assistant():
    """The real extractive Assistant over the project's index: one per test session, shared with the servers and
    the chat UI that tests/_live_server.py builds (the model is loaded once)."""
    from _live_server import shared_assistant

    return shared_assistant()


@pytest.fixture
def seeds_copy(tmp_path):
    """A private copy of seeds/ that a test may change."""
    dst = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", dst)
    return dst


@pytest.fixture
def hash_settings(settings, seeds_copy, tmp_path):
    return settings.with_(seeds_dir=seeds_copy, index_root=tmp_path / "index", embedder="hash")
