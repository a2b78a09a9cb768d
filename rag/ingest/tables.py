"""Tables -> lines that read on their own: a subsidy table by child order becomes 二孩：每月300元。

Every reader hands its tables to table_lines (DOCX and HTML cells, PDF tables found by pdfplumber, and tables typed
into a plain-text plan with pipes or aligned columns, found by text_tables). The parser then keeps each such row as
a clause part of its own (layouts.mark_tables), so a row is retrieved and cited by itself.
"""

from __future__ import annotations

import re

END = tuple("。；;！？!?")
NUMBER = re.compile(r"\d")
PIPE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")  # | --- | --- | (Markdown)
GAP = re.compile(r"[ \t\u3000]{2,}|\t")  # aligned columns are separated by two spaces or more, or a tab
MAX_CELL = 40  # a "column" longer than this is running text with wide spacing, not a table cell


def table_lines(rows: list[list[str]]) -> list[str]:
    rows = [[c.replace("\n", "") for c in r] for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    if width == 1 or len(rows) == 1:
        return [_sentence("，".join(c for c in r if c)) for r in rows]
    header = rows[0]
    # A header row names the columns: short cells, no figures.
    has_header = len(rows) > 1 and all(len(c) <= 12 and not NUMBER.search(c) for c in header)
    body = rows[1:] if has_header else rows
    out = []
    for r in body:
        cells = [c for c in r]
        if width == 2 or not has_header:
            out.append(_sentence(f"{cells[0]}：{'，'.join(c for c in cells[1:] if c)}"))
        else:
            parts = [f"{h}{c}" for h, c in zip(header[1:], cells[1:]) if c]
            out.append(_sentence(f"{cells[0]}：{'，'.join(parts)}"))
    return out


def text_tables(lines: list[str]) -> list[str]:
    """A plain-text plan's tables (| a | b | rows, or columns aligned with spaces) replaced by their row sentences;
    every other line is kept as it is."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        rows, j = _table_at(lines, i)
        if rows:
            out.extend(table_lines(rows))
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out


def _cells(line: str) -> list[str] | None:
    m = PIPE_ROW.match(line)
    if m:
        return [c.strip() for c in m.group(1).split("|")]
    cells = [c for c in GAP.split(line.strip()) if c]
    if len(cells) >= 2 and all(len(c) <= MAX_CELL for c in cells) and not line.strip().endswith(END):
        return cells
    return None


def _table_at(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    """The rows of a table starting at line i (at least two rows of the same width), and the line after it."""
    rows: list[list[str]] = []
    pipe = bool(PIPE_ROW.match(lines[i]))
    j = i
    while j < len(lines):
        line = lines[j]
        if pipe and PIPE_RULE.match(line):
            j += 1
            continue
        cells = _cells(line)
        if cells is None or bool(PIPE_ROW.match(line)) != pipe or (rows and len(cells) != len(rows[0])):
            break
        rows.append(cells)
        j += 1
    return (rows, j) if len(rows) >= 2 else ([], i)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(END) else text + "。"
