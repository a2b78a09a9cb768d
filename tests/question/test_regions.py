from pathlib import Path

import pytest

from rag.ingest.seeds import load_documents
from rag.question.regions import RegionDetector
from rag.text.normalize import normalize_query

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def det():
    return RegionDetector(load_documents(ROOT / "seeds"))


@pytest.mark.parametrize(
    "question,slugs,uncovered",
    [
        ("青岛育儿假有几天？", ["qingdao"], []),
        ("靑島育兒假有幾天", ["qingdao"], []),
        ("青島的產假", ["qingdao"], []),
        ("qingdao 育儿假", ["qingdao"], []),
        ("Chongqing产假多少天", ["chongqing"], []),
        ("在贵阳生三胎有补贴吗", ["guizhou"], []),
        ("遵义的托育", ["guizhou"], []),
        ("渝北区托位", ["chongqing"], []),
        ("在京工作的育儿假", ["beijing"], []),
        ("山东的产假", ["qingdao"], []),  # the province of a covered city
        ("吉林婚假几天", ["tonghua"], []),
        ("山东济南的产假", [], ["济南市"]),  # a more precise uncovered place wins over the province
        ("吉林市婚假", [], ["吉林市"]),
        ("南京的育儿假", [], ["南京市"]),  # 南京 is not 京
        ("上海的育儿假有几天？", [], ["上海市"]),
        ("shanghai yuerjia", [], ["上海市"]),
        ("北京和重庆的托位标准一样吗", ["beijing", "chongqing"], []),
        ("育儿假有几天？", [], []),
        # one-character abbreviations count only as words of their own
        ("北京生育津贴怎么领取？", ["beijing"], []),  # 津 of 津贴 is not 天津
        ("新生儿能上医保吗", [], []),  # 新 of 新生儿 is not 新疆
        ("来渝打工，孩子能上学吗", ["chongqing"], []),
        ("沪上育儿假", [], ["上海市"]),
    ],
)
def test_detect(det, question, slugs, uncovered):
    m = det.detect(normalize_query(question))
    assert m.slugs == slugs
    assert m.uncovered == uncovered


def test_strip_leaves_the_topic(det):
    q = normalize_query("青岛育儿假有几天？")
    assert det.strip(q, det.detect(q)).strip() == "育儿假有几天?"


@pytest.mark.parametrize(
    "question,slugs,uncovered",
    [
        ("江津生三孩有补贴吗", ["chongqing"], []),  # 江津区 written without its suffix
        ("城阳育儿假几天", ["qingdao"], []),
        ("东昌婚假", ["tonghua"], []),
        ("二道江的产假", ["tonghua"], []),
        ("在石景山生孩子", ["beijing"], []),
        ("长寿老人住院护理假", [], []),  # 长寿 is an ordinary word before it is 长寿区
        ("南岸区的托位", ["chongqing"], []),  # the full name still counts
        ("北京市北部", ["beijing"], []),  # 市北 (a stem of 市北区) is refused
    ],
)
def test_places_without_suffix(det, question, slugs, uncovered):
    m = det.detect(normalize_query(question))
    assert (m.slugs, m.uncovered) == (slugs, uncovered)


def test_derive_stems_rules():
    from rag.question.regions import derive_stems

    stems = derive_stems(
        ["江津区", "城阳区", "南岸区", "长寿区", "通化县", "通化", "甲乙区", "甲乙县", "沙区"]
    )
    assert stems["江津"] == "江津区" and stems["城阳"] == "城阳区"
    assert "南岸" not in stems  # a direction word in jieba's dictionary
    assert "长寿" not in stems  # listed in data/not_places.txt
    assert "通化" not in stems  # already a name of its own
    assert "甲乙" not in stems  # ambiguous: two places share it
    assert "沙" not in stems  # too short


@pytest.mark.parametrize(
    "typed,slug",
    [("冲庆育儿假", "chongqing"), ("通花婚假几天", "tonghua"), ("清岛产假", "qingdao"), ("江金婚假", None)],
)
def test_place_homophones_through_the_lexicon(det, typed, slug):
    """Pinyin homophones of place names are repaired by the lexicon before detection; 江金 stays (金婚 is a word)."""
    from rag.question.lexicon import load_lexicon

    fixed = load_lexicon().correct(normalize_query(typed)).text
    assert det.detect(fixed).slug == slug
