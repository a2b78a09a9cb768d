"""Word files through python-docx: body paragraphs in order (heading styles kept as their own lines) and tables,
whose rows become sentences that read on their own (二孩：每月300元。)."""

from __future__ import annotations

from pathlib import Path

from ..tables import table_lines
from .base import Extracted


def read(path: Path) -> Extracted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(str(path))
    lines: list[str] = []
    tables = 0
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, doc).text.strip()
            if text:
                lines.append(text.replace("\n", ""))
        elif tag == "tbl":
            table = Table(child, doc)
            rows = [[cell.text.strip() for cell in _unique(row.cells)] for row in table.rows]
            lines.extend(table_lines(rows))
            tables += 1
    return Extracted("\n".join(lines), "docx", tables=tables)


def _unique(cells):
    """Merged cells repeat in python-docx's row.cells; keep each once."""
    seen, out = set(), []
    for c in cells:
        if id(c._tc) not in seen:
            seen.add(id(c._tc))
            out.append(c)
    return out
