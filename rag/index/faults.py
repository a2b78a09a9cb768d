"""Index faults, each turned into one sentence: malformed manifests, read-only folders, full disks, held locks.

`rag index`, `rag ask` and `rag serve` share these rules so that every failure of the on-disk index is one
line the operator can act on (the CLI prints it and exits 2), and a failed build leaves nothing behind: a
half-written build on a full disk would keep the disk full and make every retry fail.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import IndexProblem

# ---- the sentences (kept together; they move to rag/messages.py when that module exists) ----------------
REBUILD = "请运行 `rag index` 重建索引。"
MANIFEST_NOT_JSON = "索引清单 {path} 缺失或不是合法的 JSON：" + REBUILD
MANIFEST_BAD_SHAPE = "索引清单 {path} 已损坏（{why}）：" + REBUILD
READ_ONLY = "索引目录 {dir} 不可写（{reason}）：请检查权限或挂载方式，或用 --index-dir 指定可写的目录。"
DISK_FULL = (
    "磁盘空间不足，无法写入索引 {dir}：未完成的构建已删除，已嵌入的向量保留在检查点中，"
    "释放空间后重新运行 `rag index` 即从中断处继续。"
)
WRITE_FAILED = "建立索引时读写失败（{reason}）：未完成的构建已删除，请检查磁盘后重新运行 `rag index`。"
LOCK_WAIT = "另一个建立索引的进程{who}正在使用 {dir}，等待它结束……"
LOCK_TIMEOUT = "等待 {seconds:.0f} 秒后，另一个建立索引的进程{who}仍在使用 {dir}：请稍后再试，或用 --lock-timeout 延长等待。"
LOCK_WHO = "（PID {pid}，{started} 开始）"

NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)

# What a well-formed manifest holds: key -> accepted type(s). Checked on every load, so that a manifest that
# is valid JSON of the wrong shape ([], null, "x", an object missing keys) is one sentence, not a traceback.
MANIFEST_KEYS: dict[str, type | tuple[type, ...]] = {
    "schema_version": int,
    "embedder": dict,
    "chunker_version": (int, str),
    "tokenizer": (int, str),
    "chunk_count": int,
    "documents": list,
    "seeds": dict,
    "files": dict,
}
EMBEDDER_KEYS: dict[str, type | tuple[type, ...]] = {"spec": str, "id": str, "dim": int}


def manifest_problem(obj: object, schema_version: int) -> str | None:
    """Why `obj` is not a usable manifest (a short Chinese phrase), or None when it is.

    An older schema version is not "damaged": the caller reports it as stale, so the version is checked by
    the caller before the shape of the rest (old manifests may legitimately lack newer keys).
    """
    if not isinstance(obj, dict):
        return f"内容是 {type(obj).__name__} 而不是对象"
    version = obj.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return "缺少 schema_version"
    if version != schema_version:
        return None
    for key, kind in MANIFEST_KEYS.items():
        value = obj.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"缺少或类型错误的字段 {key}"
    for key, kind in EMBEDDER_KEYS.items():
        value = obj["embedder"].get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"缺少或类型错误的字段 embedder.{key}"
    for key in ("seeds", "files"):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in obj[key].items()):
            return f"字段 {key} 的取值不是字符串"
    if not all(isinstance(d, str) for d in obj["documents"]):
        return "字段 documents 的取值不是字符串"
    if obj.get("vector_dtype", "float32") not in ("float32", "float16"):  # optional: older builds lack it
        return "字段 vector_dtype 不是 float32 或 float16"
    return None


# ---- OS and FAISS errors -> one sentence ----------------------------------------------------------------
_FAISS_ERRNO = re.compile(r"\(([^()]*)\)\s*$")


def _faiss_reason(exc: RuntimeError) -> str:
    """FAISS errors are a C++ assertion dump; keep only the OS reason at its end (e.g. 'No space left')."""
    m = _FAISS_ERRNO.search(str(exc))
    return m.group(1) if m else str(exc).splitlines()[0][-120:]


def is_write_fault(exc: BaseException) -> bool:
    """Errors of the file system (not of the embedder or the program) that the build turns into a sentence."""
    if isinstance(exc, OSError):
        return True
    return isinstance(exc, RuntimeError) and "faiss" in str(exc).lower() and "write" in str(exc).lower()


def fault_sentence(exc: BaseException, index_dir: Path) -> str:
    """The one sentence for a file-system fault met while building the index at `index_dir`."""
    if isinstance(exc, OSError):
        code, reason = exc.errno, exc.strerror or type(exc).__name__
        if exc.filename:
            reason = f"{reason}：{exc.filename}"
    else:
        reason = _faiss_reason(exc)  # type: ignore[arg-type]
        code = errno.ENOSPC if "No space left" in reason else None
    if code in NO_SPACE:
        return DISK_FULL.format(dir=index_dir)
    inside = not getattr(exc, "filename", None) or str(exc.filename).startswith(str(index_dir))  # type: ignore[union-attr]
    if code in NOT_WRITABLE and inside:  # a seed file we may not read is not a read-only index folder
        return READ_ONLY.format(dir=index_dir, reason=reason)
    return WRITE_FAILED.format(reason=reason)


@contextmanager
def build_guard(index_dir: Path) -> Iterator[None]:
    """Around a whole build: a file-system fault becomes IndexProblem, and whatever this build wrote under
    builds/ that is not live is removed (its temporary folder, or its finished folder when the swap of
    CURRENT did not happen), whatever the error - Ctrl-C included. Only entries created by this process
    (the build id carries the pid) after the guard started are touched, so a concurrent build is safe."""
    builds = index_dir / "builds"
    before = _entries(builds)
    tag = f"-{os.getpid()}-"
    try:
        yield
    except BaseException as exc:
        live = _current_name(index_dir)
        for p in _entries(builds) - before:
            if tag in p.name and p.name != live:
                shutil.rmtree(p, ignore_errors=True)
        for p in index_dir.glob(".CURRENT.*") if index_dir.is_dir() else ():
            if tag in p.name:
                _unlink_quietly(p)
        if isinstance(exc, (OSError, RuntimeError)) and is_write_fault(exc):
            raise IndexProblem(fault_sentence(exc, index_dir)) from None
        raise


def _entries(builds: Path) -> set[Path]:
    try:
        return set(builds.iterdir())
    except OSError:
        return set()


def _current_name(index_dir: Path) -> str | None:
    try:
        return (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return None


def _unlink_quietly(p: Path) -> None:
    try:
        p.unlink()
    except OSError:
        pass


# ---- the build lock ---------------------------------------------------------------------------------------
def _say(sentence: str) -> None:
    print(f"rag: {sentence}", file=sys.stderr, flush=True)


@contextmanager
def build_lock(
    index_dir: Path,
    timeout: float | None = None,
    notify: Callable[[str], None] | None = None,
    poll: float = 0.2,
) -> Iterator[None]:
    """One build per index folder. A held lock is announced once (with the holder's pid and start time,
    which the holder writes into the lock file) and waited for, up to `timeout` seconds (None: forever;
    0: do not wait). The kernel drops a flock when its process dies, so a killed build never leaves a
    stale lock behind."""
    notify = notify or _say
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fh = open(index_dir / ".lock", "a+", encoding="utf-8")
    except OSError as exc:
        raise IndexProblem(fault_sentence(exc, index_dir)) from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = _holder(fh)
            timeout = None if timeout is None else max(0.0, timeout)
            deadline = None if timeout is None else time.monotonic() + timeout
            if timeout != 0:
                notify(LOCK_WAIT.format(who=who, dir=index_dir))
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise IndexProblem(
                            LOCK_TIMEOUT.format(seconds=timeout or 0, who=who, dir=index_dir)
                        ) from None
                    time.sleep(poll)
        try:
            _record_holder(fh)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _record_holder(fh) -> None:
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()} {time.strftime('%H:%M:%S')}\n")
        fh.flush()
    except OSError:  # who holds the lock is a courtesy; a full disk must not stop the build here
        pass


def _holder(fh) -> str:
    try:
        fh.seek(0)
        pid, started = fh.read(100).split()[:2]
        return LOCK_WHO.format(pid=int(pid), started=started)
    except (OSError, ValueError):
        return ""
