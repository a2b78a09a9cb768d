import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.ingest.chunker import MAX_CHARS, chunk_documents
from rag.ingest.seeds import load_documents
from rag.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]


def chunks():
    return chunk_documents(load_documents(ROOT / "seeds"))


def test_chunk_lengths_bounded_and_clean():
    cs = chunks()
    assert 120 < len(cs) < 260
    for c in cs:
        assert 20 <= len(c.text) <= MAX_CHARS + 60, (c.id, len(c.text))
        assert "[bookmark" not in c.text and "[bookmark" not in c.embed_text
        assert c.region_name in c.embed_text and normalize(c.section.split(" > ")[-1]) in c.embed_text


def test_ids_stable_and_unique():
    a, b = chunks(), chunks()
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_qingdao_parental_leave_sentence_is_in_one_chunk_with_its_heading_path():
    hits = [c for c in chunks() if "3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假" in c.text]
    assert len(hits) == 1
    c = hits[0]
    assert c.slug == "qingdao" and c.status == "征求意见稿"
    assert c.section == "二、主要任务 > （四）建立完善积极生育配套支持政策措施 > 1.降低生育成本"
    assert "青岛" in c.embed_text and "市卫生健康委牵头" in c.responsibility


def test_split_parts_end_at_sentence_boundaries():
    cs = chunks()
    ids = {c.id for c in cs}
    split = 0
    for c in cs:
        base, part = c.id.rsplit("-", 1)
        if f"{base}-{int(part) + 1}" in ids:  # a part followed by another part of the same clause
            split += 1
            assert c.text[-1] in "。；;！？", c.id
    assert split >= 20


def test_adding_a_plan_needs_only_text_and_metadata(seeds_copy):
    (seeds_copy / "extra.txt").write_text(
        "某市实施方案\n为深入贯彻落实有关精神，制定本方案。\n一、主要措施\n（一）延长育儿假。父母每年各享受育儿假12天。\n",
        encoding="utf-8",
    )
    with open(seeds_copy / "documents.toml", "a", encoding="utf-8") as fh:
        fh.write(
            '\n[[document]]\nslug = "extra"\nfile = "extra.txt"\nregion_name = "某市"\nshort_name = "某市"\n'
            'title = "某市实施方案"\nstatus = "正式文件"\naliases = []\n'
        )
    cs = [c for c in chunk_documents(load_documents(seeds_copy)) if c.slug == "extra"]
    assert [c.id for c in cs] == ["extra-0-1", "extra-1.1-1"]
    assert "12天" in cs[1].text


@pytest.mark.slow
def test_rag_chunks_cli_json():
    out = subprocess.run(
        [sys.executable, "-m", "rag.cli", "chunks", "--region", "qingdao", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(r["slug"] == "qingdao" for r in rows)
    assert {"id", "section", "text", "embed_text", "responsibility", "status"} <= set(rows[0])
    assert not any("[bookmark" in r["text"] for r in rows)
