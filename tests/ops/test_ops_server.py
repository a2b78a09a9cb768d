"""The operations layer inside the app (FastAPI TestClient, hashing-embedder index, SQLite): answer ids on every
channel, the log without addresses, feedback, /admin and its token, pins served, the database being down."""

from __future__ import annotations

import time

import pytest
from _ops_helpers import clause_with, hash_settings_in
from fastapi.testclient import TestClient

from rag.assistant import Assistant
from rag.ops.pins import index_chunks
from rag.ops.stores import Store
from rag.server import create_app
from rag.server.config import ServerConfig
from rag.server.feedback import answer_id_at, rating_of, store_feedback
from rag.server.ops import bind
from rag.server.ui import respond

TOKEN = "adm1n-t0ken"
Q = "青岛育儿假有几天？"


@pytest.fixture(scope="module")
def hash_assistant(tmp_path_factory):
    return Assistant.load(settings=hash_settings_in(tmp_path_factory.mktemp("ops-server-index")))


def app_with(assistant, monkeypatch, url, **config):
    monkeypatch.setenv("RAG_DATABASE_URL", url)
    monkeypatch.setenv("RAG_LOG_SALT", "test-salt")
    return create_app(assistant, ServerConfig(**{"rate_limit": 0, **config}))


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'ops.sqlite'}"


@pytest.fixture
def client(hash_assistant, monkeypatch, db_url):
    app = app_with(hash_assistant, monkeypatch, db_url, admin_token=TOKEN)
    with TestClient(app) as c:
        c.ops = app.state.ops
        yield c


def flushed_rows(client):
    assert client.ops.log.flush(10)
    return client.ops.store.question_rows()


def test_api_and_v1_answers_carry_an_answer_id_and_are_logged_without_the_address(client):
    a = client.post("/api/ask", json={"question": Q}, headers={"x-forwarded-for": "198.51.100.23"}).json()
    v = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "北京婚假几天"}]}
    ).json()
    with client.stream(
        "POST", "/v1/chat/completions", json={"stream": True, "messages": [{"role": "user", "content": Q}]}
    ) as r:
        body = "".join(r.iter_text())
    assert len(a["answer_id"]) == 32 and len(v["answer_id"]) == 32 and '"answer_id"' in body
    rows = {r["answer_id"]: r for r in flushed_rows(client)}
    assert rows[a["answer_id"]]["channel"] == "api" and rows[v["answer_id"]]["channel"] == "v1"
    assert sorted(r["channel"] for r in rows.values()) == ["api", "v1", "v1"]
    api_row = rows[a["answer_id"]]
    assert api_row["question"] == "青岛育儿假有几天?"  # normalised (NFKC), not the raw text
    assert api_row["region"] == "qingdao" and api_row["latency_ms"] > 0 and api_row["clauses"]
    for r in rows.values():
        assert r["client"] and len(r["client"]) == 16
        assert "testclient" not in str(r.values()) and "198.51.100.23" not in str(r.values())


def test_chat_turns_are_logged_on_the_ui_channel_and_rated_from_the_chatbot(client):
    holder = client.app.state.holder
    *_, (messages, turns) = respond(bind(holder.current, "ui", "192.0.2.5"), Q, [])
    answer_id = answer_id_at(turns, 1)
    assert answer_id and answer_id_at(turns, 0) is None and answer_id_at(turns, 7) is None
    store_feedback(client.ops, answer_id, *rating_of(False))
    store_feedback(client.ops, answer_id, *rating_of("看不懂"))
    (row,) = [r for r in flushed_rows(client) if r["answer_id"] == answer_id]
    assert row["channel"] == "ui" and row["client"] != "192.0.2.5"
    assert (row["rating"], row["comment"]) == ("down", "看不懂")
    assert rating_of(True) == ("up", None) and rating_of("unknown") is None


def test_feedback_route_stores_validates_and_limits(hash_assistant, monkeypatch, db_url):
    app = app_with(hash_assistant, monkeypatch, db_url, rate_limit=3)
    with TestClient(app) as c:
        aid = c.post("/api/ask", json={"question": Q}).json()["answer_id"]
        ok = c.post("/api/feedback", json={"answer_id": aid, "rating": "up"})
        assert ok.status_code == 200 and ok.json()["message"] == "感谢您的反馈！"
        unknown = c.post("/api/feedback", json={"answer_id": "0" * 32, "rating": "up"})
        assert unknown.status_code == 404 and "未找到这条回答" in unknown.json()["detail"]
        long = c.post("/api/feedback", json={"answer_id": aid, "rating": "down", "comment": "长" * 301})
        assert long.status_code == 422 and "300" in long.json()["detail"]
        limited = c.post("/api/feedback", json={"answer_id": aid, "rating": "down"})
        assert limited.status_code == 429 and "Retry-After" in limited.headers
        bad = c.post("/api/feedback", json={"answer_id": aid, "rating": "meh"})
        assert bad.status_code == 422
        assert app.state.ops.log.flush(10)
        assert app.state.ops.store.feedback_counts() == {"up": 1, "down": 0}


def test_admin_refuses_without_the_token_and_shows_the_report_with_it(client):
    client.post("/api/ask", json={"question": Q})
    client.post("/api/ask", json={"question": "上海产假几天"})
    flushed_rows(client)
    assert client.get("/admin").status_code == 401
    assert client.get("/admin", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/admin/report.json").status_code == 401
    assert client.post("/admin/pins", json={}).status_code == 401
    page = client.get("/admin", auth=("operator", TOKEN))
    assert page.status_code == 200 and page.text.count('<figure class="chart">') == 4
    assert "content-security-policy" in page.headers
    report = client.get("/admin/report.json?since=1d", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert (report["questions"], report["refused"]) == (2, 1)
    csv = client.get("/admin/export.csv?since=all", headers={"Authorization": f"Bearer {TOKEN}"})
    assert csv.status_code == 200 and "上海产假几天" in csv.text
    assert client.get("/admin?since=soon", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 422


def test_admin_pages_throttle_guessed_tokens(hash_assistant, monkeypatch, db_url):
    """/admin shares /admin/reload's per-address throttle: after 5 wrong tokens even the right one waits."""
    with TestClient(app_with(hash_assistant, monkeypatch, db_url, admin_token=TOKEN)) as c:
        codes = [c.get("/admin", headers={"Authorization": "Bearer wrong"}).status_code for _ in range(6)]
        assert codes[:5] == [401] * 5 and codes[5] == 429
        r = c.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 429 and "Retry-After" in r.headers and r.json()["detail"]


def test_admin_is_off_without_a_configured_token(hash_assistant, monkeypatch, db_url):
    with TestClient(app_with(hash_assistant, monkeypatch, db_url)) as c:
        r = c.get("/admin", headers={"Authorization": "Bearer "})
        assert r.status_code == 404 and "RAG_ADMIN_TOKEN" in r.json()["detail"]


def test_pins_added_on_admin_are_served_and_removed(client, hash_assistant):
    chunks = index_chunks(hash_assistant.settings)
    cid = clause_with(chunks, "qingdao", "不少于10天育儿假")
    h = {"Authorization": f"Bearer {TOKEN}"}
    bad = client.post("/admin/pins", headers=h, json={"question": Q, "answer": "每年20天。", "cite": [cid]})
    assert bad.status_code == 422 and "20" in bad.json()["detail"]
    text = "3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假。"
    pin_id = client.post("/admin/pins", headers=h, json={"question": Q, "answer": text, "cite": cid}).json()[
        "id"
    ]
    client.ops_matcher = client.app.state.holder.current.matcher
    client.ops_matcher.refresh_seconds = 0
    got = client.post("/api/ask", json={"question": Q}).json()
    assert got["pinned"] and got["answer"].startswith(text) and got["citations"][0]["clause_id"] == cid
    other = client.post("/api/ask", json={"question": "青岛产假有几天？"}).json()
    assert "pinned" not in other
    rows = {r["answer_id"]: r for r in flushed_rows(client)}
    assert rows[got["answer_id"]]["pin_id"] == pin_id and rows[got["answer_id"]]["kind"] == "pinned"
    # the page's own form needs its form token (another site cannot post with the operator's browser)
    assert client.post(f"/admin/pins/{pin_id}/delete", headers=h, data={"form_token": "x"}).status_code == 403
    assert client.post(f"/admin/pins/{pin_id}/delete", headers=h, json={}).status_code == 200
    assert "pinned" not in client.post("/api/ask", json={"question": Q}).json()


def test_database_down_does_not_fail_an_answer(hash_assistant, monkeypatch):
    app = app_with(hash_assistant, monkeypatch, "postgresql+psycopg://postgres@127.0.0.1:9/nowhere")
    with TestClient(app) as c:
        r = c.post("/api/ask", json={"question": Q})
        assert r.status_code == 200 and r.json()["answer"] and r.json()["answer_id"]
        deadline = time.monotonic() + 30
        while app.state.ops.log.db_ok is None and time.monotonic() < deadline:
            time.sleep(0.05)
        health = c.get("/healthz").json()["question_log"]
        assert health["waiting"] == 1 and health["lost"] == 0 and health["database_ok"] is False
        # the rating of an answer this process gave waits with it for the database (never a lost 👎)
        fb = c.post("/api/feedback", json={"answer_id": r.json()["answer_id"], "rating": "up"})
        assert fb.status_code == 200 and app.state.ops.log.status()["waiting"] == 2
        # an id this process does not know needs the database to be checked: 503, not a wrong 404
        fb = c.post("/api/feedback", json={"answer_id": "a" * 32, "rating": "up"})
        assert fb.status_code == 503 and "稍后" in fb.json()["detail"]


def test_log_off_means_no_answer_id_no_rows_and_no_feedback(hash_assistant, monkeypatch, db_url):
    monkeypatch.setenv("RAG_LOG", "off")
    with TestClient(app_with(hash_assistant, monkeypatch, db_url)) as c:
        r = c.post("/api/ask", json={"question": Q}).json()
        assert r["answer"] and "answer_id" not in r
        assert c.get("/healthz").json()["question_log"] == {"enabled": False}
        assert c.post("/api/feedback", json={"answer_id": "a" * 32, "rating": "up"}).status_code == 404
    assert Store(db_url).question_rows() == []


def test_a_reloaded_index_with_a_changed_clause_suspends_the_pin(tmp_path, monkeypatch, db_url):
    from rag.index.store import build_index

    settings = hash_settings_in(tmp_path)
    app = app_with(Assistant.load(settings=settings), monkeypatch, db_url, admin_token=TOKEN)
    h = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as c:
        cid = clause_with(index_chunks(settings), "qingdao", "不少于10天育儿假")
        body = {"question": Q, "answer": "父母各享受每年累计不少于10天育儿假。", "cite": [cid]}
        assert c.post("/admin/pins", headers=h, json=body).status_code == 201
        doc = settings.seeds_dir / "qingdao.txt"
        doc.write_text(
            doc.read_text(encoding="utf-8").replace("不少于10天育儿假", "不少于12天育儿假"), "utf-8"
        )
        build_index(settings)
        assert c.post("/admin/reload?wait=1", headers=h).json()["status"] == "reloaded"
        (pin,) = c.get("/admin/pins", headers=h).json()["pins"]
        assert pin["status"] == "suspended" and cid in pin["reason"]
        assert "pinned" not in c.post("/api/ask", json={"question": Q}).json()
        assert c.get("/admin/report.json", headers=h).json()["pins"]["suspended"][0]["id"] == pin["id"]


def test_the_wrapper_passes_extra_keywords_through():
    """Answerers grow keywords (lock_region…): the logging wrapper must not swallow them."""
    from rag.models import Answer
    from rag.ops.stores import StoreConfig
    from rag.server.ops import Ops, OpsAnswerer

    seen = {}

    class Inner:
        def ask(self, question, region=None, history=(), **kw):
            seen.update(kw)
            return Answer(question=question, answer="好", refused=False, region=None)

        def stream(self, question, region=None, history=(), **kw):
            seen.update(kw)
            yield Answer(question=question, answer="好", refused=False, region=None)

    ops = Ops(StoreConfig(url="sqlite://", log_enabled=False))
    wrapped = OpsAnswerer(Inner(), ops)
    assert wrapped.ask("问", lock_region=True).answer == "好" and seen == {"lock_region": True}
    seen.clear()
    assert list(wrapped.stream("问", lock_region=False))[-1].answer == "好" and seen == {"lock_region": False}
