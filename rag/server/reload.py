"""Holds the live answerer and swaps it for a freshly built one without stopping the server.

Requests read `holder.current` once and keep that object for their whole answer, so a swap (a single
attribute assignment, atomic in Python) never mixes two indexes in one reply. A failed rebuild
(damaged or missing index) is logged and the old answerer keeps serving.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import signal
import threading
import time

from ..answers.common import clause_benefits
from ..index.freshness import seeds_match
from ..ops.shared_state import ReloadSignal
from ..pipeline import build
from ..question.lexicon import forget_cached

log = logging.getLogger("rag.server")


class AnswererHolder:
    def __init__(self, answerer, settings=None, builder=None):
        self.current = answerer
        self.settings = settings
        self._builder = builder
        self._lock = threading.Lock()
        self._state = threading.Lock()  # guards _running/_again
        self._running = self._again = False
        self.reloads = 0
        self.last_error: str | None = None
        self.loaded_at = time.time()

    def reload(self) -> bool:
        """Rebuilds synchronously; True when the new answerer is live. One rebuild at a time."""
        with self._lock:
            try:
                forget_cached()  # place names of plans added since the last load
                clause_benefits.cache_clear()  # keyed by the lexicon: it would keep every old lexicon alive
                if self._builder is not None:
                    new = self._builder()
                else:
                    new = build(self.settings)
                warm_up(new)
            except Exception as exc:  # keep serving the old index whatever went wrong
                self.last_error = str(exc) or type(exc).__name__
                log.error("重新加载索引失败，继续使用原索引：%s", self.last_error)
                return False
            self.current = new
            self.reloads += 1
            self.last_error = None
            self.loaded_at = time.time()
            log.info("已重新加载索引（第 %d 次）。", self.reloads)
        del new
        release_memory()
        return True

    def reload_in_background(self) -> threading.Thread | None:
        """Serialised and coalesced: at most one reload runs and at most one more is owed, whatever the number
        of requests (a SIGHUP storm once started a thread per signal, each building a whole answerer)."""
        with self._state:
            if self._running:
                self._again = True
                return None
            self._running = True
        t = threading.Thread(target=self._reload_owed, name="rag-reload", daemon=True)
        t.start()
        return t

    def _reload_owed(self) -> None:
        while True:
            try:
                self.reload()  # catches every Exception itself
            except BaseException:
                with self._state:
                    self._running = self._again = False
                raise
            with self._state:
                if not self._again:
                    self._running = False
                    return
                self._again = False


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _libc()


def release_memory() -> None:
    """Frees the old answerer now and hands the freed heap back to the system. The rebuild runs on the reload
    thread, whose malloc arena keeps the freed pages of every old index: without the trim a HUP storm grew two
    workers by ~90 MB (issue 28); with it repeated reloads stay within a few MB (tests/server/
    test_reload_signals.py). A no-op where the C library has no malloc_trim (not glibc)."""
    gc.collect()
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


def watch_reloads(signal, holder, every: float = 1.0) -> threading.Thread | None:
    """Polls the shared reload signal (shared_state.RedisReloadSignal) and reloads this process when another
    replica published one. Nothing to watch in a single process (the in-process signal never changes)."""
    if type(signal) is ReloadSignal:
        return None

    def loop():
        while True:
            time.sleep(every)
            try:
                if signal.changed():
                    log.info("收到其他副本的重新加载通知。")
                    holder.reload()
            except Exception:  # the watcher must outlive any single failure
                log.exception("重新加载通知处理失败")

    t = threading.Thread(target=loop, name="rag-reload-watch", daemon=True)
    t.start()
    return t


def warm_up(answerer) -> None:
    """The first question pays for lazy loading (tokeniser dictionaries, model graph): pay it before serving."""
    try:
        # the extractive core only: warming up must not spend an LLM call (or its time budget)
        getattr(answerer, "assistant", answerer).ask("青岛育儿假有几天？")
    except (
        Exception
    ) as exc:  # a warm-up failure must not hide a working index; it shows on the first real ask
        log.warning("预热失败：%s", exc)


def index_info(answerer) -> dict:
    """What /healthz reports; works for the Assistant and for wrappers that expose it as `.assistant`."""
    inner = getattr(answerer, "assistant", answerer)
    index = getattr(inner, "index", None)
    manifest = getattr(index, "manifest", {}) or {}
    embedder = getattr(inner, "embedder", None)
    return {
        "index_loaded": index is not None,
        "embedder": getattr(embedder, "id", None) or manifest.get("embedder", {}).get("id"),
        "chunks": manifest.get("chunk_count", len(getattr(index, "chunks", []) or [])),
        "documents": list(getattr(answerer, "docs", {}) or {}),
        "built_at": manifest.get("built_at"),
        "build": getattr(getattr(index, "dir", None), "name", None),  # the build id (one per `rag index`)
        "answerer": type(answerer).__name__,
    }


def served_seeds_match(holder) -> bool | None:
    """Whether the seeds on disk still match the index being served (None when that cannot be told)."""
    inner = getattr(holder.current, "assistant", holder.current)
    manifest = getattr(getattr(inner, "index", None), "manifest", None)
    settings = getattr(inner, "settings", None) or holder.settings
    return seeds_match(manifest, getattr(settings, "seeds_dir", None))


# a SIGHUP received while the index is still loading: honoured once the server is up
_owed = {"reload": False}


def hold_reloads_until_loaded() -> None:
    """Until the index is loaded, SIGHUP only notes that a reload is owed (its default action would end the
    process: three HUPs during start-up stopped the server, nothing logged)."""
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda *_: _owed.update(reload=True))
