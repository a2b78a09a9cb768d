"""The full checksum of a loaded build's large files, run after load in a background thread (issue 25).

Why not on the hot path: at national scale the build files are 870 MB and their SHA-256 took 2.2 s of the
cold start, whose target is 5 s. Load therefore checks every file by size and sampled digest (layout.quick_check:
truncation, zeroing, random overwrite or another build's file are caught before anything is served) and hashes
small files whole; the whole-file hash of the large ones runs here, at idle priority, right after load. A
mismatch (a flipped byte the samples missed) sets `fault` to the same sentence load would have raised, and
from then on the assistant refuses to answer from this index (Assistant.ask raises IndexProblem) and /healthz
says "damaged": a damaged index is never served for longer than one background hash takes (~1 s per GB).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from .layout import _sha256

log = logging.getLogger("rag")
DAMAGED = "索引文件 {name} 缺失、被截断或已损坏（校验和不符）：{hint}"


class BackgroundVerify:
    """Hashes `names` of `build` against the manifest in a daemon thread; `fault` is None while all match."""

    def __init__(self, build: Path, manifest: dict, names: list[str], hint: str):
        self.fault: str | None = None
        self.done = threading.Event()
        self._args = (Path(build), dict(manifest.get("files", {})), list(names), hint)
        if not names:
            self.done.set()
            return
        threading.Thread(target=self._run, name="rag-index-verify", daemon=True).start()

    def _run(self) -> None:
        build, files, names, hint = self._args
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only: idle priority
        except (OSError, AttributeError):
            pass
        try:
            for name in names:
                try:
                    ok = _sha256(build / name) == files.get(name)
                except FileNotFoundError:  # pruned by a newer build after load: what is served was checked
                    continue
                except OSError:
                    ok = False
                if not ok:
                    self.fault = DAMAGED.format(name=name, hint=hint)
                    log.error("%s", self.fault)
                    return
        finally:
            self.done.set()

    def wait(self, timeout: float | None = None) -> str | None:
        """The fault once the check has finished (None: every file matched, or still running at timeout)."""
        self.done.wait(timeout)
        return self.fault
