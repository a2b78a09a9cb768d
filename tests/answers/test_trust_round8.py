"""Issue 22, eighth round (real model and index, slow): what batch 8 left and fresh batch 9's classes. A refused
off-topic question names where such a matter is settled; 托育名额 is read as 托位."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "question, step",
    [
        ("我在重庆上班 怀孕了公司把我辞了 去仲裁能赔好多钱", "劳动人事争议仲裁委员会"),
        ("青岛公司不给我续劳动合同了 能赔多少", "劳动人事争议仲裁委员会"),
        ("贵州离婚了 娃的抚养权归谁", "12348"),
        ("北京 宝宝吐奶厉害 吃啥药", "12320"),
        ("通化积分落户要多少分", "户籍"),
    ],
)
def test_a_refused_off_topic_question_gets_a_next_step(assistant, question, step):
    r = assistant.ask(question)
    assert r.refused and step in r.answer, r.answer


def test_an_off_topic_question_with_no_known_subject_gets_no_invented_step(assistant):
    r = assistant.ask("青岛托育公司的股票能买不")
    assert r.refused and "热线" not in r.answer and "咨询" not in r.answer, r.answer


@pytest.mark.parametrize(
    "question, figure",
    [
        ("通化这边到2035年 一千个人里能有几个托育名额", "8个左右"),
        ("青岛每千人有几个托育名额", "4.6个"),
        ("贵州到2025年 每千人口的入托名额有多少", "3个"),
    ],
)
def test_a_nursery_place_said_as_a_quota_is_the_places_per_thousand(assistant, question, figure):
    first = assistant.ask(question).answer.split("\n")[0]
    assert figure in first, first
