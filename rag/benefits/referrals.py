"""Referrals: a clause that hands a topic to another level of government instead of ruling on it (issue 25).

按照市级规定执行 in a county plan says the county makes no rule of its own: the answer follows it to the city's plan
and quotes the clause as the reason. 具体标准由各设区市确定 in a province plan leaves the figure to the cities: the
plan of the asker's city answers, and without one the answer says the province leaves it open. Patterns are data
(rag/data/referrals.toml), read once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..config import tomllib
from ..ingest.chunker import chunk_sentences

UP, DOWN = "up", "down"


@dataclass(frozen=True)
class Referral:
    direction: str  # up (to a higher level) / down (to the levels below)
    level: str  # city / province / upper / lower
    sentence: str  # the verbatim sentence that refers


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads((resources.files("rag.data") / "referrals.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, str, re.Pattern], ...]:
    return tuple((d, e["level"], re.compile(e["pattern"])) for d in (UP, DOWN) for e in _data().get(d, ()))


@lru_cache(maxsize=1)
def not_specific() -> frozenset[str]:
    """Words of a question that say how often or how much (每个, 每月), not what: levels are not weighed by them."""
    return frozenset(_data().get("weighing", {}).get("not_specific", ()))


def referral(sentences) -> Referral | None:
    """The first referral among `sentences` (the answering sentences of a clause, or chunk_sentences of it)."""
    for sent in sentences:
        for direction, level, rx in _patterns():
            if rx.search(sent):
                return Referral(direction=direction, level=level, sentence=sent)
    return None


def clause_referral(text: str) -> Referral | None:
    return referral(chunk_sentences(text))


def target(ref: Referral, chain_levels: list[str], here: int) -> int | None:
    """Index in the chain (most precise first) of the plan an up-referral at position `here` hands over to:
    the nearest plan above of the level it names (any level for 上级). None: no such plan is held."""
    if ref.direction != UP:
        return None
    for i in range(here + 1, len(chain_levels)):
        if ref.level == "upper" or chain_levels[i] == ref.level:
            return i
    return None
