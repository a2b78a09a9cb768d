"""Issue 25: a three-level chain of plans written for the tests (not the seeds) — 澜海省 (第X条, txt), its city 望海市
(一、/一是, DOCX) and the city's county 临澜县 (（一）/1., HTML) — plus 望澜市, a city of the province with no plan
of its own (named only among the province's aliases, as a real province plan lists its cities)."""

from __future__ import annotations

from pathlib import Path

from _render import add_plan

CHAIN = Path(__file__).resolve().parent / "fixtures" / "plans" / "chain"
# slug: (file format, region, short name, level, title, aliases, parents)
META = {
    "lanhai": (
        "txt",
        "澜海省",
        "澜海",
        "province",
        "澜海省优化生育政策促进人口长期均衡发展实施办法",
        ["望澜市"],
        [],
    ),
    "wanghai": ("docx", "望海市", "望海", "city", "望海市支持家庭生育养育若干措施", [], ["澜海省"]),
    "linlan": ("html", "临澜县", "临澜", "county", "临澜县进一步优化生育支持措施", [], ["澜海省", "望海市"]),
}


def add_chain(seeds: Path, formats: dict[str, str] | None = None) -> None:
    """Writes the three plans into a copy of seeds/ with their documents.toml entries (no `parent` given: the
    chain is inferred from `parents` and `level`)."""
    for slug, (fmt, region, short, level, title, aliases, parents) in META.items():
        text = (CHAIN / f"{slug}.txt").read_text(encoding="utf-8")
        fmt = (formats or {}).get(slug, fmt)
        add_plan(seeds, text, fmt, slug, region, short, title, level=level, aliases=aliases, parents=parents)
