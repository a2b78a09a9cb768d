"""Single-fact answers: one region (lead fact + basis line) or the same question for several regions."""

from __future__ import annotations

from .. import messages as M
from ..models import Answer
from . import refuse, silent, verdict
from .common import Context, basis, cite, finish_answer


def single(ctx: Context, slug: str) -> Answer:
    ev = ctx.evidence(slug)
    doc = ctx.docs[slug]
    if ev.ex is None:
        if ctx.q.inherited_region and not ctx.q.benefits:
            return refuse.off_topic(ctx.q.raw, ctx.docs)  # off-topic after a regional question
        if ctx.q.benefits and silent.never_named(ctx, slug):
            return silent.compose(ctx, slug)  # a named benefit this plan never speaks of: said, not refused
        return refuse.no_clause(ctx.q.raw, doc)
    hit = cite(ev.ex, 1)
    missing = verdict.unnamed(ctx, ev.ex.hit.chunk.text)
    if missing and (missing[0] == ctx.q.benefits[0] or verdict.asks_increase(ctx, missing[0])):
        # the main thing asked (比国家规定多出的产假) is not in the clause found (产假180天): said, clause as related
        lead = M.NOT_MENTIONED.format(thing=missing[0])
        text = f"{lead}{M.RELATED.format(fact=ctx.fact(ev.ex))} [1]\n{basis(doc, hit)}"
        return finish_answer(ctx, text, [hit], [slug], {hit.chunk.id: ev.ex.sentences}, ctx.q.kind)
    text = f"{ctx.place_limit(ev.ex)}{doc.name}：{ctx.fact(ev.ex)}\n{basis(doc, hit)}"
    return finish_answer(ctx, text, [hit], [slug], {hit.chunk.id: ev.ex.sentences}, ctx.q.kind)


def multi(ctx: Context, slugs: list[str]) -> Answer:
    cites, lines, highlights, answered = [], [], {}, []
    for slug in slugs:
        ev, doc = ctx.evidence(slug), ctx.docs[slug]
        if ev.ex is None:
            lines.append(M.REGION_NOT_FOUND.format(region=doc.name))
            continue
        hit = cite(ev.ex, len(cites) + 1)
        cites.append(hit)
        answered.append(slug)
        highlights[hit.chunk.id] = ev.ex.sentences
        draft = M.DRAFT_TAG if doc.is_draft else ""
        lines.append(f"{doc.name}{draft}：{ctx.fact(ev.ex)} [{hit.rank}]")
    if not cites:
        if ctx.q.regions and not ctx.q.inherited_region:
            # the regions were named (北京和贵州…比一比): each says it has no such rule, not "off topic"
            return Answer(
                question=ctx.q.raw,
                answer="\n".join(lines),
                refused=True,
                region=None,
                regions=list(slugs),
                kind="refuse",
            )
        return refuse.off_topic(ctx.q.raw, ctx.docs)
    head = M.MULTI_ALL if len(slugs) == len(ctx.docs) and not ctx.q.regions else M.MULTI_SOME
    ans = finish_answer(ctx, head + "\n" + "\n".join(lines), cites, answered, highlights, ctx.q.kind)
    ans.region = None
    return ans
