"""List answers (issue 22): a one-line count first, lines grouped under their clause's heading, each measure once,
nothing off-topic. Fast tests on the helpers; the `assistant` tests run the real model and index (slow)."""

from __future__ import annotations

import re

import pytest

from rag.answers.listing import _NUMBERING, boilerplate, cn_count, once


def test_counts_are_written_in_chinese_numerals():
    assert [cn_count(n) for n in (2, 9, 10, 12, 20, 35)] == ["两", "九", "十", "十二", "二十", "三十五"]


def test_heading_numbers_are_not_shown():
    for heading, bare in [
        ("4.实施生育奖励假", "实施生育奖励假"),
        ("（六）促进儿童健康全面发展", "促进儿童健康全面发展"),
        ("一、总体目标", "总体目标"),
        ("第五条 育儿假", "育儿假"),
    ]:
        assert _NUMBERING.sub("", heading) == bare


def test_each_measure_once():
    a, b = object(), object()
    items = [("支持隔代照料。", a), ("支持隔代照料。", b), ("支持隔代照料、家庭互助等照护模式。", b)]
    assert [line for line, _ in once(items)] == ["支持隔代照料、家庭互助等照护模式。"]


def test_organisational_headings_are_boilerplate():
    rx = boilerplate()
    for heading in ("三、组织保障 > （二）动员社会力量", "前言", "一、总体目标", "七、加强宣传引导"):
        assert rx.search(heading)
    assert not rx.search("二、具体措施 > （三）加快普惠托育服务体系建设")


LIST_CASES = [
    (
        "通化生孩子相关的假都有哪些？",
        "tonghua",
        ["婚假15天", "产假180天", "育儿假累计20天"],
        ["托位数达到8个"],
    ),
    ("贵州对小孩健康这块有啥措施", "guizhou", ["儿童健康管理服务"], ["托位数达到3个"]),
    ("北京对上班的妈妈 就业上有啥保护", "beijing", ["不得实施性别歧视", "免费就业技能培训"], []),
    ("青岛女职工就业有什么保护", "qingdao", ["就业性别歧视约谈机制", "再就业培训服务"], []),
]


@pytest.mark.parametrize("question,slug,must,must_not", LIST_CASES)
def test_lists_end_to_end(assistant, question, slug, must, must_not):
    a = assistant.ask(question)
    assert a.kind == "list" and a.region == slug, a.answer
    head, *rest = a.answer.splitlines()
    assert re.search(r"共[一二三四五六七八九十]+项|最相关的[一二三四五六七八九十]+项", head)
    assert not re.search(r"\d", head)  # no digit but a plan's
    lines = [x for x in rest if x.startswith("- ")]
    assert len(lines) == len(set(lines)) >= 2 and all(re.search(r"\[\d+\]$", x) for x in lines)
    assert all(m in a.answer for m in must) and not any(m in a.answer for m in must_not), a.answer
    assert "组织保障" not in a.answer and "动员社会力量" not in a.answer
