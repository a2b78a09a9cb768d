"""Removes extraction artefacts and re-joins lines that PDF extraction broke, keeping the original wording."""

from __future__ import annotations

import re

from .layouts import CAPTION, Clause, is_heading_line, match_marker, parse_document
from .tables import text_tables

BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
PAGE_NOISE = re.compile(
    r"^\s*([-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*页(\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\f)\s*$"
)
SENTENCE_END = tuple("。；;！!？?：:”」）)")


def strip_artefacts(line: str) -> str:
    line = BOOKMARK.sub("", line).replace("\f", "")
    return "" if PAGE_NOISE.match(line) else line.strip().strip("\u3000").strip()


def clean_lines(text: str) -> list[str]:
    """Paragraphs of the plan: artefacts removed, blank lines dropped, broken sentences joined back."""
    lines = [strip_artefacts(raw) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = text_tables(
        lines
    )  # a table typed into a text plan: one sentence per row, as the other readers give
    paras: list[str] = []
    for line in lines:
        if not line:
            continue
        if paras and _continues(paras[-1], line):
            paras[-1] = paras[-1] + line
        else:
            paras.append(line)
    return paras


DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
TITLE_END = ("方案", "措施", "通知", "意见", "办法", "规定", "征求意见稿）", "征求意见稿)")


def _continues(prev: str, line: str) -> bool:
    """True when `line` is the rest of `prev`, cut by extraction (prev ends mid-sentence, line starts no item)."""
    if prev.endswith(SENTENCE_END) or is_heading_line(prev) or match_marker(line):
        return False
    if CAPTION.match(prev) or CAPTION.match(line):
        return False  # 表1 育儿补贴标准: a table's caption is a line of its own
    # Front-matter lines (dates, a finished title, signatures) stand alone; anything else unfinished continues.
    return not (DATE_LINE.match(prev) or DATE_LINE.match(line) or prev.endswith(TITLE_END))


def parse(text: str) -> list[Clause]:
    """Clauses of a plain-text plan, cleaned first (the layouts parse clean lines; cleaning needs their markers)."""
    return parse_document(clean_lines(text)).clauses
