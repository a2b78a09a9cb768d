"""A situation-first chat question (我在青岛二胎刚生，我们都上班，能享受哪些) answered with the screen's items,
saying which facts were read from the question and that the rest were taken as unknown.

Narrow by design: the question must ask for everything (能享受哪些), state a fact of the family and name no
benefit; anything else goes to the ordinary answer kinds. Vocabulary: [chat] in rag/data/eligibility.toml.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..ingest.layouts import cn_to_int
from ..models import Answer, Hit
from . import family as F
from . import messages as M
from .conditions import data
from .screen import Screening, screen

KIND = "eligibility"


@lru_cache(maxsize=1)
def _vocab() -> dict[str, re.Pattern]:
    return {k: re.compile(v) for k, v in data()["chat"].items()}


def _number(text: str) -> int | None:
    try:
        return cn_to_int(text)
    except (KeyError, ValueError):
        return None


def asks_everything(text: str) -> bool:
    v = _vocab()
    return bool(v["asks"].search(text)) and not v["not_when"].search(text)


def situation(text: str, region: str) -> tuple[F.Family, list[str]] | None:
    """(the family the question describes, the facts read, in words) or None when it describes none."""
    v = _vocab()
    facts: list[str] = []
    child = _child(text, facts)
    mother, father = _parents(text, facts)
    hukou = "yes" if v["hukou_yes"].search(text) else ("no" if v["hukou_no"].search(text) else None)
    facts += {"yes": ["本地户籍"], "no": ["非本地户籍"], None: []}[hukou]
    housing = "renting" if v["renting"].search(text) else ("buying" if v["buying"].search(text) else None)
    facts += {"renting": ["租房"], "buying": ["购房"], None: []}[housing]
    if not facts:
        return None
    fam = F.family(region, [child] if child else [], [mother, father], hukou, housing)
    return fam, facts


def _child(text: str, facts: list[str]) -> F.Child | None:
    v = _vocab()
    m = v["order"].search(text)
    order = None
    if m:
        word = next(g for g in m.groups() if g and g not in ("胎", "孩", "孩子", "宝宝", "娃"))
        order = 1 if word == "头" else _number(word)
        facts.append(f"第{order}个孩子")
    months, expected = None, False
    if v["expected"].search(text):
        expected = True
        facts.append("孩子尚未出生")
    elif v["newborn"].search(text):
        months = 0
        facts.append("孩子刚出生")
    elif v["age_months"].search(text) or v["age_years"].search(text):
        months = _age(text)
        if months is not None:
            facts.append(f"孩子{months}个月")
    if order is None and months is None and not expected:
        return None
    return F.child(1, order=order, age_months="expected" if expected else months)


def _age(text: str) -> int | None:
    v = _vocab()
    m = v["age_months"].search(text)
    n = _number(m.group("n")) if m else None
    if n is None:
        y = v["age_years"].search(text)
        n = _number(y.group("n")) * 12 if y and _number(y.group("n")) is not None else None
    return n if n is not None and 0 <= n <= F.MAX_AGE_MONTHS else None


def _parents(text: str, facts: list[str]) -> tuple[F.Parent, F.Parent]:
    v = _vocab()
    both = bool(v["both_employed"].search(text))
    mother = "employed" if both or v["mother_employed"].search(text) else None
    father = "employed" if both or v["father_employed"].search(text) else None
    mother = "not_working" if v["mother_home"].search(text) else mother
    father = "not_working" if v["father_home"].search(text) else father
    insured = "yes" if v["insured"].search(text) else None
    words = {"employed": "在单位上班", "not_working": "未就业"}
    facts += [f"妈妈{words[mother]}"] if mother else []
    facts += [f"爸爸{words[father]}"] if father else []
    facts += ["参加了生育保险"] * bool(insured)
    return F.parent("mother", mother, insured), F.parent("father", father)


def compose(asst, question: str, text: str, slug: str) -> Answer | None:
    """The screen's items as a chat answer, or None when the question describes no family."""
    found = situation(text, slug)
    if found is None:
        return None
    fam, facts = found
    s = screen(asst, fam)
    return Answer(
        question=question, answer=_text(s, facts), refused=False, region=s.region, regions=[s.region],
        citations=_hits(asst, s), highlights=_highlights(s), kind=KIND,
    )  # fmt: skip


def _text(s: Screening, facts: list[str]) -> str:
    lines = [M.ASSUMED.format(facts="、".join([s.region_name, *facts]))]
    if s.message:
        lines.append(s.message)
    for n, i in enumerate(s.items, 1):
        line = M.CLI_ITEM.format(n=n, status=i.status, name=i.benefit, summary=i.summary)
        check = f"（需核对：{'；'.join(i.to_check)}）" if i.to_check else ""
        lines.append(f"{line}{check}〔{i.citation.clause_id}〕")
    if s.questions:
        lines.append(M.CLI_QUESTIONS + "、".join(s.questions))
    return "\n".join(lines + list(s.notes))


def _hits(asst, s: Screening) -> list[Hit]:
    chunks = {c.id: c for c in asst.index.chunks}
    ids = list(dict.fromkeys(i.citation.clause_id for i in s.items if i.citation.clause_id in chunks))
    return [Hit(chunks[cid], 1.0, rank=n) for n, cid in enumerate(ids, 1)]


def _highlights(s: Screening) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for i in s.items:
        if i.citation.sentence:
            out.setdefault(i.citation.clause_id, [])
            if i.citation.sentence not in out[i.citation.clause_id]:
                out[i.citation.clause_id].append(i.citation.sentence)
    return out
