"""The question log writer: answers (and ratings) put rows on a bounded queue and return at once; one
background thread writes them in batches. Nothing on the answer path ever waits for the database.

What happens to a row, and how /healthz tells it:
* the database is down, locked or read-only: the batch is kept and retried with a growing pause (up to
  `MAX_BACKOFF`); new rows wait on the queue meanwhile (`waiting`), and only when the queue is full are rows
  dropped and counted (`lost`). When the database returns, everything waiting is written.
* the database refuses a row for what it holds (a value it cannot store): that row alone is dropped and counted.
* the SQLite file was deleted or replaced while serving: `database_ok` is false at once (a stat on every
  /healthz), and the writer reopens the file before its next write, so rows are never written to an unlinked
  file nobody can read.
* an orderly stop (SIGTERM, SIGINT, reload, a worker recycled) calls `close()`, which writes everything
  queued; only what a still-down database cannot take within the stop's time is dropped, counted and logged.
  After a crash (SIGKILL) at most one batch window (`flush_seconds`) of rows is lost.

The same thread enforces retention: once a day it deletes rows older than `retention_days`."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from ..wording import group_key
from . import messages as M
from .db import FeedbackRow, QuestionRow, Store, _short, utcnow

log = logging.getLogger("rag.ops.stores")
DAY = 86_400.0
BATCH = 500
MAX_BACKOFF = 30.0
Item = QuestionRow | FeedbackRow


def topic_of(question: str, region: str | None, previous: str | None = None) -> str | None:
    """The group a question belongs to, as stored JSON: [region, terms, intent] of rag/wording.group_key.
    A follow-up ("那北京呢") is grouped with its previous question; flood text is cut to what matters."""
    import json

    try:
        text = f"{previous} {question}" if previous else question
        return json.dumps(list(group_key(text[:TOPIC_TEXT], region)), ensure_ascii=False)
    except Exception:  # grouping is a convenience: the row is written without it
        log.exception("提问归组失败")
        return None


TOPIC_TEXT = 160  # characters of question (and previous question) that decide the group


def _transient(exc: Exception) -> bool:
    """Whether the store may take the same rows later (down, locked, disk full, read-only) rather than
    refusing what they hold (a value too long, a constraint)."""
    import sqlalchemy as sa

    if isinstance(exc, sa.exc.DBAPIError):
        return isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) or bool(
            exc.connection_invalidated
        )
    return not isinstance(exc, sa.exc.SQLAlchemyError)  # RagError (cannot connect), OSError, pool timeout


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
        self._q: queue.Queue[Item | None] = queue.Queue(maxsize=queue_size)
        self._recent: OrderedDict[str, None] = OrderedDict()  # answer ids of this process, for feedback
        self._recent_max = recent
        self._lock = threading.Lock()
        self.accepted = 0  # rows put on the queue
        self.written = 0
        self.lost_full = 0  # dropped because the queue was full
        self.lost_db = 0  # dropped: refused by the database, or still unwritable when the server stopped
        self.last_error: str | None = None
        self.db_ok: bool | None = None
        self._pending: list[Item] = []  # the batch the writer is retrying
        self._backoff = 0.0
        self._next_retention = 0.0
        self._deadline: float | None = None  # set by close(): how long a down database is waited for
        self._closed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rag-question-log", daemon=True)
        self._thread.start()

    # ---- producer side (called on the answer path: must never block or raise) -----------------------
    def record(self, row: Item) -> None:
        if isinstance(row, QuestionRow):
            with self._lock:
                self._recent[row.answer_id] = None
                if len(self._recent) > self._recent_max:
                    self._recent.popitem(last=False)
        if self._closed:  # an answer finishing after the stop: written directly, the writer is gone
            self._write_late(row)
            return
        with self._lock:
            self.accepted += 1  # before the put: the writer may write it before this line would run
        try:
            self._q.put_nowait(row)
        except queue.Full:
            with self._lock:
                self.accepted -= 1
                self.lost_full += 1

    def record_feedback(self, row: FeedbackRow) -> None:
        self.record(row)

    @property
    def lost(self) -> int:
        return self.lost_full + self.lost_db

    @property
    def waiting(self) -> int:
        with self._lock:
            return self.accepted - self.written - self.lost_db

    def knows(self, answer_id: str) -> bool:
        """True for an answer given by this process (logged or still queued) or found in the database."""
        with self._lock:
            if answer_id in self._recent:
                return True
        return self.store.has_answer(answer_id)

    def status(self) -> dict:
        problem = self.store.file_problem()
        return {
            "enabled": True,
            "backend": self.store.backend,
            "database_ok": False if problem else self.db_ok,
            "queued": self._q.qsize(),
            "waiting": self.waiting,
            "written": self.written,
            "lost": self.lost,
            "lost_queue_full": self.lost_full,
            "lost_database": self.lost_db,
            "reopened": self.store.reopened,
            "last_error": problem or self.last_error,
        }

    # ---- writer thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            stopping = self._stop.is_set()
            batch = self._pending or self._take(stopping)
            if batch:
                self._pending = self._write(batch)
                if self._pending and self._give_up():
                    self._drop_at_stop()
                elif self._pending:
                    self._pause(stopping)
            elif stopping:
                return
            if not stopping:
                self._retention()

    def _pause(self, stopping: bool) -> None:
        if stopping:  # retry often until close()'s deadline
            time.sleep(min(self._backoff, 0.2))
        else:
            self._stop.wait(self._backoff)

    def _take(self, stopping: bool) -> list[Item]:
        """Up to BATCH rows: the first within one flush window, then whatever arrives in that window (none
        of the waiting when stopping: the queue is drained as fast as it can be written)."""
        try:
            first = self._q.get(timeout=0.01 if stopping else self.flush_seconds)
        except queue.Empty:
            return []
        batch = [first] if first is not None else []
        deadline = time.monotonic() + (0.0 if stopping or first is None else self.flush_seconds)
        while len(batch) < BATCH:
            left = deadline - time.monotonic()
            try:
                row = self._q.get(timeout=left) if left > 0 else self._q.get_nowait()
            except queue.Empty:
                break
            if row is None:  # close() woke us: stop waiting for more
                deadline = 0.0
                continue
            batch.append(row)
        return batch

    def _write(self, batch: list[Item]) -> list[Item]:
        """Writes a batch; returns what must be retried (empty when done)."""
        for item in batch:  # grouped here, off the answer path, once: the console never regroups the log
            if isinstance(item, QuestionRow) and item.topic is None:
                item.topic = topic_of(item.question, item.region, item.previous)
        problem = self.store.file_problem()
        if problem:  # deleted or replaced SQLite file: reopen before writing, never into the unlinked one
            log.warning(problem)
            self.store.reopen()
        try:
            self.store.write_batch(batch)
        except Exception as exc:
            if _transient(exc):
                return self._wait(batch, exc)
            return self._write_each(batch)
        self._done(len(batch))
        return []

    def _write_each(self, batch: list[Item]) -> list[Item]:
        """The database refused the batch for its content: row by row, dropping (and counting) only the
        rows it refuses."""
        for i, item in enumerate(batch):
            try:
                self.store.write_batch([item])
            except Exception as exc:
                if _transient(exc):
                    return self._wait(batch[i:], exc)
                with self._lock:
                    self.lost_db += 1
                self.last_error = _short(exc)
                log.error(M.LOG_DROPPED_BAD.format(n=1, error=self.last_error))
                continue
            self._done(1)
        return []

    def _wait(self, batch: list[Item], exc: Exception) -> list[Item]:
        if self.db_ok is not False:
            log.warning(M.LOG_WAITING.format(error=_short(exc), n=self.waiting))
        self.db_ok, self.last_error = False, _short(exc)
        self._backoff = min(MAX_BACKOFF, max(self.flush_seconds, self._backoff * 2 or 0.5))
        return batch

    def _done(self, n: int) -> None:
        # the database is known good before the rows count as written: a status read between the two never
        # shows everything written with the database still down
        recovered = self.db_ok is False
        self.db_ok, self.last_error, self._backoff = True, None, 0.0
        with self._lock:
            self.written += n
        if recovered:
            log.info(M.LOG_RECOVERED.format(n=n))

    def _give_up(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _drop_at_stop(self) -> None:
        """The server is stopping and the database is still down: count what cannot be written."""
        n = len(self._pending)
        while True:
            try:
                n += self._q.get_nowait() is not None
            except queue.Empty:
                break
        self._pending = []
        with self._lock:
            self.lost_db += n
        log.error(M.LOG_DROPPED_AT_STOP.format(n=n))

    def _write_late(self, row: Item) -> None:
        try:
            self.store.write_batch([row])
            with self._lock:
                self.accepted += 1
                self.written += 1
        except Exception as exc:
            with self._lock:
                self.lost_db += 1
                self.accepted += 1
            log.error(M.LOG_DROPPED_AT_STOP.format(n=1) + " " + _short(exc))

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
        """Waits until every queued row is written or dropped (tests); False when rows still wait."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.waiting <= 0:
                return True
            time.sleep(0.02)
        return False

    def close(self, timeout: float = 5.0) -> None:
        """Writes everything queued, waiting at most `timeout` seconds for a down database, then stops the
        writer (idempotent: the app's shutdown and atexit both call it)."""
        if self._closed:
            return
        self._deadline = time.monotonic() + timeout
        self._stop.set()
        try:
            self._q.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(timeout + 5)
        self._closed = True
        while True:  # rows put while the writer was finishing
            try:
                row = self._q.get_nowait()
            except queue.Empty:
                break
            if row is not None:
                with self._lock:
                    self.accepted -= 1  # counted again by _write_late
                self._write_late(row)
