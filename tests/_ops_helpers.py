"""Helpers of the operations tests: a private hashing-embedder index (fast) and a few clause lookups."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hash_settings_in(tmp: Path):
    """Settings over a private copy of seeds/ and a hashing-embedder index in `tmp` (built here)."""
    from rag.config import load_settings
    from rag.index.store import build_index

    seeds = tmp / "seeds"
    if not seeds.exists():
        shutil.copytree(ROOT / "seeds", seeds)
    s = load_settings(ROOT).with_(seeds_dir=seeds, index_root=tmp / "index", embedder="hash")
    build_index(s)
    return s


def clause_with(chunks: dict, slug: str, text: str) -> str:
    return next(c.id for c in chunks.values() if c.slug == slug and text in c.text)
