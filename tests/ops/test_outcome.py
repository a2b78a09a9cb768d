"""How an answer ended, for the console: a plan that is silent on the benefit asked is a gap for the office even
when the citizen is answered "the plan does not mention it"."""

from __future__ import annotations

from rag import messages as M
from rag.models import Answer
from rag.ops.outcome import outcome_of


def _answer(text: str, refused: bool) -> Answer:
    return Answer(question="q", answer=text, refused=refused, region="guizhou")


def test_a_benefit_the_plan_never_mentions_is_a_plan_gap():
    text = M.NO_RULE.format(region="贵州省", thing="婚假") + "\n依据：《方案》全文 [1]"
    assert outcome_of(_answer(text, refused=False)) == "not_stated"


def test_an_ordinary_answer_is_answered_and_a_no_clause_refusal_not_stated():
    assert outcome_of(_answer("贵州省：3周岁以下婴幼儿父母每年各享受10天假期。", refused=False)) == "answered"
    refusal = M.NO_CLAUSE.format(region="贵州省", title="方案")
    assert outcome_of(_answer(refusal, refused=True)) == "not_stated"
