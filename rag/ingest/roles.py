"""Which clauses organise a plan's work (附则, 保障措施, 组织领导 …) rather than grant something: retrieval ranks
them below the items that grant the asked benefit. The headings are data (rag/data/sections.toml)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from ..config import tomllib


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[str, ...], float]:
    data = tomllib.loads((resources.files("rag.data") / "sections.toml").read_text(encoding="utf-8"))
    rule = data.get("boilerplate", {})
    return tuple(rule.get("headings", ())), float(rule.get("weight", 1.0))


def is_boilerplate(section: str) -> bool:
    """True when the clause's top-level heading (the first of its path) is an organisational part."""
    top = section.split(" > ", 1)[0]
    return any(word in top for word in _rules()[0])


def boilerplate_weight() -> float:
    return _rules()[1]


def section_weight(section: str) -> float:
    """The factor a clause's scores are multiplied by: the boilerplate weight for organisational parts, else 1."""
    return boilerplate_weight() if is_boilerplate(section) else 1.0
