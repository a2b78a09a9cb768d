"""Greetings and thanks around a question change nothing: citizens write 您好，请问…谢谢 (rag.question.record.strip_courtesy)."""

from __future__ import annotations

import pytest

from rag.evaluation.citizen import load_citizen
from rag.question.record import strip_courtesy
from rag.text.normalize import normalize_query


@pytest.mark.parametrize(
    ("asked", "meant"),
    [
        ("你好，请问青岛育儿假有几天？", "青岛育儿假有几天?"),
        ("您好，我想问一下，北京产假多少天？谢谢！", "北京产假多少天?"),
        ("麻烦问一下，贵州婚假几天", "贵州婚假几天"),
        ("打扰了，请问通化有托育补贴吗？谢谢您", "通化有托育补贴吗?"),
        ("Hi，产假几天", "产假几天"),
        ("我想了解一下重庆的生育补贴", "重庆的生育补贴"),
    ],
)
def test_courtesy_is_stripped(asked, meant):
    assert strip_courtesy(normalize_query(asked)) == meant


@pytest.mark.parametrize("asked", ["你好", "请问", "谢谢", "咨询电话是多少", "问题是产假几天"])
def test_what_is_not_courtesy_stays(asked):
    """A bare greeting is still a greeting; 咨询 or 问题 inside a question is part of it."""
    assert strip_courtesy(normalize_query(asked)) == normalize_query(asked)


def test_every_citizen_question_wrapped_in_courtesy_gets_the_same_answer(assistant):
    """Before the stripping, "你好，请问" in front of each citizen question cost 2 points of pass rate."""
    items = [i for i in load_citizen("eval/citizen.jsonl", set(assistant.docs)) if not i.history]
    differ = []
    for item in items:
        plain = assistant.ask(item.question, region=item.region)
        wrapped = assistant.ask(f"您好，请问{item.question}谢谢！", region=item.region)
        if (plain.answer, [h.chunk.id for h in plain.citations]) != (
            wrapped.answer,
            [h.chunk.id for h in wrapped.citations],
        ):
            differ.append(item.question)
    assert len(items) > 100
    assert not differ, differ[:5]


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("你好", "您好！"),
        ("您好！", "您好！"),
        ("hello", "您好！"),
        ("谢谢", "不客气！"),
        ("好的谢谢！", "不客气！"),
    ],
)
def test_a_bare_greeting_or_thanks_is_answered_in_kind(assistant, said, reply):
    """Not "抱歉，…没有与这个问题相关的内容": a citizen's first 你好 gets a greeting and what can be asked."""
    ans = assistant.ask(said)
    assert ans.answer.startswith(reply) and ans.kind == "clarify" and not ans.citations
    if reply == "您好！":
        assert "青岛市" in ans.answer and "育儿假" in ans.answer
