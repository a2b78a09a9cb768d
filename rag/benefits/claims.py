"""Claims: what each clause of a plan says about each benefit, and with what force.

A verdict word (有 / 可以 / 是) is only ever derived from claims: a clause that *encourages* something
(鼓励有条件的区县建立育儿补贴制度) or *announces* it (逐步建立完善家庭养育补贴制度) grants nothing a citizen can
claim, and answering 有 to it is the false verdict citizens act on. A claim is one comma part of a sentence that
names a benefit (the lexicon, read in context) or states a value; its modality is read from the words before it in
its sentence (vocabulary: rag/data/claims.toml). Clause texts are fixed, so each is read once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..config import tomllib
from ..ingest.chunker import chunk_sentences
from ..text.normalize import normalize_query

PRESCRIBED, ENCOURAGED, EXPLORING, MENTIONED = "规定", "鼓励", "探索", "不涉及"
VALUE = re.compile(r"(\d+(?:\.\d+)?)\s*(个月|万元|个百分点|天|日|周(?!岁)|元|%|个)")
PART_END = re.compile(r"(?<=[，,；;：:])")


@dataclass(frozen=True)
class Claim:
    sentence: str  # the verbatim sentence the claim is read from
    part: str  # the verbatim comma part that states it
    benefits: frozenset[str]  # lexicon keys the part names (read with the parts before it)
    modality: str  # 规定 / 鼓励 / 探索 / 不涉及
    values: tuple[str, ...]  # verbatim number + unit of the part ("10天", "3000元")

    @property
    def grants(self) -> bool:
        return self.modality == PRESCRIBED


@dataclass(frozen=True)
class _Vocab:
    encourage: re.Pattern
    explore: re.Pattern
    grant: re.Pattern
    strong: re.Pattern


@lru_cache(maxsize=1)
def data() -> dict:
    return tomllib.loads((resources.files("rag.data") / "claims.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    m = data()["modality"]
    return _Vocab(*(re.compile(m[k]) for k in ("encourage", "explore", "grant", "strong")))


def modality(parts: list[str], i: int) -> str:
    """The force of parts[i] within its sentence: the last encouraging or announcing marker up to the part's end
    decides, unless a later part before it grants on its own (各区县逐步建立…制度，市级财政…给予奖补: the 奖补 is
    规定); with no marker, 规定 when the text grants or states a value, else 不涉及."""
    v = _vocab()
    last, kind = -1, ""
    for j in range(i + 1):
        marks = [(m.start(), ENCOURAGED) for m in v.encourage.finditer(parts[j])]
        marks += [(m.start(), EXPLORING) for m in v.explore.finditer(parts[j])]
        if marks:
            last, kind = j, max(marks)[1]
    if last >= 0 and not any(_grants_anew(v, parts, k, last) for k in range(last + 1, i + 1)):
        return kind
    return PRESCRIBED if v.grant.search("".join(parts[: i + 1])) else MENTIONED


def _grants_anew(v: _Vocab, parts: list[str], k: int, last: int) -> bool:
    """parts[k] grants with a force of its own: a strong word, and not the bare continuation of the marked part
    (鼓励各级建立生育补助制度，对本市户籍…家庭给予生育补贴 says what the encouraged 制度 would give; in
    …逐步建立…制度，市级财政…，对…给予奖补 an actor of its own stands between)."""
    if not v.strong.search(parts[k]):
        return False
    return not (k == last + 1 and parts[k].lstrip().startswith("对"))


@lru_cache(maxsize=2048)
def clause_claims(lexicon, text: str) -> tuple[Claim, ...]:
    """Every claim of a clause, in text order."""
    out: list[Claim] = []
    for sent in chunk_sentences(text):
        parts = [p for p in PART_END.split(sent) if p.strip()]
        before: frozenset[str] = frozenset()
        for i, part in enumerate(parts):
            prefix = "".join(parts[:i])
            # a part continues the benefit of the parts before it up to a ；(购买房屋时，可…给予适当优惠 /
            # …住院分娩医疗费，符合医保政策范围内的部分据实结算)
            named = _named(lexicon, prefix, part) | before
            before = frozenset() if part.rstrip().endswith(("；", ";")) else named
            values = tuple(m.group(0) for m in VALUE.finditer(part))
            if named or values:
                out.append(Claim(sent, part, named, modality(parts, i), values))
    return tuple(out)


def _named(lexicon, prefix: str, part: str) -> frozenset[str]:
    if lexicon is None:
        return frozenset()
    p, n = normalize_query(prefix), normalize_query(part)
    return frozenset(m.benefit.key for m in lexicon.matches(p + n) if m.start >= len(p))


def tentative(text: str) -> bool:
    """The text encourages or announces (鼓励…, 逐步建立…, 探索…) somewhere: no measure to lead a list with."""
    v = _vocab()
    return bool(v.encourage.search(text) or v.explore.search(text))


def sentence_claims(lexicon, text: str, sentences) -> list[Claim]:
    """The claims of the given sentences of a clause."""
    wanted = set(sentences)
    return [c for c in clause_claims(lexicon, text) if c.sentence in wanted]


def about(claims, benefits) -> list[Claim]:
    """Claims naming one of `benefits`; every claim when no benefit is asked."""
    asked = set(benefits)
    return [c for c in claims if not asked or c.benefits & asked]


def force(claims) -> str:
    """One modality for what the claims say about the thing asked: 规定 when any grants it, else the strongest
    of 鼓励 / 探索, else 不涉及."""
    kinds = {c.modality for c in claims}
    for k in (PRESCRIBED, ENCOURAGED, EXPLORING):
        if k in kinds:
            return k
    return MENTIONED
