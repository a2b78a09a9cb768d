"""`rag compare` and GET /api/compare: one benefit (or all main benefits) across the regions, from the benefits
table of the index. The benefit may be named in everyday words or with a typo; the lexicon resolves it.

Its sentences (the compare tab shows them to citizens) are in rag/messages.py, COMPARE_*.
"""

from __future__ import annotations

from .. import messages as M
from ..errors import InputError, RagError
from ..question.lexicon import Lexicon, load_lexicon
from .table import NO_NUMBER, NOT_COVERED, BenefitsTable, Cell

MAX_NAME = 50  # a benefit's name, not a question: anything longer is refused before it is read

STATUS_TEXT = {NOT_COVERED: M.COMPARE_NOT_COVERED, NO_NUMBER: M.COMPARE_NO_NUMBER}
KIND = {"天数": "天数", "金额": "金额", "比例": "比例"}


def resolve(table: BenefitsTable, name: str | None, lexicon: Lexicon | None = None) -> list[str]:
    """The table keys to show: all main benefits for no name, else the one `name` means and its extension, if
    any (InputError if none)."""
    if name is None:
        return table.benefit_keys
    if not isinstance(name, str) or not name.strip():
        raise InputError(M.COMPARE_EMPTY_NAME)
    if len(name) > MAX_NAME:
        raise InputError(M.COMPARE_NAME_TOO_LONG.format(n=len(name), limit=MAX_NAME))
    choices = "、".join(table.benefit_keys)
    benefit = (lexicon or load_lexicon()).resolve(name)
    if benefit is None:
        raise InputError(M.COMPARE_UNKNOWN.format(name=name.strip(), choices=choices))
    if benefit.key not in table.benefit_keys:
        raise InputError(M.COMPARE_NOT_COMPARABLE.format(key=benefit.key, choices=choices))
    # a leave's extension comes with it: 青岛 names 产假 without a number but adds 60 days to it
    return [benefit.key] + [benefit.extension] * (benefit.extension in table.benefit_keys)


def compare_dict(table: BenefitsTable, name: str | None = None, lexicon: Lexicon | None = None) -> dict:
    """The JSON of `rag compare --json` and GET /api/compare:
    {"query": name|null, "benefits": [{"benefit", "unit", "rows": [{"region", "region_name", "benefit", "status",
    "values": [{"text", "number", "unit", "qualifier", "condition", "bound"}], "clause_id", "sentence"}]}]}"""
    keys = resolve(table, name, lexicon)
    return {"query": name, "benefits": [table.row_dict(k) for k in keys]}


def status_text(cell: Cell, unit: str) -> str:
    return STATUS_TEXT.get(cell.status, "").format(kind=KIND.get(unit, "数值"))


def format_rows(table: BenefitsTable, key: str) -> list[str]:
    """Tab-separated lines: a title, a header, one row per region (value, qualifier, condition, clause id)."""
    unit = next(b["unit"] for b in table.benefits if b["key"] == key)
    lines = [f"{key}（{KIND.get(unit, unit)}）", "\t".join(M.COMPARE_HEADER)]
    for cell in table.row(key):
        name = table.region_name(cell.region)
        if cell.values:
            value = " / ".join(v.text for v in cell.values)
            qual = " / ".join(v.qualifier or "—" for v in cell.values)
            cond = " / ".join(v.condition or "—" for v in cell.values)
        else:
            value, qual, cond = status_text(cell, unit), "—", "—"
        lines.append("\t".join((name, value, qual, cond, cell.clause_id or "—")))
    return lines


def table_of(holder) -> BenefitsTable:
    """The benefits table of a loaded index, of the Assistant over it, or of a wrapper exposing that as
    `.assistant` (the LLM answerer)."""
    inner = getattr(holder, "assistant", holder)
    table = getattr(getattr(inner, "index", inner), "benefits", None)
    if table is None:
        raise RagError(M.COMPARE_NO_TABLE)
    return table
