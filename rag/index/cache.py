"""The embedding cache: vectors keyed by the hash of the text they embed, so that a build embeds only new text.

Two sources feed it. Finished builds (the live one and the previous kept one) give their vectors, each file
judged on its own checksum: a damaged sentences.faiss no longer throws away the intact chunk vectors. And
checkpoint shards under <index>/checkpoint/ hold what a build embedded before it was killed: the build
flushes its fresh vectors there every few seconds, so running `rag index` again resumes where it stopped.
A shard is written under a temporary name and renamed, so a kill mid-write loses at most that shard.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import IndexProblem
from ..ingest.chunker import chunk_sentences
from ..text.normalize import normalize
from .faults import manifest_problem
from .layout import SCHEMA_VERSION, VECTOR_SCHEMAS, _sha256, _text_hash, current_build
from .vectors import read_all

CHECKPOINT_DIR = "checkpoint"
FLUSH_SECONDS = 10.0  # a killed build loses at most this much embedding work ...
FLUSH_TEXTS = 4096  # ... or this many texts, whichever comes first

# sentences (kept together; they move to rag/messages.py when that module exists)
DROPPED = "以下缓存文件已损坏，其中的向量将重新嵌入：{names}。"
RESUMED = "从上次中断的构建恢复了 {n} 个向量。"


@dataclass
class CacheLoad:
    """What the cache holds, and what it had to leave out (reported, never silent)."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    from_checkpoint: int = 0
    dropped: list[str] = field(default_factory=list)

    def note(self) -> str:
        parts = []
        if self.from_checkpoint:
            parts.append(RESUMED.format(n=self.from_checkpoint))
        if self.dropped:
            parts.append(DROPPED.format(names="、".join(self.dropped)))
        return "".join(parts)


def load_cache(index_dir: Path, embedder_id: str, dim: int, dtype: str = "float32") -> CacheLoad:
    """Every reusable vector for `embedder_id`: live build first, older kept builds, then checkpoints.
    A float32 build does not reuse float16-stored vectors (their precision is lost); the reverse is fine."""
    out = CacheLoad()
    live = current_build(index_dir)
    builds = [live] if live else []
    try:
        older = sorted(
            (p for p in (index_dir / "builds").iterdir() if not p.name.startswith(".")), reverse=True
        )
    except OSError:
        older = []
    builds += [p for p in older if p != live and p.is_dir()]
    for i, build in enumerate(builds):
        got, dropped = _from_build(build, embedder_id, dim, dtype)
        for h, v in got.items():
            out.vectors.setdefault(h, v)
        if i == 0:  # damage to older builds is not news: only the live build's is reported
            out.dropped += dropped
    for h, v in read_checkpoints(index_dir, embedder_id, dim, out.dropped).items():
        if h not in out.vectors:
            out.vectors[h] = v
            out.from_checkpoint += 1
    return out


def _from_build(
    build: Path, embedder_id: str, dim: int, dtype: str
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Vectors of one finished build, file by file: a file whose checksum fails contributes nothing."""

    try:
        m = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, [f"{build.name}/manifest.json"]
    if manifest_problem(m, SCHEMA_VERSION):
        return {}, [f"{build.name}/manifest.json"]
    if m["schema_version"] not in VECTOR_SCHEMAS:
        return {}, []  # an older format: its vectors may be fine, but its layout is not ours to guess
    if manifest_problem(m, m["schema_version"]):
        return {}, [f"{build.name}/manifest.json"]
    if m["embedder"]["id"] != embedder_id or m["embedder"]["dim"] != dim:
        return {}, []
    if dtype == "float32" and m.get("vector_dtype") == "float16":
        return {}, []

    def intact(name: str) -> bool:
        p = build / name
        try:
            return p.is_file() and _sha256(p) == m["files"].get(name)
        except OSError:
            return False

    if not intact("chunks.jsonl"):
        return {}, [f"{build.name}/chunks.jsonl"]
    try:
        rows = [json.loads(line) for line in open(build / "chunks.jsonl", encoding="utf-8")]
        hashes = [r["embed_hash"] for r in rows]
        texts = [r["text"] for r in rows]
    except (OSError, ValueError, KeyError, TypeError):
        return {}, [f"{build.name}/chunks.jsonl"]
    out: dict[str, np.ndarray] = {}
    dropped = []
    chunk_vecs = _read_vectors(build / "vectors.faiss", dim) if intact("vectors.faiss") else None
    if chunk_vecs is not None and len(chunk_vecs) == len(hashes):
        out.update(zip(hashes, chunk_vecs))
    else:
        dropped.append(f"{build.name}/vectors.faiss")
    sent_vecs = _read_vectors(build / "sentences.faiss", dim) if intact("sentences.faiss") else None
    shashes = [_text_hash("s:" + normalize(x)) for t in texts for x in chunk_sentences(t)]
    if sent_vecs is not None and len(sent_vecs) == len(shashes):
        out.update(zip(shashes, sent_vecs))
    else:
        dropped.append(f"{build.name}/sentences.faiss")
    return out, dropped


def _read_vectors(path: Path, dim: int) -> np.ndarray | None:
    try:
        vecs = read_all(path)
    except Exception:  # checksum matched, yet unreadable: an older FAISS; re-embedding is the safe answer
        return None
    return vecs if vecs.ndim == 2 and vecs.shape[1] == dim else None


# ---- checkpoints ------------------------------------------------------------------------------------------
def read_checkpoints(
    index_dir: Path, embedder_id: str, dim: int, dropped: list[str]
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    folder = index_dir / CHECKPOINT_DIR
    try:
        shards = sorted(folder.glob("part-*.npz"))
    except OSError:
        return out
    for shard in shards:
        try:
            with np.load(shard, allow_pickle=False) as z:
                if str(z["embedder"]) != embedder_id:
                    continue
                hashes, vecs = z["hashes"], z["vectors"]
                if vecs.ndim != 2 or vecs.shape != (len(hashes), dim):
                    raise ValueError("shape")
                out.update(zip((h.decode("ascii") for h in hashes), vecs.astype(np.float32)))
        except Exception:  # a shard cut short by a crash; the texts it held are simply embedded again
            dropped.append(f"{CHECKPOINT_DIR}/{shard.name}")
    return out


class Checkpoint:
    """Collects freshly embedded vectors and flushes them to a shard when enough time or texts pass."""

    def __init__(self, index_dir: Path, embedder_id: str, dim: int) -> None:
        self.folder = index_dir / CHECKPOINT_DIR
        self.embedder_id = embedder_id
        self.dim = dim
        self._hashes: list[str] = []
        self._vecs: list[np.ndarray] = []
        self._last = time.monotonic()
        self._seq = 0
        self.written = 0

    def add(self, hashes: list[str], vectors: np.ndarray) -> None:
        self._hashes += hashes
        self._vecs.append(np.asarray(vectors, np.float32))
        if len(self._hashes) >= FLUSH_TEXTS or time.monotonic() - self._last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self._hashes:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._seq += 1
        name = f"part-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{self._seq:05d}.npz"
        tmp = self.folder / f".{name}.tmp"
        try:
            with open(tmp, "wb") as fh:
                np.savez(
                    fh,
                    embedder=np.array(self.embedder_id),
                    hashes=np.array(self._hashes, dtype="S32"),
                    vectors=np.vstack(self._vecs).astype(np.float32),
                )
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.folder / name)
        except BaseException:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
        self.written += len(self._hashes)
        self._hashes, self._vecs = [], []
        self._last = time.monotonic()

    def flush_quietly(self) -> None:
        """On the way out of a failed build: keep what can be kept, never mask the original error."""
        try:
            self.flush()
        except (OSError, IndexProblem):
            pass


def clear_checkpoints(index_dir: Path) -> None:
    """After a successful build its files hold every vector, so the shards are no longer needed."""
    folder = index_dir / CHECKPOINT_DIR
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        try:
            p.unlink()
        except OSError:
            pass
    try:
        folder.rmdir()
    except OSError:
        pass
