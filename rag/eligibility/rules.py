"""Eligibility rules as data, derived from the clauses: one rule per value (tier) of the benefits table (itself
extracted at index time, rag/benefits/table.py) and per benefit a plan names without a number, with the force of
its claim (rag/benefits/claims.py) and the conditions read from the clause's own condition words.

The rules are derived deterministically from the loaded index (its table and clauses) the first time a region is
screened, then cached for the index's life: nothing new is stored in the index folder, so an index built before
this module needs no rebuild. A reviewed overrides file (rag/data/eligibility_overrides.toml) can drop a rule or
add a condition, each entry naming its clause id; `rag benefits rules --region R` prints every rule beside its
clause for a person to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from ..benefits import claims as C
from ..benefits.table import NO_NUMBER, VALUE
from ..config import tomllib
from .conditions import Condition, condition_kinds, data, read

CLAUSE, OVERRIDE = "条款", "复核"
VALUE_RE = C.VALUE
INCREASE = "增加|延长"
_PIECE = re.compile(r"(?<=[，,；;。])")
_CACHE: dict[int, tuple[object, dict[str, tuple]]] = {}  # id(index) -> (index, {slug: rules})


@dataclass(frozen=True)
class Rule:
    region: str  # slug
    benefit: str  # lexicon key
    clause_id: str
    sentence: str  # the verbatim sentence the rule is read from
    part: str  # the verbatim words that state it (with the figure, when there is one)
    figure: str  # verbatim number + unit ("60天", "300元"); "" when the plan states none
    qualifier: str  # 不少于 / 每月 …, joined by 、
    condition_text: str  # the verbatim condition words the conditions are read from
    modality: str  # 规定 / 鼓励 / 探索 / 不涉及
    unit: str  # 天数 / 金额 / 比例
    conditions: tuple[Condition, ...] = ()
    unread: tuple[str, ...] = ()  # condition words no kind recognises: the citizen checks them
    source: str = CLAUSE  # 条款 (derived) or 复核 (changed by the overrides file)


def rules_for(index, lexicon, slug: str) -> tuple[Rule, ...]:
    """The rules of one plan of a loaded index (cached for the index's life)."""
    held = _CACHE.get(id(index))
    if held is None or held[0] is not index:
        held = _CACHE[id(index)] = (index, {})
    if slug not in held[1]:
        held[1][slug] = tuple(_apply_overrides(slug, _derive(index, lexicon, slug)))
    return held[1][slug]


def screened() -> dict[str, dict]:
    """The benefits the screen considers, with the conditions every plan takes for granted."""
    return data()["screen"]["benefits"]


def _derive(index, lexicon, slug: str) -> list[Rule]:
    table = getattr(index, "benefits", None)
    if table is None or slug not in {r.slug for r in table.regions}:
        return []
    texts = {c.id: c.text for c in index.chunks if c.slug == slug}
    units = {b["key"]: b["unit"] for b in table.benefits}
    out: list[Rule] = []
    for key, implicit in screened().items():
        if key not in units:
            continue
        cell = table.get(slug, key)
        text = texts.get(cell.clause_id, "")
        if cell.status == VALUE and text:
            out += _value_rules(lexicon, cell, text, units[key], implicit)
        elif cell.status == NO_NUMBER and text:
            out += _mention_rules(lexicon, cell, text, units[key], implicit)
    return _deduplicated([_as_extension(lexicon, r) for r in out])


def _as_extension(lexicon, r: Rule) -> Rule:
    """A figure stated as an increase (在国家规定产假基础上增加产假60天) is the extension's (延长产假), as the
    benefits table files it: the base leave is never shown with the increase's figure."""
    b = lexicon.resolve(r.benefit) if lexicon is not None and r.figure else None
    if b is None or not getattr(b, "extension", "") or not re.search(INCREASE, r.part):
        return r
    return replace(r, benefit=b.extension)


def _deduplicated(rules: list[Rule]) -> list[Rule]:
    """One rule per benefit, figure and clause; a benefit with a figure loses its mentions without one."""
    figured = {r.benefit for r in rules if r.figure}
    seen, out = set(), []
    for r in rules:
        key = (r.benefit, r.figure, r.clause_id)
        if key not in seen and (r.figure or r.benefit not in figured):
            seen.add(key)
            out.append(r)
    return out


def _same_claim(mine: list, claim) -> list:
    """The claim and the parts of its sentence that carry its force on (鼓励各级建立生育补助制度，对本市户籍…家庭
    给予生育补贴: who the encouraged system would be for is a condition of it too)."""
    if claim.modality not in (C.ENCOURAGED, C.EXPLORING):
        return [
            claim
        ]  # 除国家规定的产假外，女职工增加60天产假，配偶享受…: each granted part has its own conditions
    return [claim] + [
        c for c in mine if c is not claim and c.sentence == claim.sentence and c.modality == claim.modality
    ]


def _sentence_wide(sentence: str) -> tuple[Condition, ...]:
    """Family-level conditions (a lawful birth, the local 户籍) stated at the head of the sentence: they govern
    each of its rules, not only the one the table attaches them to."""
    parts = [p for p in C.PART_END.split(sentence or "") if p.strip()]
    wide = set(data()["screen"].get("sentence_wide", ()))
    return tuple(c for c in read(parts[0])[0] if c.kind in wide) if parts else ()


def _implicit(spec: dict) -> tuple[Condition, ...]:
    out = (Condition("birth", ""),) if spec.get("birth") else ()
    return out + ((Condition(f"leave:{spec['leave']}", ""),) if spec.get("leave") else ())


def _value_rules(lexicon, cell, text: str, unit: str, spec: dict) -> list[Rule]:
    """One rule per tier; a tier shares the conditions of its cell other than the birth order (入托普惠托位二孩
    300元、三孩380元: the 三孩 tier is for a child in a 普惠托位 too)."""
    read_all = [read(v.condition) for v in cell.values]
    shared = {c for conds, _ in read_all for c in conds if c.kind != "order"}
    shared_unread = {u for _, unread in read_all for u in unread}
    out = []
    for v, (conds, _) in zip(cell.values, read_all):
        own = [*conds, *sorted(shared, key=lambda c: c.kind), *_sentence_wide(cell.sentence)]
        own = tuple(dict.fromkeys(own)) + _implicit(spec)
        out.append(
            Rule(
                region=cell.region, benefit=cell.benefit, clause_id=cell.clause_id, sentence=cell.sentence,
                part=_part_with(cell.sentence, v.text), figure=v.text, qualifier=v.qualifier,
                condition_text=v.condition, modality=_force(lexicon, text, cell, v.text), unit=unit,
                conditions=own, unread=tuple(sorted(shared_unread)),
            )
        )  # fmt: skip
    return out


def _mention_rules(lexicon, cell, text: str, unit: str, spec: dict) -> list[Rule]:
    """A benefit the table has no number for: its claim part, read for conditions with the condition parts before it
    in its sentence, once the names of the benefits in them are taken out (严格落实产假、…、男方陪产假等制度 states
    no condition of 产假); a figure in Chinese numerals in the part (增加产假九十天) is its figure, verbatim."""
    mine = C.about(C.sentence_claims(lexicon, text, [cell.sentence]), [cell.benefit]) if cell.sentence else []
    mine = mine or C.about(C.clause_claims(lexicon, text), [cell.benefit])
    if not mine:
        return []
    claim = sorted(mine, key=lambda c: c.modality != C.force(mine))[0]
    lead = _without_benefit_names(lexicon, _lead_in(lexicon, claim))
    words = lead + "".join(_without_benefit_names(lexicon, c.part) for c in _same_claim(mine, claim))
    conds = tuple(dict.fromkeys(read(words)[0] + _sentence_wide(claim.sentence)))
    unread = read(lead)[1]  # what the part itself grants is no condition
    found = re.search(data()["figure"]["pattern"], claim.part)
    return [
        Rule(
            region=cell.region, benefit=cell.benefit, clause_id=cell.clause_id, sentence=claim.sentence,
            part=claim.part.rstrip("，,；;。"), figure=found.group(0) if found else "", qualifier="",
            condition_text=words, modality=claim.modality, unit=unit, conditions=tuple(conds) + _implicit(spec),
            unread=unread if found else (),
        )
    ]  # fmt: skip  # without a figure the item is 可能符合 already: its unread words stay out


def _lead_in(lexicon, claim) -> str:
    """The parts of the claim's sentence before it, back to a ；or a part naming another benefit: the condition
    words of a rule written over several comma parts (女职工依法生育子女的，…增加产假九十天)."""
    parts = [p for p in C.PART_END.split(claim.sentence) if p.strip()]
    if claim.part not in parts:
        return ""
    out: list[str] = []
    for p in reversed(parts[: parts.index(claim.part)]):
        named = {m.benefit.key for m in lexicon.matches(p)} if lexicon is not None else set()
        if p.rstrip().endswith(("；", ";")) or named - claim.benefits or VALUE_RE.search(p):
            break
        out.insert(0, p)
    return "".join(out)


def _without_benefit_names(lexicon, part: str) -> str:
    if lexicon is None:
        return part
    # a name that is itself a condition (生育保险) stays; one that only holds a condition word (男方陪产假) goes
    kinds = [k.pattern for k in condition_kinds()]
    names = {w for b in lexicon.benefits for w in (*b.wordings, b.key)}
    words = sorted((w for w in names if not any(p.fullmatch(w) for p in kinds)), key=len, reverse=True)
    for w in words:
        part = part.replace(w, "，")
    return part


def _part_with(sentence: str, figure: str) -> str:
    """The verbatim comma part of `sentence` stating `figure`, with the part before it when that part is short
    (给予不低于500元住院分娩补贴 needs 对按政策…分娩产妇 only as its condition, not as its summary)."""
    parts = [p for p in _PIECE.split(sentence) if p.strip()]
    for i, p in enumerate(parts):
        if figure in p:
            text = p if len(p) >= 8 or i == 0 else parts[i - 1] + p
            return _tier(text.strip().rstrip("，,；;。"), figure)
    return sentence.strip().rstrip("。")


def _tier(text: str, figure: str) -> str:
    """Of tiers joined by 、 (二孩每人每月300元、三孩每人每月380元), the one stating `figure`: a family is not
    shown a figure that is not its own."""
    tiers = text.split("、")
    mine = [t for t in tiers if figure in t]
    if len(tiers) > 1 and len(mine) == 1 and all(VALUE_RE.search(t) for t in tiers):
        return mine[0]
    return text


def _force(lexicon, text: str, cell, figure: str) -> str:
    """The modality of the claim stating `figure` in the cell's sentence; 不涉及 when no claim states it (the
    item is then 可能符合: no claim, no 符合)."""
    said = cell.sentence or text
    stating = [
        c
        for c in C.clause_claims(lexicon, text)
        if figure in c.part and (c.part.rstrip("，,；;。") in said or said in c.sentence)
    ]
    return C.force(stating) if stating else C.MENTIONED


# -- the reviewed overrides -------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def overrides() -> dict:
    raw = (resources.files("rag.data") / "eligibility_overrides.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def _apply_overrides(slug: str, rules: list[Rule]) -> list[Rule]:
    """Each [[override]] for this plan, matched by clause id, benefit and (optionally) figure: `drop = true`
    removes the rule; `add = [kinds]` adds conditions; `check = ["…"]` adds things for the citizen to check;
    `modality` corrects the force read from the sentence."""
    out = []
    for r in rules:
        for o in overrides().get("override", ()):
            if o.get("region") != slug or o.get("clause") != r.clause_id or o.get("benefit") != r.benefit:
                continue
            if o.get("figure") and o["figure"] != r.figure:
                continue
            if o.get("drop"):
                r = None
                break
            added = tuple(Condition(k, o.get("words", "")) for k in o.get("add", ()))
            r = replace(
                r,
                conditions=r.conditions + added,
                unread=r.unread + tuple(o.get("check", ())),
                modality=o.get("modality", r.modality),
                source=OVERRIDE,
            )
        if r is not None:
            out.append(r)
    return out
