"""The index on disk: a folder of builds, CURRENT naming the live one, each build a manifest plus plain files.

Kept apart from the build and load code so that the embedding cache (cache.py) and the freshness check can read a
build without importing the code that writes one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import IndexProblem
from .faults import MANIFEST_BAD_SHAPE, MANIFEST_NOT_JSON, manifest_problem

SCHEMA_VERSION = 3  # 3: keyword.npz (token ids) replaced keyword.json (token strings), issue 25
# builds whose chunks.jsonl and vector files have today's layout: their vectors are reused by the next build
VECTOR_SCHEMAS = (2, 3)
FILES = ("chunks.jsonl", "vectors.faiss", "sentences.faiss", "keyword.npz")
KEEP_BUILDS = 2


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def current_build(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, ValueError):  # unreadable, or not text at all
        return None
    build = index_dir / "builds" / name
    return build if name and "/" not in name and not name.startswith(".") and build.is_dir() else None


def read_manifest(build: Path) -> dict:
    """The manifest of a build, checked for shape: any JSON that is not a well-formed manifest is one sentence."""
    path = build / "manifest.json"
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexProblem(MANIFEST_NOT_JSON.format(path=path)) from None
    why = manifest_problem(m, SCHEMA_VERSION)
    if why:
        raise IndexProblem(MANIFEST_BAD_SHAPE.format(path=path, why=why))
    return m
