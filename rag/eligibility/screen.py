"""The screen: a family's situation in, every benefit of its plan that may apply out (我能享受什么).

An item is 符合 only when the plan grants it (规定), states its figure, and every condition the clause states (and
those every plan takes for granted: a birth, a job for a leave) is met by the family's answers; an unknown answer,
an unread condition word, an encouraged benefit or a mention without a figure make it 可能符合 with what to check; a
condition the family clearly fails removes it (no 不符合 verdicts). Figures are copied from the clause and checked
against it; totals are never computed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..answers.common import lead_lines, scope_lines
from ..benefits import claims as C
from ..errors import InputError
from ..question.regions import resolve_region
from . import messages as M
from .conditions import data, question, settle
from .family import Family
from .rules import Rule, rules_for

MET, MAYBE = "符合", "可能符合"


@dataclass(frozen=True)
class Citation:
    clause_id: str
    document: str  # the plan's title
    text: str  # the clause's verbatim text
    sentence: str = ""  # the verbatim sentence of the clause the item is read from


@dataclass(frozen=True)
class Item:
    benefit: str
    summary: str  # one line, the figure verbatim from the clause
    figure: str  # "" when the plan states none
    status: str  # 符合 / 可能符合
    to_check: tuple[str, ...]
    conditions: tuple[str, ...]  # the clause's condition words, quoted
    citation: Citation


@dataclass(frozen=True)
class Screening:
    region: str  # slug
    region_name: str
    items: tuple[Item, ...]
    questions: tuple[str, ...]  # what would settle the 可能符合 items
    notes: tuple[str, ...]  # the draft note, the scope note(s), the reading note
    message: str = ""  # one sentence when no item applies

    def to_dict(self) -> dict:
        return asdict(self)


def place(asst, name: str) -> tuple[str, tuple[str, ...]]:
    """(the plan's slug, scope notes) of a place name: a region, an alias or any place the detector places in a
    covered region (清镇 → 贵州省, with the scope note); InputError naming the covered regions otherwise."""
    slug = resolve_region(asst.docs, name)
    if slug:
        return slug, ()
    q = asst.questions.build(name)
    if not q.regions:
        covered = "、".join(d.name for d in asst.docs.values())
        raise InputError(M.UNKNOWN_PLACE.format(covered=covered))
    slug = q.regions[0]
    return slug, (*lead_lines(q.scope, asst.docs, [slug]), *scope_lines(q.scope, asst.docs, [slug]))


def screen(asst, family: Family) -> Screening:
    """Every benefit of the family's plan that may apply, 符合 first."""
    slug, scope = place(asst, family.region)
    doc = asst.docs[slug]
    texts = {c.id: c.text for c in asst.index.chunks if c.slug == slug}
    months = int(data()["screen"].get("birth_months", 12))
    items, asks = [], []
    for rule in rules_for(asst.index, asst.lexicon, slug):
        item = _item(rule, family, months, doc.title, texts.get(rule.clause_id, ""), asks)
        if item is not None:
            items.append(item)
    items.sort(key=lambda i: i.status != MET)
    notes = ((M.DRAFT.format(region=doc.name),) if doc.is_draft else ()) + scope + (M.SCOPE,)
    message = "" if items else M.NOTHING.format(region=doc.name)
    return Screening(slug, doc.name, tuple(items), tuple(dict.fromkeys(asks)), notes, message)


def _item(rule: Rule, f: Family, months: int, title: str, clause: str, asks: list) -> Item | None:
    answers = [(c, settle(c, f, months)) for c in rule.conditions]
    if any(a is False for _, a in answers):
        return None  # the family clearly fails a condition the plan states: not listed
    unknown = [c for c, a in answers if a is None]
    if rule.figure and rule.figure not in clause:
        return None  # grounding: a figure not verbatim in its clause is never shown
    to_check = [question(c.kind) for c in unknown if question(c.kind)]
    to_check += [M.CHECK_CONDITION.format(text=u) for u in rule.unread]
    kind = M.UNIT_KIND.get(rule.unit, "标准")
    if rule.modality in (C.ENCOURAGED, C.EXPLORING):
        template = M.ENCOURAGED if rule.modality == C.ENCOURAGED else M.EXPLORING
        summary = template.format(what=rule.part.removeprefix("鼓励"))
        to_check.append(M.CHECK_MODALITY)
    elif not rule.figure:
        summary = M.NO_FIGURE.format(what=rule.part, kind=kind)
        to_check.append(M.CHECK_NO_FIGURE.format(kind=kind))
    else:
        summary = rule.part
        if rule.modality != C.PRESCRIBED:
            to_check.append(M.CHECK_MODALITY)
    asks += [question(c.kind) for c in unknown if question(c.kind)]
    return Item(
        benefit=rule.benefit,
        summary=summary,
        figure=rule.figure,
        status=MAYBE if to_check else MET,
        to_check=tuple(dict.fromkeys(to_check)),
        conditions=tuple(dict.fromkeys(c.text for c in rule.conditions if c.text)),
        citation=Citation(clause_id=rule.clause_id, document=title, text=clause, sentence=rule.sentence),
    )
