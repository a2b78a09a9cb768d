"""`rag benefits` and `rag benefits rules`: the screen and its rules as lines a person reads in a terminal."""

from __future__ import annotations

from dataclasses import asdict

from . import messages as M
from .rules import rules_for
from .screen import Screening, place


def screening_lines(s: Screening) -> list[str]:
    """The items (符合 first), what to check under each, the clause each comes from, then the questions that
    would settle the 可能符合 items and the notes."""
    lines = [f"{s.region_name}：", *([s.message] if s.message else [])]
    for n, i in enumerate(s.items, 1):
        lines.append(M.CLI_ITEM.format(n=n, status=i.status, name=i.benefit, summary=i.summary))
        lines += [M.CLI_TO_CHECK.format(text=t) for t in i.to_check]
        if i.conditions:
            lines.append(M.CLI_CONDITION.format(text="；".join(i.conditions)))
        c = i.citation
        lines.append(
            M.CLI_CITE.format(doc=f"《{c.document}》", clause=c.clause_id, text=c.sentence or _short(c.text))
        )
    if s.questions:
        lines += ["", M.CLI_QUESTIONS, *(f"- {q}" for q in s.questions)]
    return lines + ["", *s.notes]


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "…"


def rule_lines(asst, region: str) -> list[str]:
    """Every rule of the region's plan beside the sentence it is read from, for a person to check."""
    slug, _ = place(asst, region)
    lines = ["\t".join(M.CLI_RULE_HEADER)]
    for r in rules_for(asst.index, asst.lexicon, slug):
        conds = "、".join(c.text or M.IMPLICIT.get(c.kind, c.kind) for c in r.conditions) + "".join(
            f"；待核对：{u}" for u in r.unread
        )
        lines.append(
            M.CLI_RULE.format(
                clause=r.clause_id, benefit=r.benefit, figure=r.figure or "—", modality=r.modality,
                conditions=conds or "—", source=r.source,
            )
        )  # fmt: skip
        lines.append(f"\t  原文：{r.sentence}")
    if len(lines) == 1:
        lines.append(M.NO_RULES.format(region=asst.docs[slug].name))
    return lines


def rules_dict(asst, region: str) -> dict:
    slug, _ = place(asst, region)
    return {"region": slug, "rules": [asdict(r) for r in rules_for(asst.index, asst.lexicon, slug)]}
