"""Renders a plan's text to PDF, DOCX and HTML as publishers do, so that the readers can be tested on files made in
the test run (no binary fixtures). PDF: reportlab with its built-in CJK font (STSong-Light, no font file needed),
running header and footer, page numbers, first-line indents, paragraphs flowing across page breaks. DOCX:
python-docx with heading styles, a running header, tables. HTML: a government-site page with navigation,
breadcrumb, sidebar and footer (网站标识码, ICP) around the article."""

from __future__ import annotations

import html
import re
from pathlib import Path

from rag.ingest.clean import clean_lines
from rag.ingest.layouts import is_heading_line, match_marker
from rag.ingest.tables import _table_at

ROW = re.compile(r"^([^，。：；]{1,10})：([^：]{1,40}?)。$")  # "二孩：每月300元。": a table row in the text


def blocks(text: str) -> list[tuple[str, object]]:
    """('heading', (level, text)) / ('para', text) / ('table', rows) in reading order."""
    paras, tables = _typed_tables(text)
    out: list[tuple[str, object]] = []
    for p in paras:
        if p in tables:  # a table typed into the text (| a | b | or aligned columns): a real table
            out.append(("table", tables[p]))
            continue
        m = ROW.match(p)
        if m:
            if out and out[-1][0] == "table":
                out[-1][1].append([m.group(1), m.group(2)])
            else:
                out.append(("table", [["项目", "标准"], [m.group(1), m.group(2)]]))
            continue
        if is_heading_line(p):
            out.append(("heading", (min(match_marker(p)[0].rank, 5) + 1, p)))
        else:
            out.append(("para", p))
    return out


def _typed_tables(text: str) -> tuple[list[str], dict[str, list[list[str]]]]:
    """Cleaned paragraphs with each typed table replaced by a placeholder line, and the placeholders' rows."""
    lines, tables, i = text.splitlines(), {}, 0
    kept: list[str] = []
    while i < len(lines):
        rows, j = _table_at([ln.strip() for ln in lines], i)
        if rows:
            key = f"【表格{len(tables) + 1}】。"
            tables[key] = rows
            kept.append(key)
            i = j
        else:
            kept.append(lines[i])
            i += 1
    return clean_lines("\n".join(kept)), tables


def _pdf_table(c, rows, font, size, left, right, y) -> float:
    """Draws a ruled table (the grid is what pdfplumber finds tables by); returns the y below it."""
    cols = max(len(r) for r in rows)
    width = (right - left) / cols
    height = size * 2
    for r, row in enumerate(rows):
        top = y - r * height
        for k in range(cols):
            c.rect(left + k * width, top - height, width, height)
            cell = row[k] if k < len(row) else ""
            c.drawString(left + k * width + 4, top - height + size * 0.6, cell)
    return y - len(rows) * height - size


def to_pdf(text: str, path: Path, header: str = "某市人民政府办公室文件", pages_min: int = 1) -> dict:
    """Returns facts about the rendering (pages, paragraphs that were split across a page break)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    size, lead = 12, 18
    w, h = A4
    left, right, top, bottom = 72, w - 72, h - 90, 80
    c = canvas.Canvas(str(path), pagesize=A4)
    page, y, split = 1, top, 0

    def furniture():
        c.setFont(font, 9)
        c.drawCentredString(w / 2, h - 50, header)
        c.drawCentredString(w / 2, 40, f"- {page} -")
        c.setFont(font, size)

    furniture()
    paras = []
    for kind, val in blocks(text):
        if kind == "table":
            paras.append(val)
        else:
            paras.append(val[1] if kind == "heading" else val)
    for para in paras:
        if isinstance(para, list):  # a table: drawn as a ruled grid, on a new page when it does not fit
            if y - len(para) * size * 2 < bottom:
                c.showPage()
                page += 1
                y = top
                furniture()
            y = _pdf_table(c, para, font, size, left, right, y + size)
            continue
        lines, cur, indent = [], "", 2 * size
        for ch in para:
            width = right - left - (indent if not lines else 0)
            if pdfmetrics.stringWidth(cur + ch, font, size) > width:
                lines.append(cur)
                cur = ""
            cur += ch
        lines.append(cur)
        for i, line in enumerate(lines):
            if y < bottom:
                c.showPage()
                page += 1
                y = top
                furniture()
                if i > 0:
                    split += 1
            c.drawString(left + (indent if i == 0 else 0), y, line)
            y -= lead
    c.showPage()
    c.save()
    return {"pages": page, "split_paragraphs": split}


def to_docx(text: str, path: Path, header: str = "某市人民政府办公室") -> dict:
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = header  # running header: not body text
    tables = 0
    for kind, val in blocks(text):
        if kind == "heading":
            d.add_heading(val[1], level=min(val[0], 9))
        elif kind == "table":
            t = d.add_table(rows=0, cols=max(len(r) for r in val))
            t.style = "Table Grid"
            for row in val:
                for cell, value in zip(t.add_row().cells, row):
                    cell.text = value
            tables += 1
        else:
            d.add_paragraph(val)
    d.save(str(path))
    return {"tables": tables}


def to_html(text: str, path: Path, site: str = "某市卫生健康委员会") -> dict:
    body = []
    for kind, val in blocks(text):
        if kind == "heading":
            body.append(f"<h{min(val[0] + 1, 6)}>{html.escape(val[1])}</h{min(val[0] + 1, 6)}>")
        elif kind == "table":
            cell = lambda tag, v: f"<{tag}>{html.escape(v)}</{tag}>"  # noqa: E731
            head = "".join(cell("th", v) for v in val[0])
            rows = "".join("<tr>" + "".join(cell("td", v) for v in r) + "</tr>" for r in val[1:])
            body.append(f'<table border="1"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
        else:
            body.append(f'<p style="text-indent:2em">{html.escape(val)}</p>')
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政策文件 - {site}</title>
<script>var _hmt = [];</script></head><body>
<div class="top-header"><div class="logo">{site}</div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/zcwj">政策文件</a></li><li><a href="/hdjl">互动交流</a></li></ul></div></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政策文件</div>
<div class="main"><div class="sidebar"><h3>相关文件</h3><ul><li><a href="/a">关于做好托育服务工作的通知</a></li>
<li><a href="/b">2023年卫生健康工作要点</a></li></ul></div>
<div class="article"><h1>政策文件</h1><div class="info">发布时间：2024-03-01 来源：{site} 浏览次数：1024</div>
<div class="TRS_Editor">
{chr(10).join(body)}
</div><div class="share">分享到：微信 微博</div></div></div>
<div class="footer"><p>主办单位：{site} 版权所有</p><p>网站标识码：1234567890 备案号：某ICP备12345678号-1</p>
<p>公网安备 12345678901234号</p></div></body></html>"""
    Path(path).write_text(page, encoding="utf-8")
    return {}


def add_plan(
    seeds: Path, text: str, fmt: str, slug: str, region: str, short: str, title: str, **fields
) -> None:
    """Writes one plan's text into seeds/ as `<slug>.<fmt>` (txt as it is, else rendered as above) and appends its
    documents.toml entry: status 正式文件 unless given, and any other `fields` (lists become TOML arrays)."""
    import json

    name = f"{slug}.{fmt}"
    if fmt == "txt":
        (seeds / name).write_text(text, encoding="utf-8")
    else:
        {"pdf": to_pdf, "docx": to_docx, "html": to_html}[fmt](text, seeds / name)
    entry = {"slug": slug, "file": name, "region_name": region, "short_name": short, "title": title}
    entry.update({"status": "正式文件", **fields})
    lines = "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in entry.items())
    with open(seeds / "documents.toml", "a", encoding="utf-8") as fh:
        fh.write(f"\n[[document]]\n{lines}")
