"""The question log writer: answers put rows on a bounded queue and return at once; one background thread
writes them in batches. If the database is down or the queue is full, rows are dropped and counted (shown
in /healthz), never waited for: logging must not slow or fail an answer.

The same thread enforces retention: once a day it deletes rows older than `retention_days`."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from .db import QuestionRow, Store, _short, utcnow

log = logging.getLogger("rag.ops.stores")
DAY = 86_400.0


class QuestionLog:
    def __init__(
        self,
        store: Store,
        *,
        queue_size: int = 10_000,
        flush_seconds: float = 0.5,
        retention_days: int = 180,
        recent: int = 20_000,
    ):
        self.store = store
        self.retention_days = retention_days
        self.flush_seconds = flush_seconds
        self._q: queue.Queue[QuestionRow | None] = queue.Queue(maxsize=queue_size)
        self._recent: OrderedDict[str, None] = OrderedDict()  # answer ids of this process, for feedback
        self._recent_max = recent
        self._lock = threading.Lock()
        self.accepted = 0  # rows put on the queue
        self.written = 0
        self.lost_full = 0  # dropped because the queue was full
        self.lost_db = 0  # dropped because the database refused them
        self.last_error: str | None = None
        self.db_ok: bool | None = None
        self._next_retention = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rag-question-log", daemon=True)
        self._thread.start()

    # ---- producer side (called on the answer path: must never block or raise) -----------------------
    def record(self, row: QuestionRow) -> None:
        with self._lock:
            self._recent[row.answer_id] = None
            if len(self._recent) > self._recent_max:
                self._recent.popitem(last=False)
        try:
            self._q.put_nowait(row)
        except queue.Full:
            with self._lock:
                self.lost_full += 1
            return
        with self._lock:
            self.accepted += 1

    @property
    def lost(self) -> int:
        return self.lost_full + self.lost_db

    def knows(self, answer_id: str) -> bool:
        """True for an answer given by this process (logged or still queued) or found in the database."""
        with self._lock:
            if answer_id in self._recent:
                return True
        return self.store.has_answer(answer_id)

    def status(self) -> dict:
        return {
            "enabled": True,
            "backend": self.store.backend,
            "database_ok": self.db_ok,
            "queued": self._q.qsize(),
            "written": self.written,
            "lost": self.lost,
            "last_error": self.last_error,
        }

    # ---- writer thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self._take()
            if batch:
                self._write(batch)
            self._retention()

    def _take(self) -> list[QuestionRow]:
        try:
            first = self._q.get(timeout=self.flush_seconds)
        except queue.Empty:
            return []
        batch = [first] if first is not None else []
        deadline = time.monotonic() + self.flush_seconds
        while len(batch) < 500 and time.monotonic() < deadline:
            try:
                row = self._q.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if row is None:
                break
            batch.append(row)
        return batch

    def _write(self, batch: list[QuestionRow]) -> None:
        try:
            self.store.add_questions(batch)
        except Exception as exc:  # database down, disk full, …: count the loss, keep answering
            with self._lock:
                self.lost_db += len(batch)
            if self.db_ok is not False:
                log.warning("提问记录写入失败，已丢弃 %d 条：%s", len(batch), _short(exc))
            self.db_ok, self.last_error = False, _short(exc)
            return
        with self._lock:
            self.written += len(batch)
        self.db_ok, self.last_error = True, None

    def _retention(self) -> None:
        now = time.monotonic()
        if now < self._next_retention:
            return
        self._next_retention = now + DAY
        try:
            last = self.store.last_purge()
            if last is None or utcnow() - last >= timedelta(days=1):
                nq, nf = self.store.purge(utcnow() - timedelta(days=self.retention_days))
                if nq or nf:
                    log.info("按保留期限（%d 天）删除了 %d 条提问、%d 条反馈。", self.retention_days, nq, nf)
        except Exception as exc:
            self._next_retention = now + 600  # try again in ten minutes
            log.warning("按保留期限清理失败：%s", _short(exc))

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until every queued row is written or dropped (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                done = self.written + self.lost_db >= self.accepted
            if done:
                return True
            time.sleep(0.02)
        return False

    def close(self, timeout: float = 5.0) -> None:
        self.flush(timeout)
        self._stop.set()
        try:
            self._q.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(timeout)
