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


# Files up to FULL_BELOW bytes are hashed whole on load; larger ones are checked by size and by SAMPLES blocks
# of SAMPLE_BYTES spread evenly (first and last included), their digest written at build time (manifest
# "stamps"). Whole-file checksums of a national index (870 MB) cost 2.2 s of a 5 s cold start (issue 25); the
# sample catches truncation, a file zeroed, overwritten or swapped for another build's, and the full SHA-256
# still runs, after load, in the background (store.BackgroundVerify) and in `rag index --if-stale`.
FULL_BELOW = 8 << 20
SAMPLES, SAMPLE_BYTES = 64, 16 << 10


def sample_digest(path: Path, size: int | None = None) -> str:
    """sha256 over the size and SAMPLES evenly spread blocks of the file: a few MB read whatever its size."""
    size = path.stat().st_size if size is None else size
    h = hashlib.sha256(str(size).encode())
    step = max(1, (size - SAMPLE_BYTES) // max(1, SAMPLES - 1))
    with open(path, "rb") as fh:
        for i in range(SAMPLES):
            fh.seek(min(i * step, max(0, size - SAMPLE_BYTES)))
            h.update(fh.read(SAMPLE_BYTES))
    return h.hexdigest()


def file_stamp(path: Path) -> dict:
    """What the hot path checks of a build file: its size, and the digest of its samples."""
    size = path.stat().st_size
    return {"size": size, "sample": sample_digest(path, size)}


def quick_check(path: Path, sha256: str | None, stamp: object) -> bool:
    """True when the file looks intact: whole-file hash for small files or when no stamp was written (older
    builds), size and sampled digest otherwise. The full check of large files is left to the caller."""
    try:
        size = path.stat().st_size if path.is_file() else -1
        if size < 0:
            return False
        if size <= FULL_BELOW or not isinstance(stamp, dict):
            return _sha256(path) == sha256
        return stamp.get("size") == size and sample_digest(path, size) == stamp.get("sample")
    except OSError:
        return False


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
