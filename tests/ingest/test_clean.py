from pathlib import Path

from rag.ingest.clean import clean_lines, strip_artefacts
from rag.text.normalize import normalize, normalize_query

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_bookmarks_are_stripped_everywhere():
    for name in ("chongqing", "qingdao", "tonghua"):
        raw = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
        assert "[bookmark:" in raw  # the artefact is really in the source
        assert not any("[bookmark" in p for p in clean_lines(raw))


def test_page_noise_lines_are_dropped():
    assert strip_artefacts("- 3 -") == ""
    assert strip_artefacts("\f") == ""
    assert strip_artefacts("第 2 页 共 9 页") == ""
    assert strip_artefacts("　　一、总体目标") == "一、总体目标"


def test_sentences_broken_by_pdf_extraction_are_rejoined():
    paras = clean_lines((SEEDS / "beijing.txt").read_text(encoding="utf-8"))
    text = "\n".join(paras)
    assert "监测生育形势和人口变动趋势" in text
    assert "加强辅助生殖机构质量控制和监管" in text
    assert "鼓励和支持有条件的幼儿园在满足3至6岁幼儿入园的基础上" in text
    # headings are not glued to the following paragraph
    assert "一、总体要求" in paras


def test_full_width_digits_normalised_for_matching_but_kept_for_display():
    paras = clean_lines((SEEDS / "chongqing.txt").read_text(encoding="utf-8"))
    display = next(p for p in paras if "标准化妇幼保健机构" in p)
    assert "１所" in display
    assert "1所" in normalize(display)


def test_invisible_characters_and_traditional_script():
    assert normalize_query("靑島\u200b育兒假\U000e0041有幾天？") == "青岛育儿假有几天?"
    assert normalize("到 2025 年，每千人口不少于 4.5 个托位") == "到2025年,每千人口不少于4.5个托位"
