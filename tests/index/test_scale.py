"""National scale (issue 16): region-first retrieval, short replies for questions without a place, the top
regions from the benefits table, and shared place names (朝阳区 …) asked back or resolved. Hashing embedder on a
synthetic corpus (the five plans repeated under fresh slugs, as the scale bench does)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from rag.answers import national
from rag.ingest.seeds import load_documents
from rag.question.record import QuestionBuilder
from rag.question.regions import RegionDetector, divisions, shared_names

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture(scope="module")
def wide(tmp_path_factory, settings):
    """An assistant over 10 synthetic regions (more than the default 8), built once for the module."""
    from bench_index import make_corpus

    from rag.assistant import Assistant
    from rag.index.store import build_index

    tmp = tmp_path_factory.mktemp("scale")
    make_corpus(tmp / "seeds", 2)
    s = settings.with_(seeds_dir=tmp / "seeds", index_root=tmp / "index", embedder="hash")
    build_index(s)
    return Assistant.load(settings=s)


@pytest.fixture(scope="module")
def det(settings):
    return RegionDetector(load_documents(settings.seeds_dir))


# ---- region first --------------------------------------------------------------------------------------
def test_a_regional_question_scores_only_its_region(wide):
    q = wide.question("青岛的育儿假有几天？")
    answer, scored = wide.ask_scored(q)
    assert not answer.refused and answer.regions == ["qingdao"]
    assert scored.regions == {"qingdao"}  # no other region's clause was scored
    others = wide.retriever.slugs != "qingdao"
    assert not scored.dense[others].any() and not scored.keyword[others].any()


def test_partition_scores_equal_a_full_scan(wide):
    """Per-region postings with the corpus-wide IDF give exactly the BM25 of a full scan; the dense scores equal
    FAISS's search over every clause."""
    r = wide.retriever
    for text in ("青岛的育儿假有几天？", "北京1托育补贴", "重庆生育津贴怎么领"):
        q = wide.question(text).query
        lazy = r.score_all(q)
        r.fill(lazy, list(r.parts.rows))
        full_kw = wide.index.bm25.scores(list(q.tokens))
        assert np.allclose(lazy.keyword, full_kw, atol=1e-5)
        sims, ids = wide.index.vectors.search(lazy.query_vector[None, :], len(r.slugs))
        full_dense = np.zeros(len(r.slugs), dtype=np.float32)
        full_dense[ids[0]] = sims[0]
        assert np.allclose(lazy.dense, full_dense, atol=1e-5)


def test_rank_without_regions_still_ranks_everything(wide):
    region, hits = wide.search("育儿假有几天", k=5)
    assert region is None and len(hits) == 5
    assert wide.search("育儿假有几天", region="qingdao1")[1][0].chunk.slug == "qingdao1"


# ---- questions without a place -------------------------------------------------------------------------
def test_no_place_at_scale_asks_for_the_region(wide):
    a = wide.ask("产假有多少天？")
    assert a.kind == "clarify" and a.refused and not a.citations
    assert len(a.answer) < 200 and "哪个地区" in a.answer and "10" in a.answer
    assert wide.ask("各地的婚假分别是多少天？").kind == "clarify"  # 各地 is no place either


def test_threshold_is_configurable(wide, monkeypatch):
    monkeypatch.setenv("RAG_ASK_REGION_ABOVE", "20")
    a = wide.ask("产假有多少天？")
    assert a.kind != "clarify" and len(a.citations) >= 2  # answered region by region again
    monkeypatch.setenv("RAG_ASK_REGION_ABOVE", "not a number")
    assert national.ask_region_above(wide.settings) == national.DEFAULT_ASK_ABOVE


def test_a_preset_region_is_answered_not_asked_back(wide):
    a = wide.ask("产假有多少天？", region="chongqing")
    assert not a.refused and a.regions == ["chongqing"]


def test_superlative_answers_top_regions_from_the_table(wide):
    a = wide.ask("哪个地方育儿假最长？")
    assert not a.refused and 1 <= len(a.citations) <= national.TOP
    assert a.answer.startswith("已收录的10个地区中")
    table = wide.table
    days = []
    for (
        c
    ) in a.citations:  # every cited clause is the table's clause for that region, its number in the answer
        cell = table.get(c.chunk.slug, "育儿假")
        assert cell.clause_id == c.chunk.id and cell.values
        assert cell.values[0].text in a.answer
        days.append(cell.values[0].number)
    best = max(
        v.number
        for s in wide.docs
        for v in table.get(s, "育儿假").values[:1]
        if table.get(s, "育儿假").status == "value" and len(table.get(s, "育儿假").values) == 1
    )
    assert days[0] == best and days == sorted(days, reverse=True)


def test_superlative_least_orders_upwards(wide):
    a = wide.ask("哪个地方婚假最短？")
    nums = [wide.table.get(c.chunk.slug, "婚假").values[0].number for c in a.citations]
    assert nums and nums == sorted(nums)


def test_uncovered_place_reply_stays_short_at_scale(wide):
    a = wide.ask("上海的产假有多少天？")
    assert a.refused and len(a.answer) < 200 and "等10个地区" in a.answer


# ---- shared place names --------------------------------------------------------------------------------
def test_divisions_data_has_parent_chains():
    places = divisions()
    assert len(places) > 3000
    counties = [p for p in places.values() if p.level == "county"]
    assert len(counties) > 2500
    assert all(
        len(p.chain) >= 2
        and places[[c for c in places if places[c].name == p.chain[0]][0]].level == "province"
        for p in counties[:200]
    )
    assert {p.label for p in shared_names()["朝阳区"]} == {"北京市", "长春市"}


def test_every_shared_county_name_is_asked_back_then_resolved_by_its_city(det):
    """The full list of China's county-level names that several places share: each alone is asked back with
    every option; each with its city (or province, when that is its nearest parent) named is resolved."""
    names = shared_names()
    assert len(names) >= 20 and {"朝阳区", "鼓楼区", "和平区", "城关区"} <= set(names)
    for name, options in names.items():
        m = det.detect(f"{name}产假多少天")
        assert [a.name for a in m.ambiguous] == [name], name
        assert set(m.ambiguous[0].options) == set(options)
        assert not m.slugs, name
        labels = [p.label for p in options]
        for p in options:
            if labels.count(p.label) > 1:
                continue  # two namesakes in one city: the city cannot tell them apart
            m = det.detect(f"{p.label}{name}产假多少天")
            assert not m.ambiguous, (name, p.label)


def test_two_character_names_are_ordinary_words(det):
    assert "城区" not in shared_names()
    assert not det.detect("城区的托育机构多吗").ambiguous


def test_ambiguous_district_is_asked_back(wide):
    a = wide.ask("朝阳区产假多少天？")
    assert a.kind == "clarify" and a.refused and not a.citations
    assert a.answer.startswith("您说的朝阳区是北京市的还是长春市的？")


def test_ambiguous_district_resolved_by_the_question(wide):
    a = wide.ask("北京朝阳区产假多少天？")
    assert not a.refused and "beijing" in a.regions
    b = wide.ask("长春市朝阳区产假多少天？")
    assert b.refused and b.kind == "refuse" and "长春市" in b.answer  # an uncovered place, said so


def test_ambiguous_district_resolved_by_the_history(wide):
    a = wide.ask("朝阳区的育儿假呢？", history=["北京的产假有多少天？"])
    assert not a.refused and a.regions[0] == "beijing"
    b = wide.ask("那朝阳区呢？", history=["长春的产假有多少天？"])
    assert b.refused and b.kind == "refuse"
    c = wide.ask("朝阳区的育儿假呢？", history=["青岛的产假有多少天？"])  # the dialogue does not tell
    assert c.kind == "clarify"


def test_ambiguous_district_resolved_by_the_preset_region(wide):
    a = wide.ask("江北区育儿假几天？", region="chongqing")
    assert not a.refused and a.regions == ["chongqing"]
    assert wide.ask("江北区育儿假几天？").kind == "clarify"


def test_question_record_carries_the_ambiguity(settings, det):
    docs = {d.slug: d for d in load_documents(settings.seeds_dir)}
    q = QuestionBuilder(det, docs).build("鼓楼区的托育补贴")
    assert [a.name for a in q.ambiguous] == ["鼓楼区"] and not q.regions
    text = national.which_place(q).answer
    assert text.startswith("您说的鼓楼区是南京市的还是徐州市的还是福州市的还是开封市的？")


def test_national_replies_score_no_clause(wide):
    """The top regions come from the table: no region's clauses are scored (the scores stay available, lazily,
    for the LLM writer)."""
    for text in ("哪个地方育儿假最长？", "产假有多少天？"):
        _, scored = wide.ask_scored(wide.question(text))
        assert scored is not None and scored.regions == set()
    _, scored = wide.ask_scored(wide.question("哪个地方育儿假最长？"))
    assert wide.retriever.rank(scored, ["beijing"], 2)[0].chunk.slug == "beijing"
