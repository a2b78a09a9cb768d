"""How a question is read before retrieval (issue 22, third round): pinyin typed for characters, a family count that
is no quantity asked, a look-alike's sign word inside another word, and the issuer's own 我市 never read into 我是.
Fast: the lexicon and the question builder only, no model."""

from __future__ import annotations

import pytest

from rag.question.lexicon import load_lexicon
from rag.question.pinyin import PinyinIndex
from rag.question.record import _only_quantity, _wants

VOCAB = ["审批", "托育点", "家庭托育点", "剩余", "生育", "备案"]


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def index(lexicon):
    return PinyinIndex.build(lexicon.repair_surfaces() + VOCAB)


@pytest.mark.parametrize(
    "typed, fixed",
    [
        ("北京在家里开个tuoyu点", "北京在家里开个托育点"),  # a word of its own
        ("二胎还要审pi吗", "二胎还要审批吗"),  # completed by the character typed before it
        ("青岛yuerjia有几天", "青岛育儿假有几天"),  # three syllables, one word
        ("重庆Chanjia多少天", "重庆产假多少天"),  # capitalised
        ("Tonghua婚假几天", "通化婚假几天"),  # a place
        ("青岛yu er jia有几天", "青岛育儿假有几天"),  # syllables typed apart
        ("重庆chan jia多少天", "重庆产假多少天"),
    ],
)
def test_pinyin_runs_are_read_as_the_one_word_they_spell(index, typed, fixed):
    assert index.repair(typed)[0] == fixed


@pytest.mark.parametrize(
    "typed",
    [
        "通化打HPV疫苗免费吗",  # an acronym: no syllables
        "shengyu补贴有多少",  # 生育 and 剩余 both fit: left as typed
        "app上能办吗",
        "wifi",
    ],
)
def test_pinyin_runs_that_fit_no_single_word_are_left_alone(index, typed):
    assert index.repair(typed) == (typed, ())


def test_a_hostile_latin_run_is_bounded(index):
    text = "a" * 5000 + "zhangzhangzhang" * 400
    assert index.repair(text)[0] == text


@pytest.mark.parametrize("text", ["我是老师", "我是外地户口 能休产假吗", "我是贵州人"])
def test_the_issuers_own_wording_is_no_repair_of_what_a_citizen_says(lexicon, text):
    lexicon.use_vocabulary(lambda: ["我市", "本市", "近视", "托育"])
    assert lexicon.correct(text).text == text


@pytest.mark.parametrize(
    "text, benefit",
    [
        ("鼓励用人单位按规定给予独生子女职工每年累计不超过15天的陪护假", "独生子女护理假"),
        ("独生子女父母住院陪护假", "独生子女护理假"),
        ("女职工的丈夫陪护假几天", "陪产假"),
        ("男方陪护假", "陪产假"),
    ],
)
def test_a_sign_word_counts_only_as_a_word_of_its_own(lexicon, text, benefit):
    """The 女职工 of 独生子女职工 is not the 女职工 that makes 陪护假 the spouse's leave."""
    assert [b.key for b in lexicon.find(text)] == [benefit]


@pytest.mark.parametrize(
    "text, asks",
    [
        ("贵州单位评先进 还看不看生了几个孩子", False),
        ("通化入学还查不查生了几个娃", False),
        ("青岛给推荐几家月子中心", False),
        ("重庆在家开托育点 带几个娃 政府让不让", False),
        ("北京能生几个孩子", True),
        ("青岛育儿假有几天", True),
    ],
)
def test_a_count_describing_the_family_is_no_quantity_asked(text, asks):
    assert _wants(text)[1] is asks


@pytest.mark.parametrize(
    "topic, elliptic",
    [
        ("定的多少", True),
        ("给多少钱", True),
        ("是几天", True),
        ("的呢 2035年", True),
        ("育儿假几天", False),
        ("托位多少", False),
        ("2025年托位目标", False),
    ],
)
def test_a_quantity_asked_of_nothing_named_is_a_follow_up(topic, elliptic):
    assert _only_quantity(topic) is elliptic
