"""How one answer is shown in the chat (issue 26), without a server: figures in bold, [n] links to its card, a long
list folded after five items, cards with issuer/文号/date and the clause folded, a next step under refusals and
怎么办 questions, the follow-up region, and everything still inert HTML."""

from __future__ import annotations

import re
from types import SimpleNamespace

from rag.server import answer_view
from rag.server.ui import followed_region, render_turn


def _cite(
    rank, region="qingdao", text="前文。女职工增加60天产假。后文", highlights=("女职工增加60天产假。",)
):
    return {
        "rank": rank,
        "region": region,
        "region_name": "青岛市",
        "doc_title": "实施方案",
        "status": "正式文件",
        "clause_id": f"c{rank}",
        "section": "二 > （四）",
        "text": text,
        "highlights": list(highlights),
    }


DOCS = {
    "qingdao": SimpleNamespace(
        short_name="青岛", issuer="青岛市人民政府", doc_number="青政发〔2022〕1号", date="2022-05-01"
    ),
    "beijing": SimpleNamespace(short_name="北京", issuer="北京市人民政府", doc_number="", date="2022-01-21"),
}


def _turn(q, text, kind="fact", refused=False, cites=1, region="qingdao"):
    answer = {"answer": text, "refused": refused, "region": region, "kind": kind, "notice": ""}
    answer["citations"] = [_cite(i + 1) for i in range(cites)]
    answer["answer_id"] = "ab" * 16
    return {"q": q, "a": text, "answer": answer_view.enrich(answer, DOCS)}


def test_figures_are_bold_and_refs_link_to_their_card():
    html = render_turn(_turn("青岛产假多少天？", "青岛市：女职工增加60天产假，补贴500元。 [1] [9]"), 3)[1][
        "content"
    ]
    assert "<strong>60天</strong>" in html and "<strong>500元</strong>" in html
    assert 'href="#rag-c3-1"' in html and 'id="rag-c3-1"' in html
    assert 'href="#rag-c3-9"' not in html  # no card 9: plain text, not a dead link
    assert "青岛市人民政府" in html and "青政发〔2022〕1号" in html and "2022-05-01" in html
    assert '<details class="rag-full">' in html and "<mark>" in html  # the whole clause, folded
    assert 'id="rag-aid-' + "ab" * 16 in html  # the 👎 sheet's key
    assert "rag-next" not in html  # a plain fact needs no next step


def test_a_long_list_shows_five_items_and_folds_the_rest_in_order():
    items = [f"- 第{i}条措施。 [1]" for i in range(1, 13)]
    html = render_turn(_turn("青岛有什么支持？", "青岛市的规定有：\n" + "\n".join(items), kind="list"), 0)[1][
        "content"
    ]
    shown, folded = html.split('<details class="rag-more">', 1)
    assert shown.count("<li>") == 5 and "第5条" in shown and "第6条" not in shown
    assert "还有 7 条" in folded and folded.index("第6条") < folded.index("第12条")


def test_refusals_and_howto_questions_end_with_where_to_ask():
    refusal = _turn("火星产假？", "抱歉，没有相关内容。", kind="refuse", refused=True, cites=0, region=None)
    html = render_turn(refusal, 0)[1]["content"]
    assert 'href="tel:12345"' in html and "rag-next" in html
    howto = render_turn(_turn("北京生育津贴怎么领取？", "北京市：……", region="beijing"), 0)[1]["content"]
    assert "北京市人民政府" in howto and 'href="tel:12345"' in howto
    assert "rag-next" in render_turn(_turn("青岛育儿假去哪里申请", "青岛市：……"), 0)[1]["content"]


def test_hostile_text_stays_inert_in_the_new_html():
    t = _turn("x", "<script>alert(1)</script> [1]")
    t["answer"]["citations"][0]["doc_title"] = "<img src=x onerror=alert(1)>"
    t["answer"]["citations"][0]["issuer"] = "<b>x</b>"
    html = render_turn(t, 0)[1]["content"]
    assert "<script" not in html and "<img" not in html and "<b>x</b>" not in html


def test_a_follow_up_keeps_the_region_the_last_answer_was_about():
    beijing = [_turn("北京产假？", "北京市：……", region="beijing")]
    assert followed_region(beijing, "qingdao", False, DOCS) == "beijing"
    assert followed_region(beijing, "qingdao", True, DOCS) is None  # a locked widget stays
    assert followed_region(beijing, "beijing", False, DOCS) is None  # nothing changed
    refused = [_turn("x", "抱歉", refused=True, region="beijing")]
    assert followed_region(refused, "qingdao", False, DOCS) is None
    assert followed_region([{"q": "", "a": "输入太长", "answer": None}], "qingdao", False, DOCS) is None


def test_suggested_next_questions_stay_in_the_region_and_skip_the_topic_asked():
    html = render_turn(_turn("青岛育儿假有几天？", "青岛市：……"), 0)[1]["content"]
    asked = [q for q in re.findall(r'class="rag-suggest">([^<]+)<', html)]
    assert asked and all(q.startswith("青岛") for q in asked) and not any("育儿假" in q for q in asked)
    refusal = _turn("火星产假？", "抱歉。", kind="refuse", refused=True, cites=0, region=None)
    html = render_turn(refusal, 0)[1]["content"]
    assert "您是不是想问" in html and html.count('class="rag-suggest"') == answer_view.SUGGEST_MAX


def _contact_docs(**contact):
    from rag.models import Contact

    doc = SimpleNamespace(**vars(DOCS["qingdao"]), url="https://www.qingdao.gov.cn/plan.html")
    doc.contact = Contact(**contact)
    return {**DOCS, "qingdao": doc}


def test_a_card_links_its_official_page_only_when_documents_toml_gives_one():
    html = render_turn(_turn("青岛产假多少天？", "青岛市：女职工增加60天产假。 [1]"), 0)[1]["content"]
    assert "rag-source" not in html  # no url: no link, never a guessed address
    answer = {"answer": "x [1]", "refused": False, "region": "qingdao", "kind": "fact", "notice": ""}
    answer["citations"] = [_cite(1)]
    enriched = answer_view.enrich(answer, _contact_docs())
    html = render_turn({"q": "青岛产假多少天？", "a": "x [1]", "answer": enriched}, 0)[1]["content"]
    link = re.search(
        r'<a class="rag-source-link" href="([^"]+)" target="_blank" rel="noopener noreferrer">([^<]+)<', html
    )
    assert link and link.group(2) == "查看原文（官网）"
    assert link.group(1).replace("&#58;", ":").replace("&#46;", ".") == "https://www.qingdao.gov.cn/plan.html"


def test_the_next_step_names_the_contact_office_with_its_phone_and_web_else_the_issuer_and_12345():
    answer = {
        "answer": "抱歉。",
        "refused": True,
        "region": "qingdao",
        "kind": "refuse",
        "notice": "",
        "citations": [],
    }
    docs = _contact_docs(name="青岛市卫生健康委", phone="0532-8591 2345", web="https://wsjkw.qingdao.gov.cn/")
    html = answer_view.next_step("青岛生育津贴怎么领？", answer_view.enrich(dict(answer), docs))
    assert "青岛市卫生健康委" in html and "青岛市人民政府" not in html  # the contact over the issuer
    assert 'href="tel:053285912345"' in html and 'href="tel:12345"' in html  # both dialable
    assert "wsjkw" in html and 'class="rag-office-web"' in html
    only_name = answer_view.enrich(dict(answer), _contact_docs(name="青岛市卫生健康委"))
    html = answer_view.next_step("青岛生育津贴怎么领？", only_name)
    assert "青岛市卫生健康委" in html and "联系方式" not in html and 'href="tel:12345"' in html
    html = answer_view.next_step("青岛生育津贴怎么领？", answer_view.enrich(dict(answer), DOCS))  # no contact
    assert "青岛市人民政府" in html and 'href="tel:12345"' in html


def test_an_answer_saying_the_plan_is_silent_ends_with_where_to_ask():
    from rag import messages as M

    for template in (
        M.NO_NUMBER,
        M.UNSETTLED_NOTE,
        M.NO_CLAUSE,
        M.COMPARE_ALSO_UNSTATED,
        M.REGION_NOT_FOUND,
    ):  # the marks stay in step
        assert any(mark in template for mark in answer_view.NOT_STATED_MARKS), template
    silent = M.NO_NUMBER.format(sentence="鼓励用人单位给予护理假", what="天数")
    for region, q in (
        ("qingdao", "青岛护理假几天"),
        ("beijing", "北京的父亲能休几天"),
        ("qingdao", "我妈住院我能请几天假"),
    ):
        html = render_turn(_turn(q, f"{silent} [1]", region=region), 0)[1]["content"]
        assert "rag-next" in html and 'href="tel:12345"' in html, q


def test_chat_cards_offer_to_report_the_clause_and_compare_cards_do_not():
    from rag.server.render import render_citations

    chat = render_turn(_turn("青岛产假多少天？", "青岛市：女职工增加60天产假。 [1]", cites=2), 0)[1][
        "content"
    ]
    assert chat.count('<button type="button" class="rag-report">报告此条款有误</button>') == 2
    assert "rag-report" not in render_citations({"citations": [_cite(1)]})  # no answer behind a compare card
