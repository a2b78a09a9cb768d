"""A plan's condition wording read into condition records, and each record settled by the family's facts.

Three answers, never two: met (True), failed (False), unknown (None). Unknown keeps an item as 可能符合 with the
question that would settle it; only a condition the family clearly fails removes it. The vocabulary is data
([[condition]] in rag/data/eligibility.toml), so a plan added later is read without a code change, and text no
kind recognises is kept verbatim as something for the citizen to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..config import tomllib
from ..ingest.layouts import cn_to_int
from .family import UNKNOWN, Family

_PIECE = re.compile(r"[，,、。；;：:\s]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Condition:
    kind: str  # a [[condition]] kind, or "birth" / "leave:<who>" (what every plan takes for granted)
    text: str  # the verbatim words of the clause that state it ("" for the implicit ones)
    n: int = 0  # the number it carries: the birth order, the age in years


@dataclass(frozen=True)
class _Kind:
    kind: str
    pattern: re.Pattern
    question: str


@lru_cache(maxsize=1)
def data() -> dict:
    return tomllib.loads((resources.files("rag.data") / "eligibility.toml").read_text(encoding="utf-8"))


def condition_kinds() -> tuple[_Kind, ...]:
    return _kinds()


@lru_cache(maxsize=1)
def _kinds() -> tuple[_Kind, ...]:
    return tuple(
        _Kind(c["kind"], re.compile(c["pattern"]), c.get("question", "")) for c in data()["condition"]
    )


def question(kind: str) -> str:
    """What the citizen is asked when the family's answer to `kind` is unknown."""
    if kind.startswith("leave:"):
        who = kind.split(":", 1)[1]
        kind = {"mother": "mother_employed", "father": "father"}.get(who, "parents_employed")
    if kind == "birth":
        return "孩子是否刚出生或即将出生？"
    if kind == "parents_employed":
        return "爸爸妈妈是否在单位上班（职工）？"
    return next((k.question for k in _kinds() if k.kind == kind), "")


def read(text: str) -> tuple[tuple[Condition, ...], tuple[str, ...]]:
    """(the conditions `text` states, the pieces of it no kind recognises, verbatim)."""
    found: list[Condition] = []
    rest = text
    for k in _kinds():
        for m in k.pattern.finditer(rest):
            if not m.group(0):
                continue
            found.append(Condition(k.kind, m.group(0), _number(m)))
        rest = k.pattern.sub("，", rest)
    return tuple(dict.fromkeys(found)), _leftover(rest)


def _number(m: re.Match) -> int:
    for g in ("n", "m"):
        v = m.groupdict().get(g)
        if v:
            return cn_to_int(v)
    return 0


def _leftover(rest: str) -> tuple[str, ...]:
    filler = data()["filler"]
    words = sorted(filler["words"], key=len, reverse=True)
    only_filler = re.compile(filler["pattern"])
    out = []
    for piece in _PIECE.split(rest):
        bare = piece
        for w in words:
            bare = bare.replace(w, "")
        if len(_CJK.findall(bare)) >= 2 and not only_filler.match(bare):
            out.append(piece)
    return tuple(out)


# -- settling a condition with the family's facts ---------------------------------------------------------------
def settle(c: Condition, f: Family, birth_months: int) -> bool | None:
    """True (met), False (clearly failed) or None (unknown) for the family `f`."""
    fn = _SETTLE.get(c.kind.split(":", 1)[0])
    return fn(c, f, birth_months) if fn else None


def _order(c, f, _):
    if any(k.order == c.n for k in f.children):
        return True
    if f.children and all(k.order is not None for k in f.children):
        return False
    return None


def _many(c, f, _):
    if len(f.children) >= 2 or any((k.order or 0) >= 2 for k in f.children):
        return True
    return False if len(f.children) == 1 and f.children[0].order == 1 else None


def _under(c, f, _, months=None):
    limit = months if months is not None else c.n * 12
    if any(k.age_months is not None and k.age_months < limit for k in f.children):
        return True
    if f.children and all(k.age_months is not None for k in f.children):
        return False
    return None  # expected (will qualify once born) or an unknown age


def _minor(c, f, _):
    return _under(c, f, _, months=216)


def _birth(c, f, months):
    if any(k.expected or (k.age_months is not None and k.age_months < months) for k in f.children):
        return True
    if f.children and all(k.age_months is not None for k in f.children):
        return False
    return None


def _employed(p) -> bool | None:
    if p is None or p.employment == UNKNOWN:
        return None
    if p.employment == "employed":
        return True
    return False if p.employment == "not_working" else None  # self-employed / flexible: ask, never a flat no


def _leave(c, f, _):
    who = c.kind.split(":", 1)[1] if ":" in c.kind else "parent"
    if who in ("mother", "father"):
        return _employed(f.parent(who))
    answers = [_employed(p) for p in f.parents]
    if True in answers:
        return True
    return False if answers and all(a is False for a in answers) else None


def _insured(c, f, _):
    m = f.parent("mother")
    return None if m is None or m.maternity_insurance == UNKNOWN else m.maternity_insurance == "yes"


def _policy_birth(c, f, _):
    if f.children and len(f.children) <= 3 and all((k.order or 1) <= 3 for k in f.children):
        return True
    return None


def _housing(wanted: tuple[str, ...]):
    def fn(c, f, _):
        return None if f.housing == UNKNOWN else f.housing in wanted

    return fn


def _taxpayer(c, f, _):
    return False if f.parents and all(p.employment == "not_working" for p in f.parents) else None


_SETTLE = {
    "order": _order,
    "many_children": _many,
    "under_age": _under,
    "minor": _minor,
    "birth": _birth,
    "mother_employed": lambda c, f, _: _employed(f.parent("mother")),
    "father": lambda c, f, _: _employed(f.parent("father")),
    "parents": lambda c, f, _: True,
    "leave": _leave,
    "maternity_insurance": _insured,
    "hukou": lambda c, f, _: None if f.local_hukou == UNKNOWN else f.local_hukou == "yes",
    "policy_birth": _policy_birth,
    "buying": _housing(("buying",)),
    "renting": _housing(("renting", "public_rental")),
    "taxpayer": _taxpayer,
}
