"""Question log, feedback, report and pinned answers on SQLite with the hashing embedder (fast plumbing).
The same behaviour on a real PostgreSQL server, with the real model and `rag serve`: tests/ops/test_ops_live.py."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from _ops_helpers import clause_with, hash_settings_in

from rag.assistant import Assistant
from rag.errors import RagError
from rag.models import Chunk
from rag.ops.pins import PinMatcher, add_pin, index_chunks, missing_numbers, numbers, verify_pins
from rag.ops.report import build_report, parse_since, render_html, write_csv
from rag.ops.stores import QuestionLog, QuestionRow, Store, client_hash, utcnow
from rag.ops.wording import group_key, wording_key

DOWN_URL = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"  # port 9 (discard): connection refused


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'rag.sqlite'}")
    yield s
    s.dispose()


def row(answer_id, question="青岛育儿假有几天？", region="qingdao", refused=False, ts=None, **kw):
    return QuestionRow(
        answer_id=answer_id,
        channel=kw.pop("channel", "api"),
        question=question,
        region=region,
        kind="fact",
        refused=refused,
        clauses=["qingdao-2.4.1-1"],
        latency_ms=kw.pop("latency_ms", 12.0),
        client=client_hash("salt", "10.0.0.1"),
        ts=ts or utcnow(),
        **kw,
    )


# ---- store ------------------------------------------------------------------------------------------
def test_schema_is_created_in_wal_mode_with_a_version(store):
    store.ensure_schema()
    with store.engine.connect() as c:
        assert c.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(sa.text("select value from meta where key='schema_version'")).scalar() == "2"
        tables = set(sa.inspect(c).get_table_names())
    assert {"questions", "feedback", "pins", "meta"} <= tables


def test_feedback_is_joined_to_its_answer_and_counted_once_per_answer(store):
    store.add_questions([row("a" * 32), row("b" * 32), row("c" * 32, refused=True)])
    store.add_feedback("a" * 32, "up")
    store.add_feedback("b" * 32, "down")
    store.add_feedback("b" * 32, "down", "看不懂")  # the reason after the 👎: still one 👎
    rows = {r["answer_id"]: r for r in store.question_rows()}
    assert rows["a" * 32]["rating"] == "up"
    assert (rows["b" * 32]["rating"], rows["b" * 32]["comment"]) == ("down", "看不懂")
    assert rows["c" * 32]["rating"] is None
    assert store.feedback_counts() == {"up": 1, "down": 1}


def test_purge_removes_only_older_rows(store):
    old = utcnow() - timedelta(days=200)
    store.add_questions([row("a" * 32, ts=old), row("b" * 32)])
    store.add_feedback("a" * 32, "up")
    with store.engine.begin() as c:  # feedback as old as its answer
        c.execute(sa.text("update feedback set ts=:ts"), {"ts": old})
    assert store.purge(utcnow() - timedelta(days=180)) == (1, 1)
    assert [r["answer_id"] for r in store.question_rows()] == ["b" * 32]
    assert store.last_purge() is not None


def test_client_hash_hides_the_address_and_rotates_daily():
    day1, day2 = datetime(2026, 11, 1, 12), datetime(2026, 11, 2, 12)
    h = client_hash("salt", "203.0.113.7", day1)
    assert h and "203" not in h and len(h) == 16
    assert h == client_hash("salt", "203.0.113.7", day1)
    assert h != client_hash("salt", "203.0.113.7", day2)
    assert h != client_hash("other-salt", "203.0.113.7", day1)
    assert client_hash("salt", None) is None


# ---- writer -------------------------------------------------------------------------------------------
def test_question_log_writes_in_the_background(store):
    qlog = QuestionLog(store, flush_seconds=0.05)
    for i in range(5):
        qlog.record(row(f"{i:032x}"))
    assert qlog.flush(10)
    assert qlog.status()["written"] == 5 and qlog.lost == 0
    assert qlog.knows(f"{3:032x}") and not qlog.knows("f" * 32)
    qlog.close()
    assert len(store.question_rows()) == 5


def test_database_down_costs_rows_not_time():
    qlog = QuestionLog(Store(DOWN_URL), flush_seconds=0.05)
    t = time.perf_counter()
    for i in range(50):
        qlog.record(row(f"{i:032x}"))
    assert time.perf_counter() - t < 0.5  # the answer path never waits for the database
    deadline = time.monotonic() + 30
    while qlog.db_ok is None and time.monotonic() < deadline:
        time.sleep(0.05)
    st = qlog.status()  # kept for a retry, not dropped: the database may come back
    assert st["waiting"] == 50 and st["lost"] == 0 and st["written"] == 0
    assert st["database_ok"] is False and st["last_error"]
    qlog.close(timeout=0.5)  # stopped while still down: what could not be written is counted
    st = qlog.status()
    assert st["lost"] == 50 and st["waiting"] == 0


def test_full_queue_drops_and_counts(store):
    qlog = QuestionLog(store, queue_size=2, flush_seconds=5)
    qlog._stop.set()  # writer paused: the queue fills up
    qlog._q.put_nowait(None)
    qlog._thread.join(10)
    for i in range(5):
        qlog.record(row(f"{i:032x}"))
    assert qlog.lost_full == 3


# ---- wording ------------------------------------------------------------------------------------------
def test_wordings_of_one_question_share_a_key_and_other_questions_do_not():
    same = ["青岛育儿假有几天？", "青岛的育儿假多少天", "在青岛，带娃假能休几天呀"]
    keys = {group_key(q, "qingdao") for q in same}
    assert len(keys) == 1
    for other in ("青岛产假有几天？", "青岛育儿假怎么申请"):
        assert group_key(other, "qingdao") not in keys
    assert group_key("青岛育儿假有几天？", "beijing") not in keys
    assert wording_key("通化2025年每千人要有几个托位", ("tonghua",)) != wording_key(
        "通化2035年每千人要有几个托位", ("tonghua",)
    )


# ---- pins -------------------------------------------------------------------------------------------------
def chunk(cid, text, slug="qingdao"):
    return Chunk(cid, slug, "青岛市", "方案", "征求意见稿", "二、主要任务", text, text)


def test_numbers_must_appear_verbatim_in_the_cited_clause(store):
    chunks = {"q-1": chunk("q-1", "3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假。")}
    assert numbers("不少于10天，三个月，60%，2.5万元") == ["10", "三", "60%", "2.5万"]
    assert missing_numbers("每年10天育儿假", [chunks["q-1"].text]) == []
    assert missing_numbers("每年12天育儿假", [chunks["q-1"].text]) == ["12"]
    with pytest.raises(RagError, match="12"):
        add_pin(store, chunks, "青岛育儿假有几天？", "每年12天育儿假。", ["q-1"])
    with pytest.raises(RagError, match="不在当前索引"):
        add_pin(store, chunks, "青岛育儿假有几天？", "每年10天。", ["nope-1"])
    with pytest.raises(RagError, match="--cite"):
        add_pin(store, chunks, "青岛育儿假有几天？", "每年10天。", [])
    pin_id = add_pin(store, chunks, "青岛育儿假有几天？", "父母每年各不少于10天育儿假。", ["q-1"])
    (pin,) = store.pins()
    assert (pin.id, pin.region, pin.active) == (pin_id, "qingdao", True)


def test_a_changed_or_vanished_clause_suspends_its_pin(store):
    chunks = {
        "q-1": chunk("q-1", "父母各享受每年累计不少于10天育儿假。"),
        "q-2": chunk("q-2", "给予不低于500元住院分娩补贴。"),
    }
    a = add_pin(store, chunks, "青岛育儿假有几天？", "不少于10天。", ["q-1"])
    b = add_pin(store, chunks, "青岛分娩补贴多少钱？", "不低于500元。", ["q-2"])
    assert verify_pins(store, chunks) == []
    changed = {"q-1": chunk("q-1", "父母各享受每年累计不少于15天育儿假。")}  # q-2 gone
    suspended = {p.id: reason for p, reason in verify_pins(store, changed)}
    assert set(suspended) == {a, b}
    assert "q-1" in suspended[a] and "变化" in suspended[a] and "不存在" in suspended[b]
    assert all(not p.active for p in store.pins())
    report = build_report(store, None)
    assert {p["id"] for p in report["pins"]["suspended"]} == {a, b}


@pytest.fixture(scope="module")
def hash_assistant(tmp_path_factory):
    return Assistant.load(settings=hash_settings_in(tmp_path_factory.mktemp("ops-index")))


def test_pin_matcher_serves_the_pin_only_behind_both_gates(store, hash_assistant):
    chunks = index_chunks(hash_assistant.settings)
    cid = clause_with(chunks, "qingdao", "不少于10天育儿假")
    add_pin(store, chunks, "青岛育儿假有几天？", "3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假。", [cid])
    m = PinMatcher(store, hash_assistant, refresh_seconds=0)
    found = m.match("青岛育儿假有几天？")
    assert found and found.score > 0.99
    answer = m.answer("青岛育儿假有几天？", found)
    assert answer.pinned and "工作人员核对" in answer.answer and answer.citations[0].chunk.id == cid
    assert any("10天" in s for s in answer.highlights[cid])
    for other in ("青岛产假有几天？", "北京育儿假有几天？", "育儿假有几天？", "青岛育儿假怎么申请？"):
        assert m.match(other) is None, other


# ---- report ---------------------------------------------------------------------------------------------
def test_report_counts_groups_latency_and_charts(store):
    rows = [
        row("1" * 32, "青岛育儿假有几天？", latency_ms=10),
        row("2" * 32, "青岛的育儿假多少天", latency_ms=20),
        row("3" * 32, "在青岛，带娃假能休几天呀", latency_ms=30),
        row("4" * 32, "上海产假几天", region=None, refused=True, latency_ms=40),
        row(
            "5" * 32,
            "北京生育津贴怎么领取？",
            region="beijing",
            latency_ms=1000,
            ts=utcnow() - timedelta(days=3),
        ),
    ]
    store.add_questions(rows)
    store.add_feedback("2" * 32, "down", "答案错误")
    store.add_feedback("1" * 32, "up")
    r = build_report(store, parse_since("1d"))
    assert (r["questions"], r["refused"], r["feedback"]) == (4, 1, {"up": 1, "down": 1})
    assert r["refusal_rate"] == 0.25
    assert r["per_region"] == {"qingdao": 3, "未指明": 1}
    top = r["top_questions"][0]
    assert (top["count"], top["region"], top["terms"]) == (3, "qingdao", ["育儿假"])
    assert r["refused_questions"][0]["examples"] == ["上海产假几天"]
    assert r["disliked_questions"][0]["comments"] == ["答案错误"]
    assert r["latency_ms"]["p50"] == 25.0 and r["latency_ms"]["p95"] is not None
    assert build_report(store, None)["questions"] == 5
    page = render_html(r)
    assert page.count('src="data:image/png;base64,') >= 2
    assert "在青岛，带娃假能休几天呀" in page
    json.dumps(r, ensure_ascii=False)  # JSON-ready


def test_report_escapes_what_citizens_typed_and_csv_has_no_formulas(store):
    store.add_questions([row("1" * 32, "<script>alert(1)</script>"), row("2" * 32, '=HYPERLINK("x")')])
    page = render_html(build_report(store, None))
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    buf = io.StringIO()
    assert write_csv(store, None, buf) == 2
    text = buf.getvalue()
    assert "'=HYPERLINK" in text and "10.0.0.1" not in text and "client" not in text.splitlines()[0]


def test_since_is_parsed_or_refused_in_one_sentence():
    now = datetime(2026, 11, 28)
    assert parse_since("7d", now) == datetime(2026, 11, 21)
    assert parse_since("12h", now) == datetime(2026, 11, 27, 12)
    assert parse_since("all", now) is None
    with pytest.raises(RagError, match="7d"):
        parse_since("last week", now)


def test_the_writer_enforces_retention_once_a_day(store):
    store.add_questions([row("a" * 32, ts=utcnow() - timedelta(days=181)), row("b" * 32)])
    qlog = QuestionLog(store, flush_seconds=0.05, retention_days=180)
    deadline = time.monotonic() + 10
    while store.last_purge() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    qlog.close()
    assert [r["answer_id"] for r in store.question_rows()] == ["b" * 32]
    store.add_questions([row("c" * 32, ts=utcnow() - timedelta(days=181))])
    qlog = QuestionLog(store, flush_seconds=0.05, retention_days=180)  # purged less than a day ago: kept
    time.sleep(0.3)
    qlog.close()
    assert len(store.question_rows()) == 2


def test_personal_numbers_are_not_logged():
    from rag.ops.stores import redact

    text = "我电话13812345678，身份证11010519491231002X，邮箱a.b@example.com，2025年补贴500元"
    out = redact(text)
    assert "13812345678" not in out and "1231002X" not in out and "example.com" not in out
    assert "2025年" in out and "500元" in out
