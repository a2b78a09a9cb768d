"""Issue 22, seventh round: classes of fresh batch 8's failures, after its first run (real model and index, slow).
A father asking for the mother's figure of 产假 (我也能休180天产假吗) — it opened with a false 可以; the document's
status asked of a 生育支持 plan; legal proceedings and compensation sums; a child's health asked in everyday words."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "question, who",
    [
        ("我是孩子他爸 在通化上班 我也能休180天产假吗", "孩子他爸"),
        ("我是男的 老婆在青岛生孩子 我能不能也休那60天产假", "男的"),
        ("我是当爹的 北京这边我能请几天产假", "当爹的"),
    ],
)
def test_a_father_asking_for_the_mothers_leave_with_its_figure_gets_no_yes(assistant, question, who):
    first = assistant.ask(question).answer.split("\n")[0]
    assert first.startswith(f"没有。产假不适用于您说的“{who}”这种情况，对应的是陪产假。"), first


@pytest.mark.parametrize(
    "question, status",
    [
        ("通化那个生育支持的具体措施 是正式印发了 还是还在征求意见", "这是征求意见稿"),
        ("青岛那个生育支持方案定稿了没 还是征求意见稿", "这是征求意见稿"),
        ("贵州生育支持的那个方案是正式发布的吗", "这是正式印发的文件"),
    ],
)
def test_the_status_of_a_plan_asked_in_other_words_comes_from_the_record(assistant, question, status):
    assert status in assistant.ask(question).answer


@pytest.mark.parametrize(
    "question",
    [
        "我在重庆上班 怀孕了公司把我辞了 去仲裁能赔好多钱",
        "北京公司因为我生孩子降薪 我起诉能赢吗",
        "青岛单位辞退孕妇 打官司能赔多少",
    ],
)
def test_legal_proceedings_and_compensation_are_out_of_scope(assistant, question):
    assert assistant.ask(question).refused


def test_whether_a_dismissal_is_lawful_is_still_answered_from_the_plan(assistant):
    ans = assistant.ask("贵州单位辞退孕妇 违法吗")
    assert not ans.refused and "就业性别歧视" in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, heading",
    [
        ("青岛对小孩的健康 都有哪些服务", "促进儿童健康成长"),
        ("通化孩子的健康有哪些保障", "提高儿童健康服务能力"),
        ("北京宝宝的健康方面有哪些服务", "保障孕产妇和儿童健康"),
    ],
)
def test_a_childs_health_in_everyday_words_lists_the_child_health_clause_first(assistant, question, heading):
    lines = assistant.ask(question).answer.split("\n")
    assert len(lines) > 1 and lines[1].startswith(heading), lines[:3]
