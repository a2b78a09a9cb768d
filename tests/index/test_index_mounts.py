"""The index faults of issue 12 met for real: a size-limited tmpfs that fills up during a build, and a tmpfs
remounted read-only. Mounting needs root (CI runs `make test` as root); elsewhere these tests skip with the
reason, and tests/index/test_index_faults.py covers the same sentences with injected errors."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

import rag.index.store as ri
from rag.cli import main
from rag.embedders.hashing import HashEmbedder
from rag.index.store import build_index, current_build, load_index

pytestmark = pytest.mark.slow  # runs mount(8)

Q = "青岛育儿假有几天？"


@contextmanager
def tmpfs(where: Path, size: int):
    """A tmpfs of `size` bytes mounted at `where`, unmounted at the end whatever happens."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root and mount(8); the injected-fault tests cover this case")
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({r.stderr.strip()}); the injected-fault tests cover this case"
        )
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True, capture_output=True)


def rag_cli(s, monkeypatch, capsys, *args) -> tuple[int, str]:
    monkeypatch.setenv("RAG_SEEDS_DIR", str(s.seeds_dir))
    capsys.readouterr()
    code = main([*args, "--embedder", "hash", "--index-dir", str(s.index_root)])
    return code, capsys.readouterr().err


def one_sentence(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("rag: ") and lines[0].endswith("。"), lines[0]
    return lines[0]


def tree_bytes(p: Path, pattern: str = "*") -> int:
    return sum(f.stat().st_size for f in p.rglob(pattern) if f.is_file())


def used_bytes(p: Path) -> int:
    st = os.statvfs(p)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def add_clause(s) -> None:
    with open(s.seeds_dir / "qingdao.txt", "a", encoding="utf-8") as fh:
        fh.write("\n（六）新增条款。父母每年各享受育儿假30天。\n")


def test_full_disk_is_one_sentence_leaves_nothing_and_the_retry_resumes(
    hash_settings, tmp_path, monkeypatch, capsys
):
    # measure one build and its checkpoint on the ordinary disk, to size a disk that holds one build but not two
    probe = hash_settings.with_(index_root=tmp_path / "probe")
    monkeypatch.setattr(ri, "clear_checkpoints", lambda d: None)
    build_index(probe)
    monkeypatch.undo()
    build_bytes = tree_bytes(current_build(probe.index_dir))
    ckpt_bytes = tree_bytes(probe.index_dir / "checkpoint")
    margin = 256 * 1024
    assert build_bytes > ckpt_bytes + 2 * margin
    size = build_bytes + ckpt_bytes + margin

    with tmpfs(tmp_path / "disk", size) as disk:
        s = hash_settings.with_(index_root=disk)
        code, err = rag_cli(s, monkeypatch, capsys, "index")
        assert code == 0, err
        good = current_build(s.index_dir)
        used_before = used_bytes(disk)

        add_clause(s)
        code, err = rag_cli(s, monkeypatch, capsys, "index")
        line = one_sentence(err)
        assert code == 2 and "磁盘空间不足" in line and str(s.index_dir) in line
        assert current_build(s.index_dir) == good  # the previous index is untouched ...
        assert [p.name for p in (s.index_dir / "builds").iterdir()] == [good.name]  # ... and nothing is left
        assert not list(s.index_dir.glob(".CURRENT.*"))
        assert used_bytes(disk) - used_before < 64 * 1024  # only the few checkpointed vectors stay
        assert len(load_index(s, check_seeds=False).chunks) > 100

        remount(disk, f"size={2 * size}")  # the operator frees space; the retry resumes
        emb = HashEmbedder()
        calls = []
        real = emb.embed_batch
        emb.embed_batch = lambda texts, *, is_query: calls.extend(texts) or real(texts, is_query=is_query)
        rep = build_index(s, embedder=emb)
        assert not calls and "恢复" in rep.note and rep.chunks == len(load_index(s).chunks)


def test_first_build_on_a_tiny_disk(hash_settings, tmp_path, monkeypatch, capsys):
    with tmpfs(tmp_path / "disk", 128 * 1024) as disk:
        s = hash_settings.with_(index_root=disk)
        code, err = rag_cli(s, monkeypatch, capsys, "index")
        assert code == 2 and "磁盘空间不足" in one_sentence(err)
        assert current_build(s.index_dir) is None
        assert not (s.index_dir / "builds").exists() or not list((s.index_dir / "builds").iterdir())
        code, err = rag_cli(s, monkeypatch, capsys, "ask", Q)
        assert code == 2 and "没有找到索引" in one_sentence(err)


def test_read_only_index_folder(hash_settings, tmp_path, monkeypatch, capsys):
    with tmpfs(tmp_path / "ro", 64 * 1024 * 1024) as disk:
        s = hash_settings.with_(index_root=disk)
        assert rag_cli(s, monkeypatch, capsys, "index")[0] == 0
        remount(disk, "ro")

        code, err = rag_cli(s, monkeypatch, capsys, "index", "--if-stale")  # a current index needs no write
        assert code == 0 and "已是最新" in err and "Traceback" not in err
        code, err = rag_cli(s, monkeypatch, capsys, "ask", Q)
        assert code == 0 and "Traceback" not in err

        code, err = rag_cli(s, monkeypatch, capsys, "index")  # a forced build must write: one sentence
        line = one_sentence(err)
        assert code == 2 and "不可写" in line and "Read-only file system" in line
        add_clause(s)
        code, err = rag_cli(s, monkeypatch, capsys, "index", "--if-stale")
        assert code == 2 and "不可写" in one_sentence(err)
        remount(disk, "rw")
