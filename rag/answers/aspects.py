"""What a question asks *about* a rule (where to apply, which papers, which places, today's figure, a sum, 户籍)
and whether the cited clauses speak of it (rag/data/aspects.toml).

Plans state policies, not procedures: an answer that quotes the nearest clause to "去哪申请" without saying the
plan is silent on where reads as if it answered. The aspect is checked against the clauses actually cited, so a
plan that does state it (向户籍地…申请) is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..question.record import _toml


@dataclass(frozen=True, kw_only=True)
class Aspect:
    name: str
    asked: re.Pattern
    stated: re.Pattern
    says: str
    plan_wide: bool = False  # "not stated" must hold for the whole plan's sentences on the thing asked
    restricts: re.Pattern | None = None  # the rule limits itself to what the asker is not (本市户籍)
    grants: re.Pattern | None = None  # the words a verdict on this aspect needs in the quoted text (工资照发)
    beside: bool = False  # a sentence of the cited clause that states it is quoted (not said to be unstated)


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[Aspect, ...], tuple[str, ...], dict[str, str]]:
    data = _toml("aspects.toml")
    aspects = tuple(
        Aspect(
            name=a["name"],
            asked=re.compile(a["asked"]),
            stated=re.compile(a["stated"]),
            says=a["says"],
            plan_wide=bool(a.get("plan_wide", False)),
            restricts=re.compile(a["restricts"]) if a.get("restricts") else None,
            grants=re.compile(a["grants"]) if a.get("grants") else None,
            beside=bool(a.get("beside", False)),
        )
        for a in data["aspect"]
    )
    return aspects, tuple(data["acts"]), dict(data["act_names"])


def asked(topic: str) -> tuple[Aspect, ...]:
    """The aspects a question asks about (usually none)."""
    return tuple(a for a in _rules()[0] if a.asked.search(topic))


def _act(topic: str) -> str:
    """The first verb of the citizen's errand (申请 / 领取 / 备案 …), else 办理."""
    _, acts, names = _rules()
    found = [(topic.find(a), -len(a), a) for a in acts if a in topic]
    if not found:
        return "办理"
    act = min(found)[2]
    return names.get(act, act)


def plan_wide(topic: str) -> bool:
    """Whether an aspect asked must be checked against the whole plan (see unstated)."""
    return any(a.plan_wide for a in asked(topic))


def stated_beside(topic: str, quoted: str, clause_sentences: list[str]) -> list[str]:
    """The cited clause's other sentences that state an aspect the quoted ones do not (婚假15天 quoted, the same
    clause's 其他假期待遇保障均由用工单位承担 asked of by 工资谁出), for aspects marked `beside`."""
    wanted = [a for a in asked(topic) if a.beside and not a.stated.search(quoted)]
    return [s for s in clause_sentences if s not in quoted and any(a.stated.search(s) for a in wanted)]


def unstated(topic: str, cited_text: str, elsewhere: str = "") -> str:
    """What the plan does not state of what is asked, as one phrase ("到哪里、怎样申请，需要带哪些材料"), or "".
    `elsewhere`: the plan's other sentences on the thing asked; a plan-wide aspect (免费) stated there is no
    "not stated" (推行免费婚检 in another clause than the one quoted)."""
    missing = [
        a
        for a in asked(topic)
        if not a.stated.search(cited_text) and not (a.plan_wide and a.stated.search(elsewhere))
    ]
    if not missing:
        return ""
    act = _act(topic)
    return "，".join(a.says.format(act=act) for a in missing)


def restricted(topic: str, quoted: str) -> str:
    """The words by which the quoted rule limits itself to people the asker says they are not (外地户口 asked,
    本市户籍 written), or ""."""
    for a in asked(topic):
        m = a.restricts.search(quoted) if a.restricts else None
        if m:
            return m.group()
    return ""


def ungranted(topic: str, quoted: str) -> bool:
    """Whether an aspect asked needs words the quoted rule lacks before any 有/可以 (育儿假工资照发吗 over a clause
    that grants the days and puts the 待遇保障 on the employer: the days are granted, the pay is not said)."""
    return any(a.grants is not None and not a.grants.search(quoted) for a in asked(topic))


def speaking(topic: str, sentences: list[str]) -> str:
    """The first of `sentences` that speaks of an asked `beside` aspect (工资照发 / 假期待遇…由用工单位承担), or "":
    it answers the question, so it leads."""
    wanted = [a.stated for a in asked(topic) if a.beside]
    return next((s for s in sentences if any(w.search(s) for w in wanted)), "")
