"""Plans the code has never seen get rules with no code change: only their file and a documents.toml entry are
added (the fixtures of tests/index and tests/ingest), and a family is screened against them."""

from __future__ import annotations

import shutil

import pytest
from _plans import FIXTURES, ROOT, plans, with_plan

from rag.eligibility import family as F
from rag.eligibility.rules import rules_for
from rag.eligibility.screen import MAYBE, MET, screen

NEW = {  # slug: (file, region, level, parents)
    "jinxi": (FIXTURES / "jinxi.txt", "金溪县", "county", ["江西省", "抚州市"]),
    "linhai": (FIXTURES / "linhai.txt", "临海市", "city", ["浙江省", "台州市"]),
    "mianyang": (FIXTURES / "unseen" / "mianyang.txt", "绵阳市", "city", ["四川省"]),
    "gansu": (FIXTURES / "unseen" / "gansu.txt", "甘肃省", "province", []),
}


@pytest.fixture(scope="module")
def p(tmp_path_factory):
    seeds = tmp_path_factory.mktemp("unseen") / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    for slug, (src, region, level, parents) in NEW.items():
        with_plan(seeds, src, slug, region, level, parents)
    return plans(seeds)


def _rules(p, slug):
    return {(r.benefit, r.figure): r for r in rules_for(p.index, p.lexicon, slug)}


@pytest.mark.parametrize(
    "slug, expected",
    [
        ("jinxi", {("延长产假", "九十天")}),  # Chinese numerals: the figure is the clause's own words
        (
            "linhai",
            {("延长产假", "六十天"), ("陪产假", "二十天"), ("育儿假", "十五天"), ("托育补贴", "三百元")},
        ),
        ("mianyang", {("延长产假", "60天"), ("陪产假", "20天"), ("育儿假", "10天"), ("托育补贴", "2400元")}),
        ("gansu", {("陪产假", "三十天"), ("育儿假", "二十天")}),
    ],
)
def test_new_plans_get_rules_with_figures_verbatim(p, slug, expected):
    rules = _rules(p, slug)
    assert expected <= set(rules), sorted(rules)
    texts = {c.id: c.text for c in p.index.chunks if c.slug == slug}
    for r in rules.values():
        assert r.clause_id in texts and (not r.figure or r.figure in texts[r.clause_id])
    assert ("产假", "九十天") not in rules and ("产假", "60天") not in rules  # an increase is the extension's


def test_conditions_are_read_from_new_wording(p):
    linhai = _rules(p, "linhai")
    kinds = {c.kind for c in linhai[("育儿假", "十五天")].conditions}
    assert {"under_age", "parents"} <= kinds  # 子女三周岁以内的父母
    assert linhai[("育儿假", "十五天")].conditions[0].n == 3
    mianyang = _rules(p, "mianyang")
    assert next(c.n for c in mianyang[("育儿假", "10天")].conditions if c.kind == "under_age") == 6


def test_a_family_screened_against_new_plans(p):
    fam = F.from_specs("临海", ["2:10"], ["mother:employed", "father:employed"])
    s = screen(p, fam)
    met = {(i.benefit, i.figure) for i in s.items if i.status == MET}
    assert {("延长产假", "六十天"), ("陪产假", "二十天"), ("育儿假", "十五天")} <= met
    assert ("托育补贴", "三百元") in {(i.benefit, i.figure) for i in s.items if i.status == MAYBE}
    older = screen(p, F.from_specs("绵阳", ["1:60"], ["mother:employed", "father:employed"]))
    assert ("育儿假", "10天") in {(i.benefit, i.figure) for i in older.items if i.status == MET}  # 6周岁以下
    assert not any(i.benefit == "托育补贴" for i in older.items)  # 3周岁以下
