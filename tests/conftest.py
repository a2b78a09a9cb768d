"""Shared fixtures. Real-model fixtures use the project's index (built by `make setup`, rebuilt here if stale);
plumbing tests build small indexes with the hashing embedder in temporary folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings():
    return load_settings(ROOT)


@pytest.fixture(scope="session")
def assistant(settings):
    from rag.assistant import Assistant
    from rag.index import build_index

    build_index(settings, if_stale=True)
    return Assistant.load(settings=settings)


@pytest.fixture
def seeds_copy(tmp_path):
    """A private copy of seeds/ that a test may change."""
    dst = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", dst)
    return dst


@pytest.fixture
def hash_settings(settings, seeds_copy, tmp_path):
    return settings.with_(seeds_dir=seeds_copy, index_root=tmp_path / "index", embedder="hash")
