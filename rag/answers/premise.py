"""Questions that assert a figure (青岛育儿假是不是20天 / 听说青岛生孩子给3000块 / 一万块是真的吗): answered 是 / 不是
against the claims of the benefit asked, with the true figure and its clause.

A figure confirms only when a 规定 claim about the benefit asked states it: a clause that merely holds the same
number (医保支付标准统一提高到3000元) never does; it is shown as another rule, labelled so. The asserted figure is
never repeated: every number of the answer comes from the cited clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .. import messages as M
from ..benefits import claims as C
from ..models import Answer, Hit
from . import ages, verdict
from .common import Context, basis, finish_answer, next_step
from .extract import finish
from .meta import document_hit

KIND = {"天": "天数", "日": "天数", "周": "天数", "个月": "天数", "元": "金额", "万元": "金额", "块": "金额"}
KIND.update({"块钱": "金额", "万": "金额", "万块": "金额", "%": "比例", "个百分点": "比例", "年": "天数"})
SCALE = {"周": 7, "个月": 30, "年": 365, "万元": 10000, "万": 10000, "万块": 10000}
DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
POWERS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# 是不是必须给: an encouraged figure answers 不是 (a duty is asked, the plan only encourages)
_AGE = re.compile("周岁|岁以下|岁以前|岁前")
_ADDED = re.compile("增加|延长|另外|额外|另行|以外|之外|外[，,]?(女职工|男方|配偶)?(增加|再)")
_OBLIGED = re.compile("必须|一定要|一定得|强制|硬性|非给不可|都得给|都要给")
_BEFORE_FIGURE = 8  # characters before an asserted figure read as what it is put on (能报销80%)
PART_SHOWN = 12  # a claim's comma part this long reads alone; a shorter one is shown with its sentence
DEPTH = 6  # clauses of the region searched for the benefit's figure
ALL_CLAUSES = 10_000  # every clause of one plan (a plan has tens)


# words of the asking itself, not conditions: the figure's unit glued to 对吧 (15天对吧 -> 天对), the verb hoped for
_ASKING_PART = re.compile(
    r"^(个月|[天日周元块%])|^(能|可以|可|会)?(休|请|放|领|拿|享受|报)$|^(这么|这样|那样)"
)


@dataclass(frozen=True)
class Figure:
    number: float  # on one scale per kind: days, 元, %
    kind: str  # 天数 / 金额 / 比例
    # as the question writes it (十万块), quoted when unconfirmed; not part of the figure's identity
    said: str = field(default="", compare=False)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    p = C.data()["premise"]
    return re.compile(p["figure"]), re.compile(p["asserts"]), re.compile(p["bare_money"])


def chinese_number(text: str) -> float | None:
    """一万 -> 10000, 两千 -> 2000, 二十 -> 20, 十五 -> 15; Arabic digits as they are."""
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return float(text)
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in POWERS:
            p = POWERS[ch]
            if p == 10000:
                total, section = (total + section + (digit or 0)) * p, 0
            else:
                section += (1 if digit is None else digit) * p
            digit = None
        else:
            return None
    return float(total + section + (digit or 0))


@lru_cache(maxsize=1)
def _can_figure() -> re.Pattern:
    return re.compile(C.data()["premise"]["can_figure"])


def hoped(topic: str) -> Figure | None:
    """The figure a can-question hopes for (陪产假能休30天不 -> 30 days), None when it names none."""
    m = _can_figure().search(topic)
    n = chinese_number(m.group(4)) if m else None
    return None if n is None else Figure(n * SCALE.get(m.group(5), 1), KIND[m.group(5)])


def asserted(topic: str) -> Figure | None:
    """The figure a question asserts, None when it asks for one (有几天) or states none."""
    figure, asserts, bare_money = _patterns()
    if not asserts.search(topic):
        return hoped(topic)
        return None
    m = figure.search(topic)
    if m is None:
        bare = bare_money.search(topic)
        return Figure(float(bare.group(2)), KIND["元"], bare.group(0)) if bare else None
    n = chinese_number(m.group(1))
    unit = m.group(2)
    if n is None or unit not in KIND:
        return None
    return Figure(n * SCALE.get(unit, 1), KIND[unit], m.group(0))


def _birth_grant(ctx: Context, fig: Figure) -> str:
    """The benefit a sum asserted for having a child stands for when no benefit word is said (听说生二孩发两万 ->
    生育补贴; claims.toml [premise] birth_grant), else ""."""
    p = C.data()["premise"]
    if fig.kind != KIND["元"] or not re.search(p.get("birth_words", "(?!x)x"), ctx.q.topic):
        return ""
    return p.get("birth_grant", "")


def _beyond_added(fig: Figure, vals, part: str) -> bool:
    """The rule adds days to a total it does not state (在国家规定的产假外增加60天) and the figure asserted is more
    than the days added: it may be the total."""
    return bool(_ADDED.search(part)) and any(v.kind == fig.kind and fig.number > v.number for v in vals if v)


def _quoted(fig: Figure) -> str:
    """The asserted figure quoted for "无法证实…这个说法" (“十万块”), or nothing when it was not kept."""
    return f"“{fig.said}”" if fig.said else ""


def _value(text: str) -> Figure | None:
    m = C.VALUE.fullmatch(text)
    unit = m.group(2) if m else ""
    if not m or unit not in KIND:
        return None
    return Figure(float(m.group(1)) * SCALE.get(unit, 1), KIND[unit])


def _claims(ctx: Context, slug: str, kind: str):
    """(hit, claim) about the benefits asked, with a value of the asserted kind, best clause first."""
    hits = ctx.ranked(slug, DEPTH)
    ev = ctx.evidence(slug)
    if ev.ex is not None:
        hits = [ev.ex.hit, *[h for h in hits if h.chunk.id != ev.ex.hit.chunk.id]]
    out = []
    for h in hits:
        for c in C.about(C.clause_claims(ctx.lexicon, h.chunk.text), ctx.q.benefits):
            vals = [f for f in map(_value, c.values) if f is not None and f.kind == kind]
            if vals and ctx.q.benefits:
                out.append((h, c, vals))
    return out


@lru_cache(maxsize=1)
def _refers() -> re.Pattern:
    return re.compile(C.data()["premise"]["refers"])


def _same_number(ctx: Context, slug: str, fig: Figure):
    """(hit, sentence) of a clause of the region holding the asserted figure for something else: the best ranked
    first, then any clause of the plan (贵州方案里那个60%: the 60% stands in a clause a 报销 question ranks low)."""
    hits = ctx.ranked(slug, DEPTH)
    deep = _refers().search(ctx.q.topic) is not None
    for h in hits + (ctx.ranked(slug, ALL_CLAUSES)[DEPTH:] if deep else []):
        for c in C.clause_claims(ctx.lexicon, h.chunk.text):
            if any(f == fig for f in map(_value, c.values)):
                return h, c.sentence
    return None


def _second(doc, answer: tuple[list, list, dict], hit: Hit, line: str, sentence: str) -> None:
    """Adds a second rule under the first line of `answer` (lines, cites, marks), cited [2] or, from the same
    clause, [1]."""
    lines, cites, marks = answer
    first = cites[0]
    same = hit.chunk.id == first.chunk.id
    near = first if same else Hit(hit.chunk, hit.score, rank=2)
    lines.insert(1, f"{line} [{near.rank}]")
    if not same:
        lines.append(basis(doc, near))
        cites.append(near)
    marks.setdefault(near.chunk.id, []).append(sentence)


def _lead(ctx: Context, holds: bool, sentence: str) -> tuple[str, str]:
    """(opening template, what of the question the rule does not settle). 是 needs the figure AND the rest of the
    question (婚假15天是不是只有第一次结婚才有: the 15 days hold, 第一次 is nowhere): short of that, what the plan
    states, with the unsettled words named. A can-question (能休30天不) opens 可以, or with what the plan states."""
    lead = M.PREMISE_TRUE if holds else M.PREMISE_FALSE
    unsaid = ""
    if holds:
        _, missing = verdict.unsettled(ctx, sentence, sentence)
        unsaid = verdict.phrase(ctx.q.topic, [w for w in missing if not _ASKING_PART.search(w)])
        lead = M.PREMISE_STATES if unsaid else lead
    if not _patterns()[1].search(ctx.q.topic):
        lead = M.PREMISE_CAN if lead is M.PREMISE_TRUE else M.PREMISE_STATES
    return lead, unsaid


def _figure_not_granted(ctx: Context, doc, fact: str, sentence: str) -> str:
    """不是, where the figure stands, and the grant the question puts the figure on that the rule does not say (能报销
    80% over 产前筛查率提高到80%); "" when the rule says it or the question names no grant (the plain lead stands)."""
    figures = list(_patterns()[0].finditer(ctx.q.topic))
    if not figures:
        return ""
    at = figures[-1].start()
    segment = re.split(r"是不是|是否|是|，|,|说", ctx.q.topic[max(0, at - _BEFORE_FIGURE) : at])[-1]
    put_on = re.compile(C.data()["premise"]["put_on"])
    unsaid = [w for w in verdict.unsaid_words(ctx, segment, sentence) if put_on.search(w)]
    if not unsaid:
        return ""
    return M.PREMISE_FIGURE_NOT_GRANTED.format(
        region=doc.name, fact=fact.rstrip("。"), asked="、".join(unsaid)
    )


def _pairs(ctx: Context) -> list[tuple[str, Figure]]:
    """(benefit, figure) as the question pairs them (男的护理假180天 女的产假25天): each figure with the benefit
    named last before it."""
    if ctx.lexicon is None:
        return []
    topic, (figure, _, _) = ctx.q.topic, _patterns()
    named = ctx.lexicon.matches(topic)
    out = []
    for m in figure.finditer(topic):
        before = [b for b in named if b.end <= m.start()]
        n, unit = chinese_number(m.group(1)), m.group(2)
        if before and n is not None and unit in KIND:
            out.append((before[-1].benefit.key, Figure(n * SCALE.get(unit, 1), KIND[unit])))
    return out


def _pair_check(ctx: Context, slug: str):
    """(every pair holds, hit, claim) when the question asserts two or more (benefit, figure) pairs (男的护理假180天
    女的产假25天): the claim shown is the first one that contradicts its pair, else the last one confirming; None
    when fewer than two pairs, or a benefit has no granted figure of the kind."""
    pairs = _pairs(ctx)
    if len(pairs) < 2:
        return None
    last = None
    for key, fig in pairs:
        stated = []
        for h in ctx.ranked(slug, DEPTH):
            for c in C.about(C.clause_claims(ctx.lexicon, h.chunk.text), (key,)):
                vals = [f for f in map(_value, c.values) if f is not None and f.kind == fig.kind]
                if vals and c.grants:
                    stated.append((h, c, vals))
        if not stated:
            return None
        right = [x for x in stated if fig in x[2]]
        if not right:
            return False, stated[0][0], stated[0][1]
        last = right[0]
    return True, last[0], last[1]


def _pairs_answer(ctx: Context, slug: str, found) -> Answer:
    holds, hit, claim = found
    doc, cited = ctx.docs[slug], Hit(hit.chunk, hit.score, rank=1)
    if holds:
        line = M.PREMISE_TRUE.format(region=doc.name, fact=finish(claim.sentence))
    else:
        line = M.PREMISE_FALSE.format(region=doc.name, fact=finish(claim.sentence), about="")
    lines = [f"{line} [1]", basis(doc, cited)]
    return finish_answer(
        ctx, "\n".join(lines), [cited], [slug], {cited.chunk.id: [claim.sentence]}, ctx.q.kind
    )


def compose(ctx: Context, slug: str) -> Answer | None:
    """None when the question asserts no figure (the other composers answer it)."""
    fig = asserted(ctx.q.topic)
    if fig is None:
        return None
    paired = _pair_check(ctx, slug) if _patterns()[1].search(ctx.q.topic) else None
    if (
        paired is not None
    ):  # 男的护理假180天 女的产假25天 是这么规定的不: each figure checked with its own benefit
        return _pairs_answer(ctx, slug, paired)
    found = _claims(ctx, slug, fig.kind)
    return _stated(ctx, slug, fig, found) if found else _unstated(ctx, slug, fig)


def _stated(ctx: Context, slug: str, fig: Figure, found) -> Answer:
    """是 / 不是 / what the rule states, against the claim of the benefit that states a figure of the kind."""
    doc = ctx.docs[slug]
    hit, claim, vals = next(((h, c, v) for h, c, v in found if fig in v), found[0])
    cited = Hit(hit.chunk, hit.score, rank=1)
    # 育儿假是娃6岁以前…10天对吧 over 3周岁以下…10天: the figure holds, the age the question puts on it does not
    past_age = ages.outside(ctx.q.topic, claim.sentence)
    lead, unsaid = _lead(ctx, fig in vals and claim.grants and not past_age, claim.sentence)
    # the part alone, unless it drops the age limit the sentence sets for the child's age asked (在子女3周岁前，…每人每年各享受…20天)
    dropped_age = _AGE.search(claim.sentence) and not _AGE.search(claim.part) and ages.asked_age(ctx.q.topic)
    short = len(claim.part) >= PART_SHOWN and not dropped_age
    fact = finish(claim.part if short else claim.sentence)
    about = f"对{ctx.q.benefits[0]}" if ctx.q.benefits else ""  # 不是。…的方案对育儿假规定的是：…10天假期
    first = lead.format(region=doc.name, fact=fact, about=about)
    put_on = _figure_not_granted(ctx, doc, fact, claim.sentence) if fig in vals else ""
    encouraged_duty = claim.modality == C.ENCOURAGED and _OBLIGED.search(ctx.q.topic)
    if put_on:  # 能报销80% over 产前筛查率提高到80% / 能补贴20% over 按20%的税率: the figure is not that
        first = put_on
    elif fig in vals and not claim.grants and not encouraged_duty:
        # the figure stands in a target or an encouragement (产前筛查率提高到80%): never 不是 for a true figure
        first = M.PREMISE_STATES.format(region=doc.name, fact=fact, about=about)
    elif lead is M.PREMISE_FALSE and _beyond_added(fig, vals, claim.part):
        # 产假是不是158天 over 国家规定的产假外增加60天: the total is the national days plus 60, which the plan
        # does not state, so the 158 may well be right: never 不是
        first = M.PREMISE_ADDED.format(region=doc.name, fact=fact, about=about)
        lead = M.PREMISE_STATES
    lines = [f"{first} [1]", basis(doc, cited)]
    if unsaid:
        lines.append(M.UNSETTLED_NOTE.format(asked=unsaid))
    cites, marks = [cited], {cited.chunk.id: [claim.sentence]}
    other = _same_number(ctx, slug, fig) if lead is M.PREMISE_FALSE else None
    if other is not None and other[1] != claim.sentence:
        # 那个15天的假是育儿假不: where the plan's 15天 does stand (陪护假), cited too
        ohit, sentence = other
        _second(
            doc, (lines, cites, marks), ohit, M.PREMISE_OTHER_RULE.format(fact=finish(sentence)), sentence
        )
    return finish_answer(ctx, "\n".join(lines), cites, [slug], marks, ctx.q.kind)


def _unstated(ctx: Context, slug: str, fig: Figure) -> Answer:
    """No claim of the kind states a figure: the figure is not confirmed, with what the plan does say beside it."""
    doc = ctx.docs[slug]
    grant = "" if ctx.q.benefits else _birth_grant(ctx, fig)
    other = _same_number(ctx, slug, fig)
    # the figure is quoted unless the next sentence says where "这个数字" does stand
    lead = M.PREMISE_UNSTATED.format(
        region=doc.name,
        thing=ctx.q.benefits[0] if ctx.q.benefits else grant,
        what=M.NO_NUMBER_WHAT.get(fig.kind, "标准"),
        said=_quoted(fig) if other is None else "",
    )
    ev = ctx.evidence(slug)
    source = _beside(ctx, slug, fig, other, grant)
    if source is None:  # nothing on it anywhere: "not stated" is about the whole plan, which it cites
        text = f"{lead}\n{M.SILENT_BASIS.format(title=doc.title)}\n{next_step(doc)}"
        return finish_answer(ctx, text, [document_hit(doc, 1)], [slug], {}, ctx.q.kind)
    hit, sentence, line, keeps_lead = source
    lead = lead if keeps_lead else ""
    cited = Hit(hit.chunk, hit.score, rank=1)
    lines, cites, marks = [f"{lead}{line} [1]", basis(doc, cited)], [cited], {cited.chunk.id: [sentence]}
    others = [
        x for x in (ev.ex.sentences if other is not None and ev.ex is not None else ()) if x != sentence
    ]
    said = others[0] if others and lead else sentence
    if said != sentence:  # what the plan does say on the question's topic, cited too
        _second(doc, (lines, cites, marks), ev.ex.hit, M.RELATED.format(fact=finish(said)), said)
    return finish_answer(ctx, "\n".join(lines), cites, [slug], marks, ctx.q.kind)


def _beside(ctx: Context, slug: str, fig: Figure, other, grant: str):
    """(hit, sentence, line, whether the "not stated" lead stays) of the rule shown beside an unconfirmed figure,
    None when there is none worth showing."""
    doc, ev = ctx.docs[slug], ctx.evidence(slug)
    if other is not None and (
        (not ctx.q.benefits and fig.kind == KIND["天"]) or _refers().search(ctx.q.topic)
    ):
        # 那个25天的假是给妈妈的吧: no leave named, so the rule holding the figure is the one asked about (a sum of
        # money with no benefit, 听说生孩子给3000块, stays unconfirmed: the 3000元 elsewhere is no birth grant)
        return other[0], other[1], M.PREMISE_FIGURE_AT.format(region=doc.name, fact=finish(other[1])), False
    if other is not None:
        return other[0], other[1], M.PREMISE_OTHER_RULE.format(fact=finish(other[1])), True
    granted = ctx.table_sentence(slug, grant) if grant else None
    if granted is not None:  # 听说生二孩发两万: what the plan says of birth grants (逐步建立…补贴制度)
        return granted[0], granted[1], M.RELATED.format(fact=finish(granted[1])), True
    if ev.ex is not None:
        return ev.ex.hit, ev.ex.sentences[0], M.RELATED.format(fact=finish(ev.ex.sentences[0])), True
    if ctx.shows_near(ev.near) and not re.search(r"\d", "".join(ev.near.sentences)):
        # 听说北京生三胎奖励十万块钱: nothing grants it, and what the plan does say on the topic (逐步建立…补贴制度) is
        # shown as related, so the citizen sees why; a clause with a figure of its own would read as the answer
        near = ev.near
        return near.hit, near.sentences[0], M.RELATED.format(fact=finish(near.sentences[0])), True
    return None
