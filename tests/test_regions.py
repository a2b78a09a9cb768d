from pathlib import Path

import pytest

from rag.ingest.seeds import load_documents
from rag.normalize import normalize_query
from rag.regions import RegionDetector

ROOT = Path(__file__).resolve().parent.parent


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
