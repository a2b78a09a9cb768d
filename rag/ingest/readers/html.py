"""Web pages through lxml: the article body only.

Site furniture goes first (script/style/nav/header/footer/aside and anything whose id or class says nav, menu,
breadcrumb, footer, share…), then the container holding most of the page's paragraph text is taken as the article,
and lines that are site marks (网站标识码, ICP备, 版权所有…) are dropped. Tables become rows that read on their own.
trafilatura was measured against this (bench/bench_readers.py) and kept short numbered headings less reliably.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..tables import table_lines
from .base import Extracted

FURNITURE_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "button",
)
FURNITURE_ATTR = re.compile(
    r"nav|menu|bread|crumb|footer|foot|header|head-|sidebar|side-|share|copyright|position|location|toolbar|"
    r"search|login|banner|related|relevant|print",
    re.I,
)
SITE_LINE = re.compile(
    r"网站标识码|ICP备|ICP证|公网安备|版权所有|主办单位|承办单位|技术支持|联系我们|网站地图|扫一扫|分享到|"
    r"当前位置|您现在的位置|【打印】|【关闭】|字号|浏览次数|阅读次数"
)
BLOCK = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "div",
    "section",
    "article",
    "blockquote",
    "pre",
    "dd",
    "dt",
}
CONTAINERS = ("article", "main", "section", "div", "td")
BLOCK |= {"table", "tbody", "thead", "tr", "td", "th"}  # cells of a layout table are blocks of the page
DATA_CELL_MAX = 200  # a cell longer than this holds page content: the table is layout, not data


def read(path: Path) -> Extracted:
    import lxml.html

    root = lxml.html.document_fromstring(_decode(path.read_bytes()))
    for el in list(root.iter(*FURNITURE_TAGS)):
        _drop(el)
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        attrs = " ".join((el.get("id") or "", el.get("class") or "", el.get("role") or ""))
        if attrs.strip() and FURNITURE_ATTR.search(attrs) and el.tag not in ("body", "html"):
            _drop(el)
    article = _article(root)
    lines: list[str] = []
    _walk(article, lines)
    tables = len(article.findall(".//table"))
    lines = [ln for ln in (re.sub(r"\s+", " ", x).strip() for x in lines) if ln and not SITE_LINE.search(ln)]
    return Extracted("\n".join(lines), "html", tables=tables)


CHARSET = re.compile(r"""charset\s*=\s*["']?([\w-]+)""", re.I)
XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")


def _decode(raw: bytes) -> str:
    """The page's declared charset (GB2312/GBK read as their superset GB18030), else UTF-8, else GB18030."""
    m = CHARSET.search(raw[:4096].decode("ascii", "ignore"))
    declared = m.group(1).lower() if m else ""
    if declared in ("gb2312", "gbk", "gb18030", "x-gbk"):
        declared = "gb18030"
    for enc in dict.fromkeys(e for e in (declared, "utf-8-sig", "gb18030") if e):
        try:
            return XML_DECL.sub("", raw.decode(enc))
        except (LookupError, UnicodeDecodeError):
            continue
    return XML_DECL.sub("", raw.decode("utf-8", errors="replace"))


def _drop(el) -> None:
    if el.getparent() is not None:
        el.drop_tree()  # keeps the text that followed the element


def _article(root):
    """The container whose own paragraphs hold the most text (the article, not the page)."""
    best, best_len = root.find("body") if root.find("body") is not None else root, 0
    for el in root.iter(*CONTAINERS):
        n = sum(
            len(p.text_content()) for p in el if isinstance(p.tag, str) and p.tag in ("p", "h2", "h3", "h4")
        )
        if n > best_len:
            best, best_len = el, n
    return best


def _is_data_table(table) -> bool:
    """A table of values (subsidies by child order), not an old-style page layout table holding the article."""
    if table.find(".//table") is not None or table.find(".//p") is not None:
        return False
    cells = [c.text_content().strip() for c in table.iter("td", "th")]
    return bool(cells) and max(len(c) for c in cells) <= DATA_CELL_MAX and not table.findall(".//br")


def _walk(el, lines: list[str]) -> None:
    """Block elements become lines; inline text is gathered into the current line; tables become rows."""
    if el.tag == "table" and _is_data_table(el):
        rows = [[c.text_content().strip() for c in tr if c.tag in ("td", "th")] for tr in el.iter("tr")]
        lines.extend(table_lines(rows))
        lines.append("")  # text after the table starts a line of its own
        return
    if el.tag == "br":
        lines.append("")
    block = el.tag in BLOCK
    if block:
        lines.append("")
    if el.text:
        _append(lines, el.text)
    for child in el:
        if isinstance(child.tag, str):
            _walk(child, lines)
        if child.tail:
            _append(lines, child.tail)
    if block:
        lines.append("")


def _append(lines: list[str], text: str) -> None:
    if not lines:
        lines.append("")
    lines[-1] += text
