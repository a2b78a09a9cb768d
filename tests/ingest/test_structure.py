from pathlib import Path

import pytest

from rag.ingest.clean import parse
from rag.ingest.layouts import cn_to_int, split_duty

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# 一、二、… sections of each plan, counted by hand from the documents.
TOP_SECTIONS = {"beijing": 7, "chongqing": 7, "guizhou": 7, "qingdao": 3, "tonghua": 3}


@pytest.mark.parametrize("slug,expected", sorted(TOP_SECTIONS.items()))
def test_top_level_sections(slug, expected):
    clauses = parse((SEEDS / f"{slug}.txt").read_text(encoding="utf-8"))
    assert len({c.key[0] for c in clauses if c.key[0] > 0}) == expected
    assert clauses[0].headings == ["前言"] and clauses[0].paragraphs[0].startswith("为")


def test_three_levels_in_qingdao_and_numbering_across_sections_in_tonghua():
    qd = parse((SEEDS / "qingdao.txt").read_text(encoding="utf-8"))
    deep = [c for c in qd if len(c.key) == 3]
    assert len(deep) == 18
    assert qd[-1].headings == ["三、组织保障", "（四）强化宣传引导"]
    th = parse((SEEDS / "tonghua.txt").read_text(encoding="utf-8"))
    assert [c.key[2] for c in th if len(c.key) == 3] == list(range(1, 24))


def test_item_titles_split_from_body():
    bj = parse((SEEDS / "beijing.txt").read_text(encoding="utf-8"))
    goals = next(c for c in bj if c.key == (1, 2))
    assert goals.headings[-1] == "（二）主要目标"
    assert len(goals.paragraphs) == 2  # the 2035 paragraph belongs to the same item


def test_responsibility_notes_are_metadata_not_body():
    for slug, marker in (("qingdao", "牵头"), ("guizhou", "责任单位"), ("tonghua", "负责")):
        clauses = parse((SEEDS / f"{slug}.txt").read_text(encoding="utf-8"))
        assert sum(bool(c.duties) for c in clauses) >= 15
        assert not any(marker in p for c in clauses for p in c.paragraphs), slug


def test_split_duty_keeps_ordinary_parentheses():
    body, duty = split_duty("实施好三孩生育政策（以下简称三孩生育政策）")
    assert duty == "" and body.endswith("）")
    body, duty = split_duty("要做的事。[各乡（镇）街人民政府按职责分工负责]")
    assert body == "要做的事。" and duty.startswith("各乡（镇）")


def test_chinese_numerals():
    assert [cn_to_int(s) for s in ("一", "九", "十", "十一", "二十", "二十三")] == [1, 9, 10, 11, 20, 23]
