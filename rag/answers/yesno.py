"""Yes/no answers (有没有 / …吗 / 能不能 / 可以…吗 / 是否): open with the verdict, then the fact and its citation.

有 / 可以 when a relevant clause of the region states the thing; 不可以 when that clause forbids it (不得 / 禁止 …);
方案中没有提到… when no clause does, and only then the nearest related measure, labelled as related.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import messages as M
from ..models import Answer, Hit
from ..question.record import _toml
from . import ages, aspects, fact, verdict
from .common import Context, basis, cite, finish_answer, next_step
from .extract import DIGIT, finish


@lru_cache(maxsize=1)
def _requires() -> tuple[tuple[str, re.Pattern, re.Pattern], ...]:
    rule = next(r for r in _toml("kinds.toml")["kind"] if r["name"] == "yesno")
    return tuple((name, re.compile(a), re.compile(b)) for name, a, b in rule.get("requires", ()))


def unsupported(ctx: Context, ex) -> str | None:
    """What the question asks to be done (报销) when the quoted rule does not speak of it (kinds.toml
    `requires`), else None."""
    text = "".join(ex.sentences)
    for name, asked, needs in _requires():
        if asked.search(ctx.q.topic) and not needs.search(text):
            return name
    return None


@lru_cache(maxsize=1)
def _negations() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    rule = next(r for r in _toml("kinds.toml")["kind"] if r["name"] == "yesno")
    return re.compile(rule["forbids"]), re.compile(rule["abolishes"]), re.compile(rule["asks_loss"])


# 有没有规定产假多少天: whether a figure is set is what is asked, and 没有 answers it
_ASKS_IF_SET = re.compile(
    r"(有没有|有无|是否|是不是|有)(具体)?(规定|明确|写|定)|(规定|明确|写|定)(了)?(具体)?(多少|几)"
)


def opening(ctx: Context, ex) -> str:
    """The verdict word: none when a number was asked for and none is given (能休陪产假吗，几天 over 严格落实…
    男方护理假: the leave is granted, only its days are not stated — "没有" would deny the leave), 不可以 / 没有 when
    the clause forbids / abolishes it, else 可以 / 有."""
    text = "".join(ex.sentences)
    forbids, abolishes, loss = _negations()
    if loss.search(ctx.q.topic):
        return ""  # 休产假扣工资吗 over …工资照发: "有" would say the pay is docked
    if aspects.ungranted(ctx.q.topic, text):
        return ""  # 育儿假工资照发吗 over the days alone: the leave is granted, its pay is not said
    if ages.outside(ctx.q.topic, text) or aspects.restricted(ctx.q.topic, text):
        return ""  # 孩子4岁了还能休吗 over 3周岁以下: the age limit is said instead (common.finish_answer)
    if ctx.q.asks_quantity and not ex.has_number:
        return M.NO if _ASKS_IF_SET.search(ctx.q.topic) else ""
    if ctx.q.can:
        return M.CANNOT if forbids.search(text) else M.CAN
    return M.NO if abolishes.search(text) else M.YES


def misused(ctx: Context):
    """(benefit, situation word, benefit meant instead) when the question asks a benefit for a situation the
    lexicon says it does not cover (benefits.toml `misuse`), else None."""
    for b in ctx.benefits():
        found = b.misused(ctx.q.topic)
        if found:
            return (b, *found)
    return None


def _instead_line(ctx: Context, slug: str, key: str, n: int):
    """(line, hit, sentence) of the benefit meant instead, read from the benefits table; None when the plan does
    not cover it."""
    found = ctx.table_sentence(slug, key)
    if found is None:
        return None
    hit, sentence = found
    hit = Hit(hit.chunk, 0.0, rank=n)
    return M.MISUSED_INSTEAD.format(benefit=key, fact=finish(sentence), n=n), hit, sentence


def _related_line(ctx: Context, slug: str):
    """(line, hit, sentence) of the rule of the benefit the lexicon names as related to the one asked
    (benefits.toml `related`), labelled as related; None when there is none or the plan does not cover it."""
    benefits = ctx.benefits()
    key = benefits[0].related if benefits else ""
    found = _instead_line(ctx, slug, key, 1)
    if found is None:
        return None
    _, hit, sentence = found
    return f"{M.RELATED.format(fact=finish(sentence))} [1]", hit, sentence


def compose_misused(ctx: Context, slug: str, trap) -> Answer | None:
    """Sense trap: 没有, the benefit's own rule (who it is for), then the rule of the benefit meant instead."""
    benefit, situation, instead = trap
    ev, doc = ctx.evidence(slug), ctx.docs[slug]
    if ev.ex is None:
        return None
    hit = cite(ev.ex, 1)
    other = _instead_line(ctx, slug, instead, 2)
    # the benefit meant instead is named in the verdict itself: a citizen reading one line learns where to look
    said = M.MISUSED_FOR if other is not None else M.MISUSED
    lines = [
        f"{said.format(benefit=benefit.key, situation=situation, instead=instead)}{doc.name}：{ctx.fact(ev.ex)}"
    ]
    lines.append(basis(doc, hit))
    cites, highlights = [hit], {hit.chunk.id: ev.ex.sentences}
    if other is not None:
        line, ohit, sentence = other
        lines += [line, basis(doc, ohit)]
        cites.append(ohit)
        highlights.setdefault(ohit.chunk.id, (sentence,))
    return finish_answer(ctx, "\n".join(lines), cites, [slug], highlights, ctx.q.kind)


def compose(ctx: Context, slug: str) -> Answer:
    trap = misused(ctx)
    if trap is not None:
        ans = compose_misused(ctx, slug, trap)
        if ans is not None:
            return ans
    ev, doc = ctx.evidence(slug), ctx.docs[slug]
    missing = unsupported(ctx, ev.ex) if ev.ex is not None else None
    if missing:
        # the rule names the thing but not what is asked of it: not a yes, the rule shown as related
        hit = cite(ev.ex, 1)
        lead = M.NOT_MENTIONED.format(thing=ctx.thing() + missing)
        text = f"{lead}{M.RELATED.format(fact=ctx.fact(ev.ex))} [1]\n{basis(doc, hit)}"
        return finish_answer(ctx, text, [hit], [slug], {hit.chunk.id: ev.ex.sentences}, ctx.q.kind)
    if ev.ex is not None:
        return from_claims(ctx, slug, ev.ex)
    related, near = _related_line(ctx, slug), ev.near
    if related is not None:
        line, hit, sentence = related
        text = f"{_silent_lead(ctx, slug, sentence)}{line}\n{basis(doc, hit)}\n{next_step(doc)}"
        return finish_answer(ctx, text, [hit], [slug], {hit.chunk.id: (sentence,)}, ctx.q.kind)
    if not ctx.shows_near(near):
        text = finish_answer(ctx, _silent_lead(ctx, slug, ""), [], [slug], {}, ctx.q.kind).answer
        return Answer(
            question=ctx.q.raw, answer=text, refused=True, region=slug, regions=[slug], kind=ctx.q.kind
        )
    hit, fact = cite(near, 1), ctx.fact(near)
    text = f"{_silent_lead(ctx, slug, fact)}{M.RELATED.format(fact=fact)} [1]\n{basis(doc, hit)}"
    return finish_answer(ctx, text, [hit], [slug], {hit.chunk.id: near.sentences}, ctx.q.kind)


def _silent_lead(ctx: Context, slug: str, shown: str) -> str:
    """ "Not mentioned", or "mentioned, but not this case" when the plan names every benefit asked (in a heading:
    组织实施三孩生育政策). What it names is said in the plan's own word, the one in the clause shown when it has
    one (购房 beside 差异化购房优惠), never the asker's (多买一套房), which the plan may not contain."""
    plan = verdict.plan_text(ctx, slug)
    named = []
    for b in ctx.benefits():
        words = [w for w in (b.key, *b.wordings) if w in plan]
        named.append(next((w for w in words if w in shown), words[0] if words else ""))
    if named and all(named) and len(named) == len(ctx.q.benefits):
        return M.NOT_ANSWERED.format(thing="、".join(dict.fromkeys(named)))
    return M.NOT_MENTIONED.format(thing=ctx.thing())


_UNITS = {"天数": ("天", "日", "周", "个月"), "金额": ("元",), "比例": ("%", "个百分点")}


def _states_what(claim, what: str) -> bool:
    """The claim states a figure of the kind asked (鼓励…给予不超过15天 for 几天), not any number (年满35周岁 is no
    sum of money)."""
    units = _UNITS.get(what)
    if units is None:
        return bool(DIGIT.search(claim.sentence))
    return any(v.endswith(units) for v in claim.values)


def from_claims(ctx: Context, slug: str, ex) -> Answer:
    """The answer over the region's best clause, its opening decided by the clause's claims (verdict.decide)."""
    doc, hit = ctx.docs[slug], cite(ex, 1)
    v = verdict.decide(ctx, ex)
    highlights = {hit.chunk.id: ex.sentences}
    if v.kind == verdict.MISSING_BENEFIT:
        lead = M.NOT_MENTIONED.format(thing=v.missing)
        text = f"{lead}{M.RELATED.format(fact=ctx.fact(ex))} [1]\n{basis(doc, hit)}\n{next_step(doc)}"
    elif v.kind in (verdict.ENCOURAGE, verdict.EXPLORE):
        claim = v.lead_claim
        template = M.ENCOURAGED if v.kind == verdict.ENCOURAGE else M.EXPLORING
        if v.kind == verdict.ENCOURAGE and ctx.q.asks_quantity and _states_what(claim, ctx.what()):
            template = M.ENCOURAGED_FIGURE  # 鼓励…给予不超过15天: the figure is stated, only not required
        what = M.NO_NUMBER_WHAT.get(ctx.what(), "标准")
        lead = template.format(region=doc.name, part=finish(claim.sentence).rstrip("。"), what=what)
        text = f"{lead} [1]\n{basis(doc, hit)}"
        highlights = {hit.chunk.id: [claim.sentence]}
    elif v.kind == verdict.UNSETTLED and not aspects.unstated(ctx.q.topic, "".join(ex.sentences)):
        note = M.UNSETTLED_NOTE.format(asked=v.missing)
        text = f"{ctx.place_limit(ex)}{doc.name}：{ctx.fact(ex)}\n{basis(doc, hit)}\n{note}{next_step(doc)}"
    elif v.kind == verdict.MENTION or aspects.unstated(ctx.q.topic, "".join(ex.sentences)):
        # no verdict when the clause does not speak of what is asked of it (去哪申请 / 外地户口): the aspect
        # sentence follows (common.finish_answer)
        text = f"{ctx.place_limit(ex)}{doc.name}：{ctx.fact(ex)}\n{basis(doc, hit)}"
    else:
        opened = ctx.place_limit(ex) or opening(ctx, ex)
        text = f"{opened}{doc.name}：{ctx.fact(ex)}\n{basis(doc, hit)}"
    return finish_answer(ctx, text, [hit], [slug], highlights, ctx.q.kind)


def compose_many(ctx: Context, slugs: list[str]) -> Answer:
    """Several regions: one verdict when they agree, else the per-region facts (each line opens with its verdict)."""
    found = {s: ctx.evidence(s).ex for s in slugs}
    if all(ex is None for ex in found.values()):
        return compose(ctx, slugs[0]) if len(slugs) == 1 else _none(ctx, slugs)
    ans = fact.multi(ctx, slugs)
    if all(ex is not None for ex in found.values()):
        verdicts = {
            opening(ctx, ex) if verdict.decide(ctx, ex).kind == verdict.GRANT else "" for ex in found.values()
        }
        if len(verdicts) == 1 and "" not in verdicts:
            ans.answer = verdicts.pop() + ans.answer
    return ans


def _none(ctx: Context, slugs: list[str]) -> Answer:
    text = M.NOT_MENTIONED.format(thing=ctx.thing())
    return Answer(
        question=ctx.q.raw, answer=text, refused=True, region=None, regions=list(slugs), kind=ctx.q.kind
    )
