"""Nothing lost (issues 27 and 28): the question log's writer keeps rows while the database is away and writes
them when it returns, drops only what the database refuses (and counts it), writes everything queued on close,
and notices a SQLite file deleted while serving. The real-server SIGTERM tests are in test_log_shutdown_live.py."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from rag.ops.stores import QuestionLog, QuestionRow, Store
from rag.ops.stores.db import FeedbackRow


def row(i: int, region: str | None = "qingdao") -> QuestionRow:
    return QuestionRow(
        answer_id=f"{i:032x}", channel="api", question=f"问题{i}", region=region, kind="fact", refused=False
    )


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'rag.sqlite'}")
    s.ensure_schema()
    yield s
    s.dispose()


class Flaky:
    """A store that is down (OperationalError, as SQLite locked or PostgreSQL gone) until `up` is set, and
    refuses any row whose region is 'bad' (a DataError: what the database will never take)."""

    def __init__(self, store):
        self.inner, self.up = store, False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def write_batch(self, items):
        items = list(items)
        if not self.up:
            raise sa.exc.OperationalError("insert", {}, Exception("database is locked"))
        if any(getattr(i, "region", None) == "bad" for i in items):
            raise sa.exc.DataError("insert", {}, Exception("value too long"))
        return self.inner.write_batch(items)


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_rows_wait_while_the_database_is_down_and_are_written_when_it_returns(store):
    flaky = Flaky(store)
    qlog = QuestionLog(flaky, flush_seconds=0.05)
    for i in range(20):
        qlog.record(row(i))
    wait_for(lambda: qlog.db_ok is False)
    st = qlog.status()
    assert st["database_ok"] is False and st["waiting"] == 20 and st["lost"] == 0
    flaky.up = True
    assert qlog.flush(40)
    st = qlog.status()
    assert st["database_ok"] is True and st["written"] == 20 and st["lost"] == 0
    qlog.close()
    assert len(store.question_rows()) == 20


def test_a_row_the_database_refuses_is_dropped_alone_and_counted(store):
    flaky = Flaky(store)
    flaky.up = True
    qlog = QuestionLog(flaky, flush_seconds=0.2)
    for i in range(5):
        qlog.record(row(i, region="bad" if i == 2 else "qingdao"))
    assert qlog.flush(20)
    st = qlog.status()
    assert st["written"] == 4 and st["lost_database"] == 1 and st["lost"] == 1
    qlog.close()
    assert {r["answer_id"] for r in store.question_rows()} == {f"{i:032x}" for i in (0, 1, 3, 4)}


def test_close_writes_everything_queued_without_waiting_for_the_batch_window(store):
    qlog = QuestionLog(store, flush_seconds=30)  # a window far longer than the stop may take
    for i in range(300):
        qlog.record(row(i))
    qlog.record_feedback(FeedbackRow(answer_id=f"{299:032x}", rating="down", comment="答案错误"))
    t = time.monotonic()
    qlog.close()
    assert time.monotonic() - t < 10
    rows = store.question_rows()
    assert len(rows) == 300 and rows[-1]["rating"] == "down" and rows[-1]["comment"] == "答案错误"
    # an answer that finishes after the stop is still written (directly: the writer is gone)
    qlog.record(row(300))
    assert len(store.question_rows()) == 301 and qlog.status()["lost"] == 0


def test_close_counts_what_a_database_still_down_cannot_take(store):
    qlog = QuestionLog(Flaky(store), flush_seconds=0.05)
    for i in range(7):
        qlog.record(row(i))
    qlog.close(timeout=0.5)
    st = qlog.status()
    assert st["lost_database"] == 7 and st["waiting"] == 0 and st["written"] == 0


def test_a_deleted_sqlite_file_is_not_db_ok_and_the_next_rows_reach_a_new_file(store):
    qlog = QuestionLog(store, flush_seconds=0.05)
    qlog.record(row(1))
    assert qlog.flush(20) and qlog.status()["database_ok"] is True
    for suffix in ("", "-wal", "-shm"):
        (store.path.parent / (store.path.name + suffix)).unlink(missing_ok=True)
    st = qlog.status()
    assert st["database_ok"] is False and "已被删除" in st["last_error"]
    for i in range(2, 32):
        qlog.record(row(i))
    assert qlog.flush(20)
    qlog.close()
    fresh = Store(f"sqlite:///{store.path}")  # what anyone reading the file on disk sees
    assert len(fresh.question_rows()) == 30
    fresh.dispose()
    assert qlog.status()["reopened"] == 1 and qlog.status()["database_ok"] is True


def test_a_replaced_sqlite_file_is_reported(store, tmp_path):
    qlog = QuestionLog(store, flush_seconds=0.05)
    qlog.record(row(1))
    assert qlog.flush(20)
    other = tmp_path / "other.sqlite"
    other.write_bytes(store.path.read_bytes())
    other.replace(store.path)
    st = qlog.status()
    assert st["database_ok"] is False and "已被替换" in st["last_error"]
    qlog.close()


def test_a_rating_reaching_another_worker_before_the_answer_is_written_is_accepted(tmp_path):
    """Two workers share the database: the 👎 arrives at the one that did not answer, within the batch window."""
    from rag.ops.stores import StoreConfig
    from rag.server.feedback import store_feedback
    from rag.server.ops import Ops

    config = StoreConfig(url=f"sqlite:///{tmp_path / 'w.sqlite'}", salt="x", flush_seconds=0.3)
    a, b = Ops(config), Ops(config)
    a.log.record(row(7))
    store_feedback(b, f"{7:032x}", "down", "答案错误")  # no ApiError(404)
    a.close()
    b.close()
    rows = a.store.question_rows()
    assert rows[0]["rating"] == "down" and rows[0]["comment"] == "答案错误"
