"""Nothing lost on an orderly stop (issues 27/28): the real `rag serve` (real model), one process and
`--workers 2`, on SQLite and on a real PostgreSQL, stopped with SIGTERM (as systemd, docker and Kubernetes stop
it) or SIGINT the moment the last answer arrives: every answered question is in the log, including the
no-place questions whose region list PostgreSQL once refused, and a 👎 on the last answer after a restart finds
its answer id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from _live_server import free_port
from _ops_helpers import ROOT
from _postgres import postgres_server, unavailable

from rag.ops.stores import Store

pytestmark = pytest.mark.slow
QUESTIONS = [
    "青岛育儿假有几天？",
    "北京的生育补贴怎么领？",
    "育儿假有几天？",  # no place: answered across every region (the long region list)
    "重庆产假多少天",
    "各地的婚假是多少天？",  # no place
    "通化市生二孩有什么补贴？",
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('shutdown') / 'rag.sqlite'}"
        return
    why = unavailable()
    if why:
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL tests cannot run in CI: {why}")
        pytest.skip(why)
    with postgres_server() as pg:
        yield pg.url


def start(db_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "RAG_DATABASE_URL": db_url, "RAG_RATE_LIMIT": "0", "RAG_LOG_SALT": "t"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    ready = 0
    while ready < workers * 2:  # several answers in a row: every worker has loaded
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "rag serve did not start"
        try:
            ok = httpx.get(url + "/healthz", timeout=5).status_code == 200
            ready = ready + 1 if ok else 0
        except httpx.HTTPError:
            ready = 0
            time.sleep(0.3)
    return proc, url


def ask_all(url: str, rounds: int = 1) -> list[str]:
    def ask(q):
        with httpx.Client(timeout=120) as c:  # one connection each: spread over the workers
            r = c.post(url + "/api/ask", json={"question": q})
            r.raise_for_status()
            return r.json()["answer_id"]

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(ask, QUESTIONS * rounds))


def stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> str:
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("rag serve did not stop within 60 s") from None
    return err


def logged(db_url: str) -> dict:
    store = Store(db_url)
    try:
        return {r["answer_id"]: r for r in store.question_rows()}
    finally:
        store.dispose()


@pytest.mark.parametrize("workers,sig", [(1, signal.SIGTERM), (2, signal.SIGTERM), (2, signal.SIGINT)])
def test_every_answered_question_is_logged_after_an_immediate_stop(db_url, workers, sig):
    proc, url = start(db_url, workers)
    try:
        ids = ask_all(url, rounds=5)  # 30 answers from 4 clients at once
    except BaseException:
        proc.kill()
        raise
    err = stop(proc, sig)  # the moment the last answer arrived: no sleep
    rows = logged(db_url)
    missing = [q for q, i in zip(QUESTIONS * 5, ids) if i not in rows]
    assert not missing, f"not in the log after {sig.name}: {missing}\n{err[-2000:]}"
    assert "未能写入" not in err and "拒收" not in err
    no_place = rows[ids[2]]["region"] or ""
    assert "," in no_place and len(no_place) > 32  # the value varchar(32) refused, stored whole


def test_a_thumbs_down_on_the_last_answer_after_a_restart_finds_its_answer(db_url):
    proc, url = start(db_url, 1)
    try:
        last = ask_all(url)[-1]
    except BaseException:
        proc.kill()
        raise
    stop(proc)
    proc, url = start(db_url, 1)
    try:
        r = httpx.post(url + "/api/feedback", json={"answer_id": last, "rating": "down", "comment": "看不懂"})
        assert r.status_code == 200, r.text
    finally:
        stop(proc)
    assert logged(db_url)[last]["rating"] == "down"


def test_an_old_postgresql_schema_is_migrated_to_take_long_region_lists(db_url):
    """A database created by schema v1 (region varchar(32)) takes the long values after the upgrade."""
    import sqlalchemy as sa

    from rag.ops.stores import QuestionRow

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite does not enforce column widths; the migration is PostgreSQL's")
    admin = sa.create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:  # a database of its own: the other tests' rows hold long regions already
        c.execute(sa.text("DROP DATABASE IF EXISTS migration_test"))
        c.execute(sa.text("CREATE DATABASE migration_test"))
    admin.dispose()
    db_url = db_url.rsplit("/", 1)[0] + "/migration_test"
    old = Store(db_url)
    old.ensure_schema()
    with old.engine.begin() as c:
        c.execute(sa.text("ALTER TABLE questions ALTER COLUMN region TYPE varchar(32)"))
        c.execute(sa.text("UPDATE meta SET value='1' WHERE key='schema_version'"))
    old.dispose()
    store = Store(db_url)
    region = ",".join(["beijing", "chongqing", "qingdao", "tonghua", "shanghai", "guangzhou"])
    store.add_questions(
        [
            QuestionRow(
                answer_id="e" * 32, channel="api", question="育儿假", region=region, kind="x", refused=0
            )
        ]
    )
    assert {r["answer_id"]: r["region"] for r in store.question_rows()}["e" * 32] == region
    store.dispose()


def test_a_sqlite_file_deleted_while_serving_is_reported_and_the_next_answers_reach_the_disk(tmp_path):
    path = tmp_path / "rag.sqlite"
    proc, url = start(f"sqlite:///{path}", 1)
    try:
        ask_all(url)
        deadline = time.monotonic() + 20
        while httpx.get(url + "/healthz").json()["question_log"]["database_ok"] is not True:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        health = httpx.get(url + "/healthz").json()["question_log"]
        assert health["database_ok"] is False and "已被删除" in health["last_error"]
        ids = ask_all(url)
    finally:
        stop(proc)
    rows = logged(f"sqlite:///{path}")  # what anyone reading the file on disk finds
    assert set(ids) <= set(rows)
