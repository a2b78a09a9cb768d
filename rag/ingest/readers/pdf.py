"""PDF through pdfplumber (chosen over pypdf by bench/bench_readers.py: it gives each line's position, which is
what tells a running header from the body and a paragraph's last line from a line that merely reached the margin).

Page furniture goes: lines in the top/bottom band of the page that repeat on most pages (running header/footer,
with their page numbers), and page-number lines. Lines are re-joined into paragraphs across line and page breaks:
a paragraph starts on an indented line and ends on a line that stops short of the right margin.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .. import messages
from ..clean import PAGE_NOISE, SENTENCE_END
from ..layouts import match_marker
from ..tables import table_lines
from .base import Extracted, ReadError

MAX_PAGES = 500  # a plan is a few dozen pages; bounding the pages bounds the time spent reading
BAND = 0.09  # top and bottom share of the page where running headers and footers live
DIGITS = re.compile(r"[0-9０-９]+")


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    page: int
    height: float  # page height
    size: float  # character width, about the font size
    row: bool = False  # a table row made into a sentence: a paragraph of its own


def _lines(pdf) -> tuple[list[Line], int]:
    """The page lines in reading order, each ruled table replaced by its rows (二孩：每月500元。) where it stood;
    and how many tables there were."""
    out, tables = [], 0
    for n, page in enumerate(pdf.pages):
        found = [t for t in page.find_tables() if len(t.rows) >= 2]
        boxes = [t.bbox for t in found]
        items = []
        for ln in page.extract_text_lines(layout=False, strip=True, return_chars=True):
            text = ln["text"].strip()
            middle = (ln["top"] + ln["bottom"]) / 2
            if not text or any(b[1] <= middle <= b[3] and b[0] <= ln["x0"] <= b[2] for b in boxes):
                continue
            chars = ln.get("chars") or []
            size = max((c["x1"] - c["x0"]) for c in chars) if chars else 10.0
            items.append(Line(text, ln["x0"], ln["x1"], ln["top"], n, float(page.height), size))
        for t in found:
            rows = [[(c or "").strip() for c in r] for r in t.extract()]
            x0, top = t.bbox[0], t.bbox[1]
            items += [
                Line(s, x0, x0, top + k * 0.01, n, float(page.height), 10.0, True)
                for k, s in enumerate(table_lines(rows))
            ]
            tables += 1
        out += sorted(items, key=lambda ln: ln.top)
    return out, tables


def _furniture(lines: list[Line], pages: int) -> set[int]:
    """Indexes of running headers/footers: band lines whose text (numbers ignored) recurs on most pages."""
    band = [i for i, ln in enumerate(lines) if ln.top < ln.height * BAND or ln.top > ln.height * (1 - BAND)]
    counts = Counter(DIGITS.sub("#", lines[i].text) for i in band)
    need = max(2, pages // 2) if pages > 1 else 2
    drop = {i for i in band if counts[DIGITS.sub("#", lines[i].text)] >= need}
    drop |= {i for i in band if PAGE_NOISE.match(lines[i].text)}
    return drop


def read(path: Path) -> Extracted:
    import pdfplumber

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise ReadError(messages.ENCRYPTED_PDF.format(name=path.name)) from None
        raise
    with pdf:
        pages = len(pdf.pages)
        if pages > MAX_PAGES:
            raise ReadError(messages.TOO_MANY_PAGES.format(name=path.name, pages=pages, limit=MAX_PAGES))
        lines, tables = _lines(pdf)
        images = sum(len(p.images) for p in pdf.pages)
    if not lines:
        if images:
            raise ReadError(messages.IMAGE_PDF.format(name=path.name))
        raise ReadError(messages.NO_TEXT.format(name=path.name))
    drop = _furniture(lines, pages)
    body = [ln for i, ln in enumerate(lines) if i not in drop and not PAGE_NOISE.match(ln.text)]
    return Extracted("\n".join(_paragraphs(body)), "pdf", tables=tables)


def _paragraphs(body: list[Line]) -> list[str]:
    """Re-joins lines into paragraphs using the body's left and right margins."""
    if not body:
        return []
    xs = Counter(round(ln.x0) for ln in body if not ln.row)
    left = min((x for x, n in xs.items() if n >= 2), default=min(xs))  # the body's margin, not its indent
    right = max(ln.x1 for ln in body if not ln.row) if any(not ln.row for ln in body) else 0
    paras: list[str] = []
    prev: Line | None = None
    for ln in body:
        indented = ln.x0 > left + ln.size * 0.8
        prev_full = prev is not None and prev.x1 >= right - prev.size * 1.5
        # A numbered line after a finished sentence starts a new part even when nothing is indented.
        numbered = prev is not None and prev.text.endswith(SENTENCE_END) and match_marker(ln.text) is not None
        if paras and prev_full and not indented and not numbered and not ln.row and not prev.row:
            paras[-1] += ln.text
        else:
            paras.append(ln.text)
        prev = ln
    return paras
