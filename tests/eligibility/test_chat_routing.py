"""Situation-first questions in the chat: answered with the screen's items, saying which facts were read and that
the rest is unknown; questions that ask something specific keep their own answer kinds. The reading of a question
is tested fast; the routing runs through the real Assistant (slow)."""

from __future__ import annotations

import pytest

from rag.eligibility.chat import KIND, asks_everything, situation

ROUTED = [  # ≥ 3 per class: region, wording and person differ
    ("我在青岛二胎刚生，我们都上班，能享受哪些", "qingdao", {("延长产假", "60天"), ("陪产假", "15天")}),
    ("通化三胎怀孕了，老公上班，老婆也上班，有什么待遇", "tonghua", {("产假", "180天"), ("陪产假", "25天")}),
    ("贵州宝宝8个月，我们都上班，能享受什么", "guizhou", {("育儿假", "10天")}),
    ("北京头胎刚出生，双职工，可以享受哪些福利", "beijing", set()),
]
NOT_ROUTED = [
    "在重庆开托育机构 能享受哪些优惠政策",
    "青岛育儿假有几天？",
    "北京有哪些生育补贴",
    "二胎刚生，青岛产假多少天",
]


def test_facts_read_from_the_words():
    fam, facts = situation("二胎刚生，我们都上班，能享受哪些", "qingdao")
    assert fam.children[0].order == 2 and fam.children[0].age_months == 0
    assert {p.employment for p in fam.parents} == {"employed"} and "第2个孩子" in facts
    fam, facts = situation("三胎怀孕了，老婆没上班，外地户口，租房，能领什么", "tonghua")
    assert fam.children[0].expected and fam.parent("mother").employment == "not_working"
    assert (
        fam.parent("father").employment == "unknown" and fam.local_hukou == "no" and fam.housing == "renting"
    )
    fam, _ = situation("孩子两岁了，有什么补贴", "guizhou")
    assert fam.children[0].age_months == 24
    assert situation("能享受哪些", "qingdao") is None  # no fact of a family: the ordinary answer
    assert asks_everything("我们能享受哪些") and not asks_everything("育儿假有几天")


@pytest.mark.slow
@pytest.mark.parametrize("question, region, met", ROUTED)
def test_situation_questions_get_the_items(assistant, question, region, met):
    ans = assistant.ask(question)
    assert ans.kind == KIND and ans.region == region and not ans.refused
    assert ans.answer.startswith("以下按您描述的情况理解") and "其余按“不清楚”处理" in ans.answer
    assert "我能享受什么" in ans.answer and ans.citations
    for benefit, figure in met:
        assert f"【符合】{benefit}：" in ans.answer and figure in ans.answer
    texts = " ".join(c.chunk.text for c in ans.citations)
    for line in ans.answer.splitlines():
        if line[:1].isdigit() and "【符合】" in line:
            fig = [f for b, f in met if f"】{b}：" in line]
            assert all(f in texts for f in fig)


@pytest.mark.slow
@pytest.mark.parametrize("question", NOT_ROUTED)
def test_specific_questions_keep_their_kind(assistant, question):
    assert assistant.ask(question).kind != KIND
