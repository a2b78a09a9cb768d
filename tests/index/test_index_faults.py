"""Index faults (issue 12): every failure of `rag index`, `ask` and `serve` is one sentence and exit 2, and a
failed build leaves nothing behind. Faults are injected here (fast); tests/index/test_index_mounts.py meets the
same faults on real tmpfs mounts (a full disk, a read-only folder)."""

from __future__ import annotations

import errno
import json
import threading
import time

import pytest

import rag.index.store as ri
from rag.cli import main
from rag.errors import IndexProblem
from rag.index.faults import build_lock
from rag.index.store import build_index, current_build, load_index, staleness

# the text of a real FAISS failure on a full tmpfs (see tests/index/test_index_mounts.py for the real thing)
FAISS_ENOSPC = (
    "Error in void faiss::write_index(const Index*, IOWriter*, int) at /project/faiss/impl/index_write.cpp:499: "
    "Error: 'ret == (size * 4)' failed: write error in /x/vectors.faiss: 65491 != 1024000 "
    "(No space left on device)"
)


def rag_cli(s, monkeypatch, capsys, *args) -> tuple[int, str]:
    """`rag <args> --embedder hash --index-dir <tmp>` in this process; returns (exit code, stderr)."""
    monkeypatch.setenv("RAG_SEEDS_DIR", str(s.seeds_dir))
    capsys.readouterr()
    code = main([*args, "--embedder", "hash", "--index-dir", str(s.index_root)])
    return code, capsys.readouterr().err


def one_sentence(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    line = lines[0]
    assert line.startswith("rag: ") and line.endswith("。") and line.count("。") == 1, line
    return line


def leftovers(s) -> set[str]:
    """Everything under builds/ besides the live build, plus stray CURRENT pointers."""
    live = current_build(s.index_dir)
    builds = s.index_dir / "builds"
    names = {p.name for p in builds.iterdir()} if builds.is_dir() else set()
    names |= {p.name for p in s.index_dir.glob(".CURRENT.*")}
    return names - ({live.name} if live else set())


# ---- malformed manifests of any JSON type -----------------------------------------------------------------
BAD_MANIFESTS = {
    "list": "[]",
    "null": "null",
    "string": '"manifest"',
    "number": "7",
    "empty object": "{}",
    "no embedder": None,  # filled from a real manifest below
    "embedder is a string": None,
    "seeds is a list": None,
    "not json": "{not json",
}


def _bad_manifest(kind: str, real: dict) -> str:
    if BAD_MANIFESTS[kind] is not None:
        return BAD_MANIFESTS[kind]
    m = dict(real)
    if kind == "no embedder":
        del m["embedder"]
    elif kind == "embedder is a string":
        m["embedder"] = "hash"
    else:
        m["seeds"] = list(m["seeds"])
    return json.dumps(m)


@pytest.mark.parametrize("kind", list(BAD_MANIFESTS))
def test_malformed_manifest_is_one_sentence_everywhere_and_if_stale_repairs(
    hash_settings, monkeypatch, capsys, kind
):
    build_index(hash_settings)
    path = current_build(hash_settings.index_dir) / "manifest.json"
    path.write_text(_bad_manifest(kind, json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")

    with pytest.raises(IndexProblem, match=r"manifest\.json.*rag index"):
        load_index(hash_settings)
    assert "manifest.json" in staleness(hash_settings)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "ask", "青岛育儿假有几天？")
    assert code == 2 and "manifest.json" in one_sentence(err)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "serve", "--port", "0")
    assert code == 2 and "manifest.json" in one_sentence(err)

    code, err = rag_cli(hash_settings, monkeypatch, capsys, "index", "--if-stale")  # what `make setup` runs
    assert code == 0 and "已建立索引" in err and "manifest.json" in err  # the note names what was dropped
    assert staleness(hash_settings) is None and not {n for n in leftovers(hash_settings) if n.startswith(".")}


def test_old_schema_version_is_stale_not_a_traceback(hash_settings, monkeypatch, capsys):
    build_index(hash_settings)
    path = current_build(hash_settings.index_dir) / "manifest.json"
    path.write_text(json.dumps({"schema_version": 1, "chunks": 3}), encoding="utf-8")
    assert staleness(hash_settings) == "索引格式版本不同"
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "ask", "青岛育儿假有几天？")
    assert code == 2 and "索引格式版本 1" in one_sentence(err)
    assert rag_cli(hash_settings, monkeypatch, capsys, "index", "--if-stale")[0] == 0
    assert staleness(hash_settings) is None


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"../../etc\n", b".tmp-x\n", b""])
def test_garbage_current_pointer_means_no_index(hash_settings, monkeypatch, capsys, content):
    build_index(hash_settings)
    (hash_settings.index_dir / "CURRENT").write_bytes(content)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "ask", "青岛育儿假有几天？")
    assert code == 2 and "没有找到索引" in one_sentence(err)


# ---- full disk and read-only folder (injected; the real mounts are in test_index_mounts.py) ---------------
def _fail_faiss_write_after_partial_file(monkeypatch):
    import faiss

    real = faiss.write_index

    def full(index, path):
        with open(path, "wb") as fh:
            fh.write(b"\0" * 4096)  # what a real full disk leaves: a partial file
        raise RuntimeError(FAISS_ENOSPC)

    monkeypatch.setattr(faiss, "write_index", full)
    return real


def test_disk_full_in_faiss_write_is_one_sentence_and_removes_the_partial_build(
    hash_settings, monkeypatch, capsys
):
    build_index(hash_settings)
    good = current_build(hash_settings.index_dir)
    with open(hash_settings.seeds_dir / "qingdao.txt", "a", encoding="utf-8") as fh:
        fh.write("\n（六）新增条款。父母每年各享受育儿假30天。\n")
    _fail_faiss_write_after_partial_file(monkeypatch)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "index")
    line = one_sentence(err)
    assert code == 2 and "磁盘空间不足" in line and "从中断处继续" in line
    assert current_build(hash_settings.index_dir) == good and not leftovers(hash_settings) - {good.name}
    assert not list((hash_settings.index_dir / "builds").glob(".tmp-*"))
    monkeypatch.undo()
    # the vectors embedded before the disk filled were checkpointed: the retry embeds nothing again
    monkeypatch.setenv("RAG_SEEDS_DIR", str(hash_settings.seeds_dir))
    rep = build_index(hash_settings)
    assert rep.embedded == 0 and "恢复" in rep.note and staleness(hash_settings) is None
    assert not (hash_settings.index_dir / "checkpoint").exists()  # cleared once the build holds them


@pytest.mark.parametrize(
    "code,words",
    [
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EDQUOT, "磁盘空间不足"),
        (errno.EROFS, "不可写"),
        (errno.EIO, "读写失败"),
    ],
)
def test_os_errors_while_writing_are_one_sentence(hash_settings, monkeypatch, capsys, code, words):
    from pathlib import Path

    real = Path.write_text

    def failing(self, *a, **k):
        if self.name == "manifest.json":
            real(self, "{", encoding="utf-8")
            raise OSError(code, "injected")
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "write_text", failing)
    rc, err = rag_cli(hash_settings, monkeypatch, capsys, "index")
    assert rc == 2 and words in one_sentence(err)
    assert current_build(hash_settings.index_dir) is None and not leftovers(hash_settings)


def test_read_only_folder_if_stale_on_a_current_index_writes_nothing(hash_settings, monkeypatch, capsys):
    build_index(hash_settings)

    def no_writes(*a, **k):
        raise AssertionError("a current index must need no lock and no write")

    monkeypatch.setattr(ri, "build_lock", no_writes)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "index", "--if-stale")
    assert code == 0 and "已是最新" in err


def test_read_only_folder_when_a_build_is_needed(hash_settings, monkeypatch, capsys):
    from pathlib import Path

    real = Path.mkdir

    def read_only(self, *a, **k):
        if str(self).startswith(str(hash_settings.index_root)):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", read_only)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "index", "--if-stale")
    line = one_sentence(err)
    assert code == 2 and "不可写" in line and "Read-only file system" in line


def test_interrupt_after_rename_before_swap_leaves_no_unreferenced_build(hash_settings, monkeypatch):
    build_index(hash_settings)
    good = current_build(hash_settings.index_dir)
    with open(hash_settings.seeds_dir / "qingdao.txt", "a", encoding="utf-8") as fh:
        fh.write("\n（六）新增条款。父母每年各享受育儿假30天。\n")

    def die(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(ri.os, "replace", die)
    with pytest.raises(KeyboardInterrupt):
        build_index(hash_settings)
    monkeypatch.undo()
    assert current_build(hash_settings.index_dir) == good and not leftovers(hash_settings) - {good.name}


# ---- the build lock --------------------------------------------------------------------------------------
def _hold_lock(index_dir, seconds: float) -> tuple[threading.Thread, threading.Event]:
    held = threading.Event()

    def hold():
        with build_lock(index_dir):
            held.set()
            time.sleep(seconds)

    t = threading.Thread(target=hold)
    t.start()
    assert held.wait(10)
    return t, held


def test_held_lock_says_it_waits_for_whom_then_builds(hash_settings, monkeypatch, capsys):
    import os

    hash_settings.index_dir.mkdir(parents=True)
    t, _ = _hold_lock(hash_settings.index_dir, 1.0)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "index")
    t.join()
    first = err.splitlines()[0]
    assert code == 0 and "等待它结束" in first and f"PID {os.getpid()}" in first
    assert staleness(hash_settings) is None


def test_held_lock_past_the_timeout_is_one_sentence_exit_2(hash_settings, monkeypatch, capsys):
    hash_settings.index_dir.mkdir(parents=True)
    t, _ = _hold_lock(hash_settings.index_dir, 1.5)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "index", "--lock-timeout", "0.3")
    t.join()
    lines = err.splitlines()
    assert code == 2 and len(lines) == 2 and "等待它结束" in lines[0]
    assert "仍在使用" in lines[1] and "--lock-timeout" in lines[1] and "Traceback" not in err
    assert current_build(hash_settings.index_dir) is None and not leftovers(hash_settings)


def test_lock_timeout_zero_does_not_wait(hash_settings):
    hash_settings.index_dir.mkdir(parents=True)
    t, _ = _hold_lock(hash_settings.index_dir, 1.0)
    t0 = time.monotonic()
    with pytest.raises(IndexProblem, match="仍在使用"):
        build_index(hash_settings, lock_timeout=0)
    assert time.monotonic() - t0 < 0.5
    t.join()


# ---- /healthz tells when the seeds no longer match the served index ----------------------------------------
def test_healthz_reports_seeds_that_no_longer_match_the_served_index(hash_settings):
    from fastapi.testclient import TestClient

    from rag.assistant import Assistant
    from rag.server import create_app

    build_index(hash_settings)
    app = create_app(Assistant.load(settings=hash_settings), settings=hash_settings)
    with TestClient(app) as client:
        d = client.get("/healthz").json()
        assert d["status"] == "ok" and d["seeds_match"] is True
        with open(hash_settings.seeds_dir / "qingdao.txt", "a", encoding="utf-8") as fh:
            fh.write("\n（六）新增条款。父母每年各享受育儿假30天。\n")
        d = client.get("/healthz").json()
        assert d["status"] == "stale" and d["seeds_match"] is False and d["index_loaded"]
        build_index(hash_settings)
        app.state.holder.reload()
        d = client.get("/healthz").json()
        assert d["status"] == "ok" and d["seeds_match"] is True


def test_unreadable_seed_file_is_not_called_a_read_only_index(hash_settings, monkeypatch, capsys):
    from pathlib import Path

    real = Path.read_bytes

    def denied(self):
        if self.name == "qingdao.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    code, err = rag_cli(hash_settings, monkeypatch, capsys, "index")
    line = one_sentence(err)
    assert code == 2 and "qingdao.txt" in line and "不可写" not in line
