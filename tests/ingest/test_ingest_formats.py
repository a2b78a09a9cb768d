"""Round trip: each seed plan rendered to PDF, DOCX and HTML (made here, see _render.py) reads back into the same
clauses as its .txt: same ids, same heading paths, same text after whitespace normalisation."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from _render import to_docx, to_html, to_pdf

from rag.ingest.chunker import chunk_document
from rag.ingest.readers import ReadError, read_file
from rag.ingest.seeds import load_documents

ROOT = Path(__file__).resolve().parents[2]
PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
DOCS = {d.slug: d for d in load_documents(ROOT / "seeds")}
SYNTHETIC = {
    slug: replace(DOCS["qingdao"], slug=slug, text=(PLANS / f"{slug}.txt").read_text(encoding="utf-8"))
    for slug in ("linhai", "jinxi")
}
RENDER = {"pdf": to_pdf, "docx": to_docx, "html": to_html}


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _same_clauses(doc, path: Path):
    got = read_file(path)
    want = chunk_document(doc)
    have = chunk_document(replace(doc, text=got.text, path=str(path), format=got.format))
    assert [(c.id, c.section) for c in have] == [(c.id, c.section) for c in want]
    for h, w in zip(have, want):
        assert _norm(h.text) == _norm(w.text), h.id
        assert h.responsibility == w.responsibility, h.id
    return got


@pytest.mark.parametrize("fmt", sorted(RENDER))
@pytest.mark.parametrize("slug", sorted(DOCS))
def test_seed_round_trip(slug, fmt, tmp_path):
    doc = DOCS[slug]
    path = tmp_path / f"{slug}.{fmt}"
    facts = RENDER[fmt](doc.text, path)
    if fmt == "pdf":
        assert facts["pages"] >= 3 and facts["split_paragraphs"] >= 1  # the page-break case really occurs
    got = _same_clauses(doc, path)
    assert got.format == fmt
    # page furniture and site chrome never reach the text
    for junk in (
        "某市人民政府办公室",
        "- 2 -",
        "网站标识码",
        "ICP备",
        "当前位置",
        "首页",
        "相关文件",
        "分享到",
    ):
        assert junk not in got.text, (fmt, junk)


@pytest.mark.parametrize("fmt", sorted(RENDER))
@pytest.mark.parametrize("slug", sorted(SYNTHETIC))
def test_synthetic_plans_round_trip_including_a_table(slug, fmt, tmp_path):
    """linhai (第X条, with a subsidy table) and jinxi (一是/二是) read back identically from every format."""
    doc = SYNTHETIC[slug]
    path = tmp_path / f"{slug}.{fmt}"
    RENDER[fmt](doc.text, path)
    got = _same_clauses(doc, path)
    if slug == "linhai" and fmt != "pdf":
        assert got.tables == 1 and "三孩：每月1000元。" in got.text.splitlines()
    assert len(chunk_document(doc)) == {"linhai": 16, "jinxi": 13}[slug]  # linhai: each table row a part


def test_gbk_encoded_text_and_page_are_read(tmp_path):
    text = (PLANS / "jinxi.txt").read_text(encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk"))
    assert read_file(tmp_path / "gbk.txt").text.strip() == text.strip()
    to_html(text, tmp_path / "utf8.html")
    page = (tmp_path / "utf8.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gb2312"')
    (tmp_path / "gbk.html").write_bytes(page.encode("gbk"))
    assert "一是延长产假" in read_file(tmp_path / "gbk.html").text


def test_pdf_running_header_and_page_numbers_dropped(tmp_path):
    doc = DOCS["qingdao"]
    to_pdf(doc.text, tmp_path / "q.pdf", header="青岛市卫生健康委员会文件")
    text = read_file(tmp_path / "q.pdf").text
    assert "青岛市卫生健康委员会文件" not in text
    assert not re.search(r"^- \d+ -$", text, re.M)


def test_image_only_pdf_empty_file_and_unknown_format_each_give_one_sentence(tmp_path):
    from PIL import Image
    from reportlab.pdfgen import canvas

    img = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), "white").save(img)
    scanned = tmp_path / "扫描件.pdf"
    c = canvas.Canvas(str(scanned))
    c.drawImage(str(img), 50, 500, 400, 200)
    c.showPage()
    c.save()
    empty = tmp_path / "空白.txt"
    empty.write_bytes(b"")
    odd = tmp_path / "方案.xls"
    odd.write_bytes(b"\xd0\xcf\x11\xe0 not a plan")
    broken = tmp_path / "损坏.pdf"
    broken.write_bytes(b"%PDF-1.4 garbage that is no pdf")
    broken_docx = tmp_path / "损坏.docx"
    broken_docx.write_bytes(b"PK\x03\x04 not really a zip")
    expect = {
        scanned: "扫描版",
        empty: "空文件",
        odd: "不受支持",
        broken: "无法读取",
        broken_docx: "无法读取",
    }
    for path, words in expect.items():
        with pytest.raises(ReadError) as err:
            read_file(path)
        msg = str(err.value)
        assert path.name in msg and words in msg and "\n" not in msg and "Traceback" not in msg


def test_docx_tables_become_rows_that_read_on_their_own(tmp_path):
    from rag.ingest.tables import table_lines

    assert table_lines([["孩次", "补贴标准"], ["一孩", "每月200元"], ["二孩", "每月300元"]]) == [
        "一孩：每月200元。",
        "二孩：每月300元。",
    ]
    assert table_lines([["孩次", "标准", "期限"], ["三孩", "每月500元", "至3周岁"]]) == [
        "三孩：标准每月500元，期限至3周岁。"
    ]


def test_markdown_marks_removed(tmp_path):
    p = tmp_path / "plan.md"
    p.write_text("# 某市方案\n\n## 一、总体要求\n\n- 为进一步优化生育政策，制定本方案。\n", encoding="utf-8")
    text = read_file(p).text
    assert "#" not in text and "一、总体要求" in text and "- " not in text


def test_pdf_page_bound(tmp_path, monkeypatch):
    from rag.ingest.readers import pdf

    to_pdf(SYNTHETIC["jinxi"].text, tmp_path / "j.pdf")
    monkeypatch.setattr(pdf, "MAX_PAGES", 0)
    with pytest.raises(ReadError, match="j.pdf 有 1 页，超过 0 页的上限"):
        read_file(tmp_path / "j.pdf")


def test_old_style_table_layout_page_with_br_lines_and_a_data_table(tmp_path):
    page = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>
<table width="100%"><tr><td class="nav"><a href="/">首页</a> | <a href="/x">机构设置</a></td></tr>
<tr><td><table><tr><td id="zoom"><font size="3">一、总体要求<br>为减轻家庭负担，制定本措施。<br>二、主要措施<br>
（一）发放育儿补贴。标准如下：<br>
<table border="1"><tr><td>孩次</td><td>标准</td></tr><tr><td>二孩</td><td>每月300元</td></tr></table>
（二）延长产假。产假延长至158天。</font></td></tr></table></td></tr>
<tr><td>网站标识码：1234567890 版权所有</td></tr></table></body></html>"""
    (tmp_path / "old.html").write_text(page, encoding="utf-8")
    lines = read_file(tmp_path / "old.html").text.splitlines()
    assert lines == [
        "一、总体要求",
        "为减轻家庭负担，制定本措施。",
        "二、主要措施",
        "（一）发放育儿补贴。标准如下：",
        "二孩：每月300元。",
        "（二）延长产假。产假延长至158天。",
    ]
