"""Chat page logic without a server: streaming, history, citation cards, and inert rendering of hostile text.
Tests that run the real answerer are marked slow; the renderers and the page rewrite are fast."""

from __future__ import annotations

import re

import gradio as gr
import pytest
from _live_server import answerer

from rag.ingest.seeds import load_documents
from rag.server import ui_text
from rag.server.config import ServerConfig
from rag.server.page import rewrite_page
from rag.server.security import RateLimiter
from rag.server.ui import (
    PageSetup,
    _answer_text,
    build_app,
    escape,
    region_choices,
    render_citations,
    render_notice,
    respond,
)

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


@pytest.mark.slow  # the real answerer (embedding model, index)
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


@pytest.mark.slow  # the real answerer (embedding model, index)
def test_follow_up_uses_history():
    _, (_, turns) = _last(respond(answerer(), Q, [], None))
    _, (msgs, turns) = _last(respond(answerer(), "那北京呢？", turns, None))
    assert len(msgs) == 4 and turns[-1]["answer"]["region"] == "beijing"


@pytest.mark.slow  # the real answerer (embedding model, index)
def test_region_preset_is_a_default_and_unknown_region_is_auto():
    _, (_, turns) = _last(respond(answerer(), "育儿假有几天？", [], "qingdao"))
    assert turns[-1]["answer"]["region"] == "qingdao"
    _, (msgs, turns) = _last(respond(answerer(), "北京产假多少天？", [], "qingdao"))
    assert turns[-1]["answer"]["region"] == "beijing" and "rag-notice" in msgs[-1]["content"]
    _, (msgs, turns) = _last(respond(answerer(), "北京产假多少天？", [], "qingdao", locked=True))
    assert not [c for c in turns[-1]["answer"]["citations"] if c["region"] == "qingdao"]
    assert "rag-notice" in msgs[-1]["content"] and 'href="/"' in msgs[-1]["content"]
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


@pytest.mark.slow  # the real answerer (embedding model, index)
def test_whitespace_only_input_does_nothing():
    _, (_, turns) = _last(respond(answerer(), Q, [], None))
    for blank in ("", "  ", "\n\t", "\u200b \u3000"):
        steps, (msgs, after) = _last(respond(answerer(), blank, turns, None))
        assert len(steps) == 1 and after == turns and len(msgs) == 2  # no new bubble, nothing lost


@pytest.mark.slow  # the real answerer (embedding model, index)
def test_bad_input_becomes_a_reply():
    for bad, words in (
        ("问" * 600, "500 字以内"),
        ("\ud800", "无法识别"),
        (None, "文字"),
    ):
        _, (msgs, turns) = _last(respond(answerer(), bad, [], None))
        assert words in msgs[-1]["content"] and turns[-1]["answer"] is None


@pytest.mark.slow  # the real answerer (embedding model, index)
def test_errors_are_not_sent_as_history():
    _, (_, turns) = _last(respond(answerer(), "", [], None))
    _, (_, turns) = _last(respond(answerer(), Q, turns, None))
    assert turns[-1]["answer"]["region"] == "qingdao"


@pytest.mark.slow  # the real answerer (embedding model, index)
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


@pytest.mark.slow  # the real answerer (embedding model, index)
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


@pytest.mark.slow  # the real answerer (embedding model, index)
def test_ui_hides_the_source_line_that_cards_show_but_keeps_other_lines():
    _, (msgs, turns) = _last(respond(answerer(), Q, [], None))
    assert "依据：" in turns[0]["a"]  # the answer text (API, CLI) keeps it
    shown = msgs[1]["content"].split('<div class="rag-cites">')[0]
    assert "依据：" not in shown and "rag-ref" in shown and "10天" in shown and "征求意见稿" in shown
    no_cards = {"citations": [], "notice": ""}
    assert _answer_text("甲\n依据：乙", no_cards) == "甲\n依据：乙"  # nothing shows it otherwise
    cards = {"citations": [{"x": 1}], "notice": ""}  # the dropped line's [n] stay, on the line above
    assert _answer_text("贵州省：10天假期。\n依据：《x》 [1]", cards) == "贵州省：10天假期。 [1]"
    assert _answer_text("- 甲 [1]\n依据：《x》 [1] [2]", cards) == "- 甲 [1] [2]"


def test_notice_is_shown_once_above_the_answer_with_a_link_when_locked():
    answer = {"notice": "您问的是北京市的政策：", "citations": [{"x": 1}]}
    assert _answer_text("您问的是北京市的政策：北京市：产假……\n依据：《x》", answer) == "北京市：产假……"
    html = render_notice(answer, locked=False)
    assert "rag-notice" in html and "北京市" in html and "<a" not in html
    locked = render_notice(answer, locked=True)
    assert 'href="/"' in locked and escape(ui_text.GENERAL_LINK) in locked
    assert render_notice({"notice": ""}) == "" and render_notice(None) == ""
    assert "<script" not in render_notice({"notice": "<script>x</script>"})


def test_page_setup_from_query_string(settings):
    docs = {d.slug: d for d in load_documents(settings.seeds_dir)}
    s = PageSetup.from_params({"embed": "1", "region": "qingdao", "lock": "1"}, docs)
    assert s == PageSetup(True, "qingdao", True)
    assert "青岛市" in s.greeting(docs) and "只解答" in s.greeting(docs)
    assert all(q.startswith("青岛") for q in s.examples(docs))
    mars = PageSetup.from_params({"region": "mars", "lock": "1"}, docs)
    assert mars == PageSetup(False, "auto", False, unknown="mars")  # said on the page, not silently dropped
    assert "mars" in mars.greeting(docs) and "自动识别" in mars.greeting(docs)
    for name in ("青岛", "青岛市", "Qingdao", "QINGDAO", " qingdao "):  # a site owner's data-region
        assert PageSetup.from_params({"region": name, "lock": "1"}, docs) == PageSetup(False, "qingdao", True)
    assert PageSetup.from_params({"region": "北京"}, docs).region == "beijing"
    assert PageSetup.from_params({"region": "auto"}, docs) == PageSetup(False, "auto", False)
    auto = PageSetup.from_params({}, docs)
    assert auto.greeting(docs) == ui_text.GREETING_AUTO and auto.examples(docs) == list(ui_text.EXAMPLES_AUTO)


@pytest.mark.slow  # the real answerer (embedding model, index)
def test_every_example_of_every_preset_is_answered():
    """The example buttons must lead somewhere: each is answered (not refused) for its region."""
    a = answerer()
    for slug in a.docs:
        for q in PageSetup(True, slug, False).examples(a.docs):
            ans = a.ask(q, region=slug)
            assert not ans.refused and ans.region == slug, (slug, q, ans.answer[:60])
    for q in ui_text.EXAMPLES_AUTO:
        assert not a.ask(q).refused, q


def test_rewrite_page_only_touches_the_gradio_page():
    page = b'<!doctype html>\n<html\n\tlang="en"\n\tstyle="x"\n>\n<head><meta charset="utf-8" />'
    page += b'<meta property="og:title" content="Gradio" /><meta name="twitter:image" content="https://x/y.jpg" />'
    page += b"</head><body><gradio-app></gradio-app></body></html>"
    out = rewrite_page(page, "http://h:1").decode()
    assert 'lang="zh-CN"' in out and 'lang="en"' not in out and "Gradio" not in out and "https://x" not in out
    assert out.index("/ui/chat.js") < out.index("</head>") and "http://h:1/ui/share.png" in out
    other = b"<html lang='en'><body>docs</body></html>"
    assert rewrite_page(other) == other


@pytest.mark.slow  # the real answerer (embedding model, index)
def test_compare_tab_links_every_value_to_a_card_and_leaves_unregulated_cells_plain():
    from rag.benefits.view import compare_dict, table_of
    from rag.server.compare_tab import render_compare

    html = render_compare(answerer())
    data = compare_dict(table_of(answerer()))
    links = re.findall(r'class="rag-cell-link" href="#([^"]+)"', html)
    anchors = set(re.findall(r'id="(rag-cite-[^"]+)"', html))
    assert links and set(links) == anchors  # every link has its card, every card is linked
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", html)
    assert [r[0] for r in rows] == [b["benefit"] for b in data["benefits"]]
    n_cells = sum(len(b["rows"]) for b in data["benefits"])
    plain = [c for b in data["benefits"] for c in b["rows"] if c["status"] == "未规定"]
    assert html.count("<td>") == n_cells and plain
    assert html.count('<td><span class="rag-cell-none">未规定</span></td>') == len(plain)  # no link, no value
    for b in data["benefits"]:
        for c in b["rows"]:
            for v in c["values"]:
                assert escape(v["text"]) in html  # the verbatim value is shown
    assert "<script" not in html
    heads = re.findall(r'<th scope="col">(.*?)</th>', html)
    assert (
        "通化市" in heads and "吉林省通化市（区级）" not in heads
    )  # the name answers use, not the full title


def test_compare_tab_says_why_when_there_is_no_table():
    from rag.server.compare_tab import render_compare

    class NoTable:
        docs: dict = {}

    html = render_compare(NoTable())
    assert "暂时无法显示各地对比" in html and "<table" not in html
