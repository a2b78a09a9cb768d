"""A serving process never dies because an index file changed under it (issue 28): the build's files are read
into memory at load, so truncating or corrupting them in place while answering changes nothing. The same
script with RAG_INDEX_MMAP=1 (memory-mapped) shows what the test guards against: the process dies of SIGBUS."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the real embedder and a copy of the index, in a child process
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import sys
from pathlib import Path
from rag.assistant import Assistant
from rag.config import load_settings

settings = load_settings(Path(sys.argv[1])).with_(index_root=Path(sys.argv[2]))
a = Assistant.load(settings=settings)
assert "10天" in a.ask("青岛育儿假有几天？").answer
for f in Path(sys.argv[2]).rglob("*.faiss"):
    with open(f, "r+b") as fh:  # in place, as a careless copy or a full disk would
        fh.truncate(64)
for q in ("北京产假多少天？", "重庆育儿补贴有多少？", "青岛育儿假有几天？"):
    assert a.ask(q).answer
print("ANSWERED", flush=True)
"""


def _run(tmp_path: Path, **env) -> subprocess.CompletedProcess:
    from rag.config import load_settings

    index = tmp_path / "index"
    shutil.copytree(load_settings(ROOT).index_root, index, ignore=shutil.ignore_patterns(".lock"))
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT), str(index)],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_truncating_the_index_in_place_while_serving_changes_no_answer(tmp_path):
    done = _run(tmp_path, RAG_INDEX_MMAP="0")
    assert done.returncode == 0 and "ANSWERED" in done.stdout, done.stderr[-2000:]


def test_memory_mapped_the_same_truncation_kills_the_process(tmp_path):
    done = _run(tmp_path, RAG_INDEX_MMAP="1")
    assert done.returncode == -signal.SIGBUS and "ANSWERED" not in done.stdout, (
        done.returncode,
        done.stderr[-500:],
    )
