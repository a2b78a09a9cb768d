"""Chat page logic without a server: streaming, history, citation cards, and inert rendering of hostile text."""

from __future__ import annotations

import re

import gradio as gr
import pytest
from _live_server import answerer

from rag.server.config import ServerConfig
from rag.server.security import RateLimiter
from rag.server.ui import build_app, escape, region_choices, render_citations, respond

pytestmark = pytest.mark.slow  # every test but one drives the real answerer

Q = "青岛育儿假有几天？"
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![x](http://127.0.0.2/x.png)",
    "[点我](javascript:alert(1))",
    "<iframe src=//127.0.0.2>",
    "`code` **b** $x^2$",
]


def _last(gen):
    steps = list(gen)
    return steps, steps[-1]


def test_respond_streams_then_cites():
    steps, (msgs, turns) = _last(respond(answerer(), Q, [], "auto"))
    assert len(steps) > 2  # the answer arrives in pieces
    assert msgs[0] == {"role": "user", "content": Q}
    assert "10天" in msgs[1]["content"] and 'class="rag-cite"' in msgs[1]["content"]
    assert (
        "青岛市" in msgs[1]["content"]
        and "rag-draft" in msgs[1]["content"]
        and "<mark>" in msgs[1]["content"]
    )
    assert turns[0]["answer"]["region"] == "qingdao"


def test_follow_up_uses_history():
    _, (_, turns) = _last(respond(answerer(), Q, [], None))
    _, (msgs, turns) = _last(respond(answerer(), "那北京呢？", turns, None))
    assert len(msgs) == 4 and turns[-1]["answer"]["region"] == "beijing"


def test_region_selector_overrides_and_unknown_region_is_auto():
    _, (_, turns) = _last(respond(answerer(), "育儿假有几天？", [], "qingdao"))
    assert turns[-1]["answer"]["region"] == "qingdao"
    _, (_, turns) = _last(respond(answerer(), Q, [], "<b>mars</b>"))
    assert turns[-1]["answer"]["region"] == "qingdao"
    assert [v for _, v in region_choices(answerer())] == [
        "auto",
        "beijing",
        "chongqing",
        "guizhou",
        "qingdao",
        "tonghua",
    ]


def test_bad_input_becomes_a_reply():
    for bad, words in (
        ("", "不能为空"),
        ("  ", "不能为空"),
        ("问" * 600, "500 字以内"),
        ("\ud800", "无法识别"),
        (None, "文字"),
    ):
        _, (msgs, turns) = _last(respond(answerer(), bad, [], None))
        assert words in msgs[-1]["content"] and turns[-1]["answer"] is None


def test_errors_are_not_sent_as_history():
    _, (_, turns) = _last(respond(answerer(), "", [], None))
    _, (_, turns) = _last(respond(answerer(), Q, turns, None))
    assert turns[-1]["answer"]["region"] == "qingdao"


def test_hostile_text_is_inert():
    for text in HOSTILE:
        out = escape(text)
        assert not re.search(r"[<>\[\]()`*$!]", out), out  # no markup or Markdown syntax survives
        _, (msgs, _) = _last(respond(answerer(), text, [], None))
        assert "<script" not in msgs[0]["content"] and "<img" not in msgs[0]["content"]
        assert "<script" not in msgs[1]["content"] and "onerror=" not in msgs[1]["content"].replace(
            "onerror&#61;", ""
        )


def test_citation_cards_escape_document_text():
    ans = {
        "citations": [
            {
                "rank": 1,
                "region_name": "<b>X</b>",
                "doc_title": "《t》<img src=x>",
                "status": "征求意见稿",
                "section": "一 > 二",
                "text": "前文<script>x</script>。答句。后文",
                "highlights": ["答句。"],
            }
        ]
    }
    html = render_citations(ans)
    assert "<script" not in html and "<img" not in html and "<b>X</b>" not in html
    assert "<mark>答句。</mark>" in html and "征求意见稿" in html
    assert render_citations({"citations": []}) == ""


def test_build_app_wires_a_bounded_private_queue():
    cfg = ServerConfig(concurrency=3, queue_size=7)
    demo = build_app(answerer(), cfg, RateLimiter(30))
    assert isinstance(demo, gr.Blocks)
    demo.queue(default_concurrency_limit=cfg.concurrency, max_size=cfg.queue_size, api_open=False)
    assert demo._queue.max_size == 7 and demo.api_open is False
    fns = list(demo.fns.values())
    assert fns and all(f.api_visibility == "private" for f in fns)
    chat = next(f for f in fns if f.name == "chat")
    assert chat.concurrency_limit in (3, "default")  # "default" resolves to default_concurrency_limit
