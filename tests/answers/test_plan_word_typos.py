"""Typos of words the lexicon does not list are read against the plans' own words (a second, stricter pass): the
real model and index (slow, through the `assistant` fixture)."""

from __future__ import annotations

import pytest

from rag.ingest.chunker import chunk_sentences
from rag.text.normalize import normalize_query


@pytest.mark.parametrize(
    "question, fixed, answer_has",
    [
        # (the right clause ranks second here: the repair is what this case checks)
        ("北京小学生眼睛近事了 有没有筛查", ("近事", "近视"), ""),
        ("贵州产前筛察有啥目标", ("产前筛察", "产前筛查"), "80%"),
        ("我女儿在北京 生育登计能网上办吗", ("生育登计", "生育登记"), "生育登记"),
    ],
)
def test_a_typo_of_a_plan_word_is_repaired(assistant, question, fixed, answer_has):
    assert fixed in assistant.question(question, []).fixes
    assert answer_has in assistant.ask(question).answer


def test_the_plans_own_sentences_are_never_repaired_by_the_second_pass(assistant):
    """抚幼 / 一校一案 / 吉发 are the plans' words: the plan-word pass never rewrites a plan sentence."""
    wrong = []
    for chunk in assistant.index.chunks:
        for s in chunk_sentences(chunk.text):
            fixes = assistant.lexicon.correct(normalize_query(s)).fixes
            if fixes:
                wrong.append((s[:40], fixes))
    assert wrong == []


@pytest.mark.parametrize("question", ["自己能去银行取吗", "通化婚家几天", "公基金能多贷吗"])
def test_the_lexicon_is_repaired_first_and_words_are_left_alone(assistant, question):
    fixes = dict(assistant.question(question, []).fixes)
    assert (
        "己能" not in fixes
        and fixes.get("婚家", "婚假") == "婚假"
        and fixes.get("公基金", "公积金") == "公积金"
    )
