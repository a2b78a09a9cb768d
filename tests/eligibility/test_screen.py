"""The screen over the five plans (clauses and benefits table built from seeds/, no model): 符合 only when the plan
grants a stated figure and every stated condition is met; unknowns give 可能符合 with what to check; a failed
condition removes the item; every figure is verbatim in its cited clause."""

from __future__ import annotations

import pytest
from _plans import plans

from rag.benefits import claims as C
from rag.eligibility import family as F
from rag.eligibility.rules import overrides, rules_for
from rag.eligibility.screen import MAYBE, MET, screen
from rag.eligibility.view import rule_lines, screening_lines
from rag.errors import InputError

BOTH = ["mother:employed", "father:employed"]


@pytest.fixture(scope="module")
def p():
    return plans()


def run(p, region, children=(), parents=BOTH, **kw):
    return screen(p, F.from_specs(region, list(children), list(parents), **kw))


def items(s, status=None):
    return {(i.benefit, i.figure) for i in s.items if status is None or i.status == status}


def test_qingdao_second_child_both_working(p):
    s = run(p, "青岛", ["1:60", "2:3"])
    assert {("延长产假", "60天"), ("陪产假", "15天"), ("育儿假", "10天")} <= items(s, MET)
    assert ("托育补贴", "300元") in items(s, MAYBE) and ("托育补贴", "380元") not in items(s)
    nursery = next(i for i in s.items if i.benefit == "托育补贴")
    assert "380元" not in nursery.summary and any("托位" in t for t in nursery.to_check)
    assert s.notes[0].startswith("注意：青岛市的方案为征求意见稿")
    assert "孩子是否入托普惠托位？" in s.questions


@pytest.mark.parametrize(
    "region, children, parents, met",
    [
        ("通化", ["1:2"], BOTH, {("产假", "180天"), ("陪产假", "25天"), ("育儿假", "20天")}),
        ("贵州", ["2:20"], ["mother:employed"], {("育儿假", "10天")}),
        ("qingdao", ["3:expected"], ["father:employed"], {("陪产假", "15天")}),
    ],
)
def test_granted_figures_met_in_three_plans(p, region, children, parents, met):
    assert met <= items(run(p, region, children, parents), MET)


def test_nothing_is_met_that_the_plan_only_encourages_or_states_without_a_figure(p):
    for region in ("北京", "重庆", "贵州", "青岛", "通化"):
        s = run(p, region, ["2:1"], ["mother:employed:yes", "father:employed"], local_hukou="yes")
        for i in s.items:
            if i.status == MET:
                assert i.figure and i.figure in i.citation.text and i.figure in i.summary
                rule = next(r for r in rules_for(p.index, p.lexicon, s.region) if r.figure == i.figure)
                assert rule.modality == C.PRESCRIBED
            assert i.citation.sentence in i.citation.text or i.citation.sentence.strip() in i.citation.text
        encouraged = [i for i in s.items if i.summary.startswith(("方案鼓励", "方案提出"))]
        assert all(i.status == MAYBE for i in encouraged)
    assert any(i.summary.startswith("方案提出") for i in run(p, "北京", ["1:1"]).items)  # 逐步建立…补贴制度


def test_failed_conditions_remove_items(p):
    first = items(run(p, "青岛", ["1:2"]))
    assert not any(b == "托育补贴" for b, _ in first)  # 二孩 / 三孩 only
    nohukou = items(run(p, "青岛", ["2:2"], local_hukou="no"))
    assert not any(b == "生育补贴" for b, _ in nohukou)  # 本市户籍
    home = items(run(p, "通化", ["1:2"], ["mother:not_working", "father:not_working"]))
    assert not any(b in ("产假", "陪产假", "育儿假") for b, _ in home)
    older = items(run(p, "贵州", ["1:50"]))
    assert not any(b in ("育儿假", "产假", "生育津贴") for b, _ in older)  # a child over 3, no birth


def test_unknowns_are_maybe_with_questions(p):
    s = run(p, "青岛", ["unknown:unknown"], ["mother", "father"])
    assert s.items and all(i.status == MAYBE for i in s.items)
    assert all(i.to_check for i in s.items) and s.questions
    flexible = run(p, "通化", ["1:1"], ["mother:flexible", "father:self_employed"])
    assert ("产假", "180天") in items(flexible, MAYBE)  # never a flat no for a flexible job


def test_a_place_below_the_plan_gets_the_scope_note_and_an_unknown_one_an_error(p):
    s = run(p, "清镇", ["1:1"])
    assert s.region == "guizhou" and any("清镇" in n and "贵州省" in n for n in s.notes)
    with pytest.raises(InputError) as exc:
        run(p, "火星", ["1:1"])
    assert "已收录的地区" in str(exc.value)


def test_no_item_says_so_in_one_sentence(p):
    s = run(p, "北京", ["1:200"], ["mother:not_working", "father:not_working"], housing="renting")
    assert not s.items and s.message.startswith("根据您填写的情况")
    assert s.message in screening_lines(s)


def test_every_override_names_a_real_clause_of_its_plan(p):
    for o in overrides().get("override", ()):
        assert any(c.id == o["clause"] and c.slug == o["region"] for c in p.index.chunks), o
        assert any(
            r.clause_id == o["clause"] and r.source == "复核"
            for r in rules_for(p.index, p.lexicon, o["region"])
        )


def test_rules_are_printed_beside_their_sentence(p):
    lines = rule_lines(p, "青岛")
    assert lines[0].startswith("条款") and any("60天" in x and "qingdao-2.4.1-1" in x for x in lines)
    assert sum(x.startswith("\t  原文：") for x in lines) == len(rules_for(p.index, p.lexicon, "qingdao"))
