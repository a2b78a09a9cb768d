"""Adding plans end to end with the hashing embedder: any format, the per-plan report, loud failure on a plan that
yields nothing, versions (supersedes), staleness of exactly the named files, region levels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _render import to_docx, to_html, to_pdf

from rag.cli import main
from rag.embedders.hashing import HashEmbedder
from rag.errors import RagError
from rag.index.store import build_index, load_index, staleness
from rag.ingest.seeds import load_documents, seed_hashes
from rag.question.regions import RegionDetector
from rag.text.normalize import normalize_query

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def add_plan(seeds: Path, slug: str, file: str, region: str, **extra) -> None:
    short = extra.pop("short_name", region[:2])
    fields = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in extra.items())
    with open(seeds / "documents.toml", "a", encoding="utf-8") as fh:
        fh.write(
            f'\n[[document]]\nslug = "{slug}"\nfile = "{file}"\nregion_name = "{region}"\n'
            f'short_name = "{short}"\ntitle = "{region}生育支持措施"\nstatus = "正式文件"\n{fields}'
        )


class Counting(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.passages = 0

    def encode_passage(self, texts):
        self.passages += len(texts)
        return super().encode_passage(texts)


def test_adding_a_docx_plan_embeds_only_its_clauses(hash_settings):
    emb = Counting()
    before = build_index(hash_settings, emb)
    seeds = hash_settings.seeds_dir
    to_docx((PLANS / "jinxi.txt").read_text(encoding="utf-8"), seeds / "jinxi.docx")
    add_plan(seeds, "jinxi", "jinxi.docx", "金溪县", level="county")
    emb.passages = 0
    rep = build_index(hash_settings, emb)
    new = [c for c in load_index(hash_settings).chunks if c.slug == "jinxi"]
    assert rep.chunks == before.chunks + len(new) == before.chunks + 13
    assert rep.embedded == len(new)
    sentences = sum(len(c.text.split("。")) - 1 or 1 for c in new)
    assert len(new) <= emb.passages <= len(new) + sentences + len(new)  # its chunks and its sentences only
    mine = next(r for r in rep.reports if r.slug == "jinxi")
    assert (mine.format, mine.layout, mine.clauses) == ("docx", "一、/一是/二是", 13)


def test_zero_clause_plan_stops_the_build_naming_it_unless_allow_empty(hash_settings):
    seeds = hash_settings.seeds_dir
    (seeds / "blank.html").write_text(
        "<html><body><p>某市人民政府</p><p>2024年5月1日</p></body></html>", "utf-8"
    )
    add_plan(seeds, "blank", "blank.html", "某市")
    with pytest.raises(RagError, match=r"blank\.html（blank）没有切分出任何条款.*--allow-empty"):
        build_index(hash_settings)
    rep = build_index(hash_settings, allow_empty=True)
    blank = next(r for r in rep.reports if r.slug == "blank")
    assert blank.clauses == 0 and any("没有切分出任何条款" in w for w in blank.warnings)


def test_implausibly_few_clauses_for_the_length_stops_the_build(hash_settings):
    seeds = hash_settings.seeds_dir
    body = "\n".join(
        f"各地要加强第{i}项生育支持工作，落实各项补贴和假期待遇，切实减轻家庭负担。" for i in range(60)
    )
    (seeds / "odd.txt").write_text(f"某市方案\n{body}\n一、附则\n本方案自印发之日起施行。\n", "utf-8")
    add_plan(seeds, "odd", "odd.txt", "某市")
    with pytest.raises(RagError, match="odd.txt（odd）只切分出 1 个条款"):
        build_index(hash_settings)


def test_index_cli_prints_layout_and_count_per_plan(hash_settings, monkeypatch, capsys):
    monkeypatch.setenv("RAG_SEEDS_DIR", str(hash_settings.seeds_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(hash_settings.index_root))
    shutil.copy(PLANS / "linhai.txt", hash_settings.seeds_dir / "linhai.txt")
    add_plan(hash_settings.seeds_dir, "linhai", "linhai.txt", "临海市")
    assert main(["index", "--embedder", "hash"]) == 0
    err = capsys.readouterr().err
    assert "linhai（linhai.txt，txt）：版式 第X章/第X条，15 个条款" in err
    assert "qingdao（qingdao.txt，txt）：版式 一、/（一）/1.，24 个条款" in err
    assert "6 份文件" in err
    (hash_settings.seeds_dir / "linhai.txt").write_text("临海市方案\n2024年5月1日\n", "utf-8")
    assert main(["index", "--embedder", "hash"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "linhai.txt（linhai）没有切分出任何条款" in err and "Traceback" not in err
    assert main(["index", "--embedder", "hash", "--allow-empty"]) == 0


def test_supersedes_indexes_only_the_current_version_and_chunks_shows_the_chain(
    hash_settings, monkeypatch, capsys
):
    seeds = hash_settings.seeds_dir
    text = (PLANS / "linhai.txt").read_text(encoding="utf-8")
    (seeds / "linhai-draft.txt").write_text(text.replace("一百五十八天", "一百二十八天"), "utf-8")
    to_pdf(text, seeds / "linhai.pdf")
    add_plan(seeds, "linhai-draft", "linhai-draft.txt", "临海市")
    add_plan(seeds, "linhai", "linhai.pdf", "临海市", supersedes="linhai-draft.txt")
    docs = load_documents(seeds)
    assert "linhai-draft" not in {d.slug for d in docs}
    every = {d.slug: d for d in load_documents(seeds, include_superseded=True)}
    assert every["linhai-draft"].superseded_by == "linhai" and every["linhai"].supersedes == "linhai-draft"
    build_index(hash_settings)
    chunks = load_index(hash_settings).chunks
    assert not any(c.slug == "linhai-draft" for c in chunks)
    assert any("一百五十八天" in c.text for c in chunks if c.slug == "linhai")
    monkeypatch.setenv("RAG_SEEDS_DIR", str(seeds))
    assert main(["chunks", "--region", "linhai"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "版本：linhai-draft（正式文件，已被取代） → linhai（正式文件，当前版本）"


def test_supersedes_unknown_or_cycle_is_one_clear_error(seeds_copy):
    shutil.copy(PLANS / "linhai.txt", seeds_copy / "linhai.txt")
    add_plan(seeds_copy, "linhai", "linhai.txt", "临海市", supersedes="nope.pdf")
    with pytest.raises(RagError, match="supersedes = 'nope.pdf'"):
        load_documents(seeds_copy)


def test_staleness_hashes_exactly_the_named_files_whatever_their_suffix(hash_settings):
    seeds = hash_settings.seeds_dir
    text = (PLANS / "jinxi.txt").read_text(encoding="utf-8")
    to_html(text, seeds / "jinxi.html")
    add_plan(seeds, "jinxi", "jinxi.html", "金溪县")
    assert "jinxi.html" in seed_hashes(seeds)
    build_index(hash_settings)
    assert staleness(hash_settings) is None
    (seeds / "notes.pdf").write_bytes(b"%PDF unrelated")  # not named: ignored
    assert staleness(hash_settings) is None
    to_html(text.replace("九十天", "六十天"), seeds / "jinxi.html")
    assert "已变更" in staleness(hash_settings)


def test_district_plan_answers_first_then_its_city_plan(seeds_copy):
    shutil.copy(PLANS / "jinxi.txt", seeds_copy / "huangdao.txt")
    add_plan(
        seeds_copy,
        "huangdao",
        "huangdao.txt",
        "青岛市黄岛区",
        level="district",
        short_name="黄岛",
        aliases=["黄岛区", "黄岛", "西海岸新区"],
        parents=["青岛市", "山东省"],
    )
    docs = load_documents(seeds_copy)
    assert next(d for d in docs if d.slug == "huangdao").parent == "qingdao"  # inferred from parents
    det = RegionDetector(docs)
    assert det.detect(normalize_query("黄岛区育儿假几天")).slugs == ["huangdao", "qingdao"]
    assert det.detect(normalize_query("西海岸新区的托育补贴")).slugs == ["huangdao", "qingdao"]
    assert det.detect(normalize_query("青岛育儿假几天")).slugs == ["qingdao"]
    assert det.detect(normalize_query("山东的产假")).slugs == ["qingdao"]  # the largest plan of the province


def test_district_question_answered_from_district_then_city_plan_each_labelled(hash_settings):
    from rag.assistant import Assistant

    seeds = hash_settings.seeds_dir
    shutil.copy(PLANS / "jinxi.txt", seeds / "huangdao.txt")
    add_plan(
        seeds,
        "huangdao",
        "huangdao.txt",
        "青岛市黄岛区",
        level="district",
        short_name="黄岛",
        aliases=["黄岛区"],
        parents=["青岛市", "山东省"],
    )
    build_index(hash_settings)
    ans = Assistant.load(settings=hash_settings).ask("黄岛区育儿假每年有几天？")
    lines = ans.answer.splitlines()
    district = next(i for i, x in enumerate(lines) if x.startswith("青岛市黄岛区"))
    city = next(i for i, x in enumerate(lines) if x.startswith("青岛市（") or x.startswith("青岛市："))
    assert district < city
    assert [c.chunk.slug for c in ans.citations][:2] == ["huangdao", "qingdao"]
