"""Tables -> lines that read on their own: a subsidy table by child order becomes 二孩：每月300元。"""

from __future__ import annotations

import re

END = tuple("。；;！？!?")
NUMBER = re.compile(r"\d")


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


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(END) else text + "。"
