"""The region rule over the HTTP API (issue 13): a preset region is a default, a covered place named in the
question wins and the answer says so; with region_lock the answer gives a notice and never the locked region's rule.
Also the page's Chinese metadata, lang and HEAD wherever GET is. Real answerer, FastAPI TestClient."""

from __future__ import annotations

import re

import pytest
from _live_server import make_app
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow  # the real answerer (embedding model, index) behind the API
BEIJING_Q = "北京产假多少天？"


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app()) as c:
        yield c


def _ask(client, **body) -> dict:
    r = client.post("/api/ask", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_named_place_wins_over_the_preset_with_a_notice(client):
    d = _ask(client, question=BEIJING_Q, region="qingdao")
    assert d["region"] == "beijing" and not d["refused"]
    assert d["citations"] and {c["region"] for c in d["citations"]} == {"beijing"}
    assert "北京市" in d["notice"] and "您问的是" in d["notice"]
    assert d["answer"].startswith(d["notice"]) or d["notice"] in d["answer"]


def test_preset_region_still_answers_a_question_without_a_place(client):
    d = _ask(client, question="育儿假有几天？", region="qingdao")
    assert d["region"] == "qingdao" and not d.get("notice")
    assert {c["region"] for c in d["citations"]} == {"qingdao"}


def test_locked_region_gives_a_notice_and_no_rule_of_the_locked_region(client):
    d = _ask(client, question=BEIJING_Q, region="qingdao", region_lock=True)
    assert d["notice"] and "北京市" in d["notice"]
    assert not any(c["region"] == "qingdao" for c in d["citations"])
    assert (
        "青岛市：" not in d["answer"] and "60天" not in d["answer"]
    )  # Qingdao's rule (60天产假) never shown


def test_locked_region_answers_its_own_questions(client):
    d = _ask(client, question="青岛育儿假有几天？", region="qingdao", region_lock=True)
    assert d["region"] == "qingdao" and not d["refused"] and "10天" in d["answer"]


def test_region_lock_needs_a_region_and_a_boolean(client):
    r = client.post("/api/ask", json={"question": BEIJING_Q, "region_lock": True})
    assert r.status_code == 422 and "region" in r.json()["detail"]
    r = client.post("/api/ask", json={"question": BEIJING_Q, "region": "qingdao", "region_lock": "yes"})
    assert r.status_code == 422 and "true 或 false" in r.json()["detail"]


def test_off_topic_after_a_regional_question_is_the_general_refusal(client):
    history = [
        {"role": "user", "content": "青岛育儿假有几天？"},
        {"role": "assistant", "content": "青岛市：3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假。"},
    ]
    d = _ask(client, question="今天天气怎么样？", history=history)
    assert d["refused"] and "该方案主要包括" not in d["answer"] and "没有找到" not in d["answer"][:20]


# ---- page: lang, metadata, HEAD -------------------------------------------------------------------
def test_page_is_chinese_with_local_share_metadata(client):
    r = client.get("/", headers={"accept": "text/html"})
    html = r.text
    assert r.status_code == 200 and re.match(r'<!doctype html>\s*<html\s+lang="zh-CN"', html)
    assert 'property="og:title" content="生育政策问答"' in html
    assert "Click to try out the app" not in html and "raw.githubusercontent.com" not in html
    # never from the Host header (issue 28): RAG_PUBLIC_URL when set, else a relative URL
    image = re.search(r'property="og:image" content="([^"]*)"', html).group(1)
    assert image.endswith("/ui/share.png") and "evil" not in image
    assert html.index('src="/ui/chat.js"') < html.index('type="module"')  # before Gradio boots
    assert 'nonce="' in html[html.index('src="/ui/chat.js"') - 60 : html.index('src="/ui/chat.js"')]
    img = client.get("/ui/share.png")
    assert img.status_code == 200 and img.headers["content-type"] == "image/png" and len(img.content) > 1000


@pytest.mark.parametrize(
    "path", ["/", "/embed.js", "/examples/embed.html", "/healthz", "/ui/chat.js", "/docs"]
)
def test_head_is_answered_wherever_get_is(client, path):
    get, head = client.get(path), client.head(path)
    assert get.status_code == 200 and head.status_code == 200, (path, head.status_code)
    assert head.headers["content-type"] == get.headers["content-type"]


def test_ui_config_lists_regions_and_sentences(client):
    d = client.get("/ui/config.json").json()
    assert [r["slug"] for r in d["regions"]][:2] == ["auto", "beijing"] and d["max_chars"] == 500
    assert "{max}" in d["text"]["pasted_cut"] and d["text"]["chat_label"] == "对话记录"
    # ?region= as a widget's data-region: a name resolves, an unknown value is said (chat.js warns the host page)
    assert client.get("/ui/config.json?region=青岛").json()["region"] == {
        "asked": "青岛",
        "slug": "qingdao",
        "unknown": False,
    }
    assert client.get("/ui/config.json?region=Qingdao").json()["region"]["slug"] == "qingdao"
    assert client.get("/ui/config.json?region=火星").json()["region"]["unknown"] is True
    assert client.get("/ui/config.json").json()["region"]["unknown"] is False


# ---- CLI -----------------------------------------------------------------------------------------------
def test_cli_region_lock(capsys):
    import json

    from rag.cli import main

    assert main(["ask", BEIJING_Q, "--region", "qingdao", "--region-lock", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert "北京市" in d["notice"] and not any(c["region"] == "qingdao" for c in d["citations"])
    assert main(["ask", BEIJING_Q, "--region", "qingdao", "--json"]) == 0  # without the lock: Beijing answers
    d = json.loads(capsys.readouterr().out)
    assert d["region"] == "beijing" and d["notice"]
    assert main(["ask", BEIJING_Q, "--region-lock"]) == 2  # the lock needs a region: one line, exit 2
    assert "--region" in capsys.readouterr().err
