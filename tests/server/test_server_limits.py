"""Fast checks of the request bounds and the error contract on tiny ASGI apps (no model, no real server), and
of the pure helpers behind them: token counting and cutting, region names, throttles, chat-state capping."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

from rag.ops.shared_state import FailureThrottle, RateLimiter
from rag.server.config import ServerConfig
from rag.server.contract import ErrorContractMiddleware, sentence
from rag.server.limits import RequestGuard
from rag.server.openai_compat import Budget, count_tokens
from rag.server.ui import cap_turns
from rag.text.normalize import strip_invisible


@pytest.mark.parametrize(
    "ch", ["\ufe0f", "\U000e0100", "\u3164", "\u115f", "\u00ad", "\u180e", "\u200b", "\u034f"]
)
def test_strip_invisible_removes_each_listed_character(ch):
    assert strip_invisible(f"青{ch}岛{ch}") == "青岛"


def test_strip_invisible_keeps_visible_text():
    assert strip_invisible("青岛 育儿假 😀 abc，１２") == "青岛 育儿假 😀 abc，１２"


def _tiny_app(**cfg):
    app = FastAPI()
    received = {}

    @app.post("/echo")
    async def echo(request: __import__("fastapi").Request):
        body = await request.body()
        received["size"] = len(body)
        received["headers"] = dict(request.headers)
        return {"size": len(body)}

    @app.get("/plain")
    def plain():
        return PlainTextResponse("Internal oops", status_code=500)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    state = SimpleNamespace(config=ServerConfig(**cfg), limits=None, blocks=None)
    app.add_middleware(RequestGuard, state=state, max_body=1024)
    app.add_middleware(ErrorContractMiddleware)
    return app, received


def test_chunked_body_over_the_cap_is_refused_while_streaming():
    app, received = _tiny_app()
    pulled = []

    def chunks():
        for i in range(1000):  # 1000 KB offered, the cap is 1 KB
            pulled.append(i)
            yield b"x" * 1024

    with TestClient(app) as c:
        r = c.post("/echo", content=chunks())
        assert r.status_code == 413 and "请求体过大" in r.json()["detail"]
        assert "size" not in received  # the route never ran
        assert c.post("/echo", content=b"x" * 1000).json() == {"size": 1000}
        r = c.post("/echo", content=b"x" * 2000)
        assert r.status_code == 413 and r.headers["connection"] == "close"


def test_forwarded_headers_dropped_unless_the_peer_is_trusted():
    app, received = _tiny_app()
    with TestClient(app) as c:
        c.post(
            "/echo", content=b"{}", headers={"X-Forwarded-Host": "evil.example", "Forwarded": "for=1.2.3.4"}
        )
    assert "x-forwarded-host" not in received["headers"] and "forwarded" not in received["headers"]
    app, received = _tiny_app(trusted_proxies=("10.0.0.5",))
    with TestClient(app, client=("10.0.0.6", 5000)) as c:
        c.post("/echo", content=b"{}", headers={"X-Forwarded-Host": "evil.example"})
    assert "x-forwarded-host" not in received["headers"]
    with TestClient(app, client=("10.0.0.5", 5000)) as c:  # the trusted proxy's headers are kept
        c.post("/echo", content=b"{}", headers={"X-Forwarded-Host": "www.example.gov.cn"})
    assert received["headers"]["x-forwarded-host"] == "www.example.gov.cn"


def test_wrong_method_is_405_and_errors_are_chinese_json():
    app, _ = _tiny_app()
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/echo")
        assert (
            r.status_code == 405
            and r.headers["allow"] == "POST"
            and r.json()["detail"] == "不支持该请求方法。"
        )
        r = c.get("/plain")
        assert r.status_code == 500 and r.json() == {"detail": sentence(500)}
        r = c.get("/boom")
        assert r.status_code == 500 and "secret" not in r.text and r.json() == {"detail": sentence(500)}
        r = c.get("/v1/nothing")
        assert r.json()["error"] == {"message": "未找到该地址。", "type": "not_found_error", "code": 404}


def test_sentence_keeps_chinese_and_translates_known_english():
    assert sentence(422, "问题不能为空。") == "问题不能为空。"
    assert sentence(400, "Disallowed CORS origin") == "该网站未获准跨域调用本接口。"
    assert sentence(418, "teapot") == sentence(400)
    assert sentence(599) == sentence(500)


def test_count_tokens_documented_rule():
    assert count_tokens("青岛育儿假有几天？") == 9
    assert count_tokens("abc 123 x") == 3
    assert count_tokens("abc123，好") == 3
    assert count_tokens("") == 0


def test_budget_cuts_at_max_tokens_and_stop_across_pieces():
    b = Budget(4, None)
    out = "".join(b.feed(p) for p in ["青岛", "市：", "3周岁"]) + b.flush()
    assert out == "青岛市：" and b.finish == "length"
    b = Budget(None, ["育儿假"])
    out = "".join(b.feed(p) for p in ["每年10天育", "儿假，", "其他"]) + b.flush()
    assert out == "每年10天" and b.finish == "stop"
    b = Budget(None, None)
    assert "".join(b.feed(p) for p in ["a", "b"]) + b.flush() == "ab" and b.finish is None


def test_failure_throttle_blocks_after_allowed_failures_and_clears_on_success():
    t = FailureThrottle(allowed=3, window=60)
    for _ in range(3):
        assert t.blocked("a") == 0
        t.failed("a")
    assert t.blocked("a") > 0 and t.blocked("b") == 0
    t.succeeded("a")
    assert t.blocked("a") == 0
    assert "秒后再试" in t.message(5.2)


def test_rate_limiter_bounds_its_memory():
    r = RateLimiter(2, max_clients=50)
    for i in range(200):
        r.check(f"10.0.{i // 250}.{i % 250}")
    assert len(r._buckets) <= 51


def test_cap_turns_keeps_the_newest_within_count_and_size():
    turns = [{"q": f"问题{i}", "a": "答" * 100, "answer": None} for i in range(50)]
    kept = cap_turns(turns, max_turns=20, max_chars=10_000)
    assert len(kept) == 20 and kept[-1]["q"] == "问题49"
    kept = cap_turns(turns, max_turns=20, max_chars=1_000)
    assert 1 <= len(kept) < 20 and kept[-1]["q"] == "问题49"
    huge = [{"q": "", "a": "答" * 50_000, "answer": None}]
    assert cap_turns(huge, max_chars=1_000) == huge  # the newest turn is always kept


def test_resolve_region_names_short_names_and_pinyin(settings):
    from rag.ingest.seeds import load_documents
    from rag.question.regions import resolve_region

    docs = {d.slug: d for d in load_documents(settings.seeds_dir)}
    for value in ("qingdao", "Qingdao", "QING DAO", "青岛", "青岛市", "靑島"):
        assert resolve_region(docs, value) == "qingdao", value
    assert resolve_region(docs, "重慶") == "chongqing" and resolve_region(docs, "Beijing") == "beijing"
    assert resolve_region(docs, "mars") is None and resolve_region(docs, "") is None
    assert json.dumps(resolve_region(docs, "通化")) == '"tonghua"'


def test_session_janitor_drops_unread_results_and_idle_sessions():
    import asyncio
    import datetime
    import threading

    from rag.server.sessions import SessionJanitor

    class Queue:
        def __init__(self):
            self.pending_messages_per_session = {"unread": ["answer"], "read": []}
            self.cleaned = []

        async def clean_events(self, session_hash=None):
            self.cleaned.append(session_hash)

    now = datetime.datetime.now()
    holder = SimpleNamespace(
        lock=threading.Lock(),
        session_data={"unread": 1, "read": 2, "idle": 3},
        time_last_used={"unread": now, "read": now, "idle": now - datetime.timedelta(hours=1)},
    )
    blocks = SimpleNamespace(_queue=Queue(), state_holder=holder)
    janitor = SessionJanitor(blocks, grace=0.0, idle=600, interval=0.0)
    janitor.joined("unread")
    janitor.joined("read")
    janitor.streamed("read")
    asyncio.run(janitor.sweep())
    assert blocks._queue.cleaned == ["unread"]
    assert set(blocks._queue.pending_messages_per_session) == {"read"}
    assert set(holder.session_data) == {"read"}  # the unread one and the idle one are gone
