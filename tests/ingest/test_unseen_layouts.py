"""Issue 22, ingest side of plans never seen before (fast, no model): tables become one clause part per row in every
format, led by the sentence that opens them and quoted with it; a numbered item without a short title keeps its
first sentence as content; organisational parts (附则, 保障措施) are known as such for ranking."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from _render import to_docx, to_html, to_pdf

from rag.ingest.chunker import chunk_document, chunk_sentences
from rag.ingest.clean import clean_lines
from rag.ingest.layouts import parse_document
from rag.ingest.readers import read_file
from rag.ingest.roles import is_boilerplate
from rag.ingest.seeds import load_documents
from rag.ingest.tables import text_tables

ROOT = Path(__file__).resolve().parents[2]
UNSEEN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "unseen"
BASE = load_documents(ROOT / "seeds")[0]
RENDER = {"pdf": to_pdf, "docx": to_docx, "html": to_html}


def _doc(slug: str, text: str | None = None):
    return replace(
        BASE, slug=slug, text=text if text is not None else (UNSEEN / f"{slug}.txt").read_text("utf-8")
    )


def _chunks(slug: str, text: str | None = None) -> dict:
    return {c.id: c for c in chunk_document(_doc(slug, text))}


def test_pipe_and_aligned_text_tables_become_row_sentences():
    pipe = ["表1 标准", "| 孩次 | 标准 | 期限 |", "| --- | --- | --- |", "| 二孩 | 每月500元 | 至3周岁 |"]
    pipe.append("| 三孩 | 每月800元 | 至3周岁 |")
    assert text_tables(pipe) == [
        "表1 标准",
        "二孩：标准每月500元，期限至3周岁。",
        "三孩：标准每月800元，期限至3周岁。",
    ]
    aligned = [
        "项目        二孩       三孩",
        "生育补贴    3000元     6000元",
        "育儿补贴    每月200元  每月400元",
    ]
    assert text_tables(aligned) == [
        "生育补贴：二孩3000元，三孩6000元。",
        "育儿补贴：二孩每月200元，三孩每月400元。",
    ]
    # a sentence with wide spacing is no table, nor is a single aligned line
    prose = ["各地要落实产假制度。  有条件的地方可以延长。", "女职工  产假。"]
    assert text_tables(prose) == prose


def test_each_table_row_is_its_own_clause_part_with_the_sentence_that_opens_it():
    chunks = _chunks("gansu")
    rows = [chunks[f"gansu-3.8-{i}"] for i in (1, 2, 3)]
    assert all(c.section.endswith("第八条 > 表1 育儿补贴标准") for c in rows)
    assert all(c.text.startswith("对依法生育子女的本省户籍家庭发放育儿补贴，具体标准见表1。") for c in rows)
    assert rows[1].text.endswith("二孩：补贴标准每月500元，发放期限至子女3周岁。")
    assert "三孩及以上" in rows[2].text and "500元" not in rows[2].text
    # quoted as one sentence: the row alone would not say what is paid
    assert chunk_sentences(rows[1].text) == [rows[1].text]
    # the clause after the table is untouched
    assert chunks["gansu-3.9-1"].text.startswith("对取得备案的普惠性托育机构")


def test_a_table_with_one_column_per_child_reads_by_benefit():
    chunks = _chunks("mianyang")
    assert chunks["mianyang-2.4-1"].text.endswith("一次性生育补贴：二孩3000元，三孩6000元。")
    assert chunks["mianyang-2.4-2"].text.endswith("育儿补贴：二孩每月200元，三孩每月400元。")


def test_numbered_item_without_short_title_keeps_first_sentence_as_content():
    chunks = _chunks("mianyang")
    assert chunks["mianyang-1.1-1"].text.startswith(
        "符合法律法规规定生育子女的女职工，在国家规定产假基础上增加产假60天。"
    )
    assert "60天" not in chunks["mianyang-1.1-1"].section
    # a real short title still is one
    parsed = parse_document(
        clean_lines("一、措施\n1.延长产假。女职工产假延长至158天。\n2.设立育儿假。每年10天。")
    )
    assert [c.headings[-1] for c in parsed.clauses] == ["1.延长产假", "2.设立育儿假"]


@pytest.mark.parametrize("fmt", sorted(RENDER))
@pytest.mark.parametrize("slug", ["gansu", "deqing", "mianyang"])
def test_unseen_plans_read_into_the_same_clauses_in_every_format(slug, fmt, tmp_path):
    want = chunk_document(_doc(slug))
    path = tmp_path / f"{slug}.{fmt}"
    RENDER[fmt](_doc(slug).text, path)
    got = read_file(path)
    have = chunk_document(replace(_doc(slug, got.text), path=str(path), format=got.format))
    assert [(c.id, c.section) for c in have] == [(c.id, c.section) for c in want]
    assert ["".join(c.text.split()) for c in have] == ["".join(c.text.split()) for c in want]
    if slug != "deqing":
        assert got.tables == 1


def test_a_caption_is_not_glued_to_the_next_line():
    assert clean_lines("表1 育儿补贴标准\n二孩：每月500元。") == ["表1 育儿补贴标准", "二孩：每月500元。"]


def test_colon_lists_in_running_text_stay_with_their_clause_when_not_a_table():
    text = "一、措施\n（一）补贴。标准如下：\n二孩：每月500元。\n（二）延长产假。产假延长至158天。"
    chunks = _chunks("x", text)
    assert chunks["x-1.1-1"].text == "标准如下：二孩：每月500元。"  # one row, no caption: not split off


def test_organisational_parts_are_known_by_their_top_heading():
    assert is_boilerplate("四、附则")
    assert is_boilerplate("三、保障措施 > （一）加强组织领导")
    assert is_boilerplate("第五章 附则 > 第十六条")
    assert not is_boilerplate("二、具体措施 > （一）组织实施三孩生育政策 > 1.全面依法落实三孩生育政策")
    assert not is_boilerplate("二、主要措施 > （一）落实生育休假制度 > 四是设立育儿假")


def test_figures_in_chinese_numerals_count_as_stated():
    from rag.ingest.numbers import FIGURE

    for text in (
        "增加产假六十天",
        "一次性购房补贴五万元",
        "每天安排一小时哺乳时间",
        "贷款额度上浮百分之三十",
        "契税补贴五成",
    ):
        assert FIGURE.search(text), text
    for text in ("自印发之日起施行", "一次性发放", "一是延长产假", "万元以下"):
        assert not FIGURE.search(text), text
