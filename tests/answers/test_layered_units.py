"""Issue 25, fast: the pieces of a layered answer — referral patterns (rag/data/referrals.toml), the chain a plan
lies in (parent inferred from `parents` and `level`), a city of a province whose own plan is not held, and the whole
answer over a hashing-embedder index of the three test plans (plumbing: retrieval by BM25 and hashed vectors)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rag.benefits.referrals import DOWN, UP, clause_referral, referral, target
from rag.ingest.seeds import load_documents
from rag.question.regions import RegionDetector

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _chain_plans import add_chain  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "sentence,direction,level",
    [
        ("一次性生育补贴按照市级规定执行。", UP, "city"),
        ("托育补贴标准参照全市标准执行。", UP, "city"),
        ("育儿假天数按市里规定执行。", UP, "city"),
        ("家庭养育补贴按省级有关规定执行。", UP, "province"),
        ("假期天数与上级规定不一致的，按上级规定执行。", UP, "upper"),
        ("对生育二孩、三孩的家庭发放一次性生育补贴，具体标准由各设区市确定。", DOWN, "lower"),
        ("育儿补贴的发放办法由各市、县（市、区）人民政府结合实际制定。", DOWN, "lower"),
        ("具体标准由各地制定。", DOWN, "lower"),
    ],
)
def test_referrals_are_recognised(sentence, direction, level):
    ref = referral([sentence])
    assert ref is not None and (ref.direction, ref.level, ref.sentence) == (direction, level, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "在市级育儿补贴基础上，县级财政对三周岁以下的二孩每孩每月再发放育儿补贴一百元。",
        "孕产妇产前检查费用纳入生育保险支付范围，按规定予以报销。",
        "女职工生育子女的，其配偶享受陪产假十五天。",
        "市级财政按照每个托位每年一千元的标准给予运营补贴。",
    ],
)
def test_rules_of_their_own_are_no_referrals(sentence):
    assert referral([sentence]) is None
    assert clause_referral(sentence) is None


def test_an_up_referral_goes_to_the_nearest_plan_of_the_level_it_names():
    levels = ["county", "city", "province"]
    assert target(referral(["按照市级规定执行。"]), levels, 0) == 1
    assert target(referral(["按省级规定执行。"]), levels, 0) == 2
    assert target(referral(["按上级规定执行。"]), levels, 1) == 2
    assert target(referral(["按照市级规定执行。"]), ["county", "province"], 0) is None  # no city plan held
    assert target(referral(["具体标准由各设区市确定。"]), levels, 2) is None  # down: nothing above to follow


@pytest.mark.parametrize("order", [["澜海省", "望海市"], ["望海市", "澜海省"]])
def test_the_parent_is_the_most_precise_plan_named(seeds_copy, order):
    add_chain(seeds_copy)
    meta = seeds_copy / "documents.toml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace('parents = ["澜海省", "望海市"]', f"parents = {order}".replace("'", '"')))
    docs = {d.slug: d for d in load_documents(seeds_copy)}
    assert (docs["linlan"].parent, docs["wanghai"].parent, docs["lanhai"].parent) == ("wanghai", "lanhai", "")
    det = RegionDetector(list(docs.values()))
    assert det.detect("临澜县育儿假").slugs == ["linlan", "wanghai", "lanhai"]
    assert det.detect("望澜市育儿假").slugs == ["lanhai"]


@pytest.fixture(scope="module")
def seed_detector():
    docs = load_documents(ROOT / "seeds")
    return RegionDetector(docs), {d.slug: d for d in docs}


@pytest.mark.parametrize(
    "surface,slug,place",
    [
        ("贵阳", "guizhou", "贵阳市"),  # an alias naming a city of the province
        ("遵义市", "guizhou", "遵义市"),
        ("清镇市", "guizhou", "清镇市"),  # a division inside the province, from divisions.tsv
        ("贵州", "guizhou", None),  # the province itself
        ("黔", "guizhou", None),  # a nickname, not a place below it
        ("东城区", "beijing", None),  # a 直辖市's districts are its own plan's
        ("黄岛区", "qingdao", None),  # a city plan: its districts get the existing notes
    ],
)
def test_a_place_below_a_province_plan(seed_detector, surface, slug, place):
    det, docs = seed_detector
    assert det.place_below(surface, docs[slug]) == place


@pytest.fixture(scope="module")
def hashed(tmp_path_factory, settings):
    """The five seeds and the three test plans, indexed with the hashing embedder."""
    import shutil

    from rag.assistant import Assistant
    from rag.index.store import build_index

    root = tmp_path_factory.mktemp("chain-hash")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    add_chain(root / "seeds", {"wanghai": "txt", "linlan": "txt"})
    s = settings.with_(seeds_dir=root / "seeds", index_root=root / "index", embedder="hash")
    build_index(s)
    return Assistant.load(settings=s)


@pytest.mark.parametrize(
    "question,first,then",
    [
        ("临澜县的育儿补贴每个月多少钱", "临澜县：", "望海市（市级规定）"),
        ("望海市育儿假几天", "望海市：", "澜海省（省级规定）"),
        ("临澜县生二孩一次性补贴多少", "按照市级规定执行", "望海市（市级规定）"),
    ],
)
def test_levels_of_one_chain_are_layers_not_rivals(hashed, question, first, then):
    text = hashed.ask(question).answer
    assert "各地区分别如下" not in text and "无法直接比较" not in text
    assert 0 <= text.find(first) < text.find(then), text


@pytest.mark.parametrize("question", ["望澜市产假多少天", "我是望澜市的，育儿假几天", "望澜市婚假有几天"])
def test_a_city_without_its_own_plan_is_said_plainly(hashed, question):
    ans = hashed.ask(question)
    assert ans.answer.startswith("未收录望澜市自己的方案；以下是澜海省的规定，市里可能另有规定。"), ans.answer
    assert all(c.chunk.slug == "lanhai" for c in ans.citations) and "望海" not in ans.answer
