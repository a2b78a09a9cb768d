"""List answers (有哪些 / 都有啥支持 / 什么帮扶): every relevant clause of the region, one line per measure.

Which clauses: the items under the heading the best clause sits in when that heading names what was asked, else
every clause above a relevance bar. Each line leads with the clause's concrete content (amount, days, who
qualifies: the extract prefers a sentence with a number) and cites it; when more exist the answer says so.
"""

from __future__ import annotations

from .. import messages as M
from ..models import Answer
from . import fact, refuse
from .common import Context, cite, finish_answer

CANDIDATES = 12  # clauses of the region considered
MAX_LINES = 6  # lines shown; the rest are counted
BAR = 0.6  # a clause is listed when its fused score is at least this share of the best one's


def _parent(section: str) -> str:
    return section.rsplit(" > ", 1)[0] if " > " in section else ""


def gather(ctx: Context, slug: str):
    """[(extract, hit)] of the relevant clauses of one region, best first."""
    hits = ctx.ranked(slug, CANDIDATES)
    if not hits:
        return []
    top = ctx.evidence(slug).ex
    if top is None:
        return []
    heading = _parent(top.hit.chunk.section)
    under = bool(heading) and any(w in heading for w in ctx.q.words if len(w) >= 2)
    out, seen = [], set()
    for h in hits:
        if h.chunk.id in seen:
            continue
        same_heading = under and _parent(h.chunk.section) == heading
        if not same_heading and h.score < BAR * hits[0].score:
            continue
        ex = ctx.extract_from([h], max_sentences=1)
        if not same_heading and not ctx.relevant(ex):
            continue
        seen.add(h.chunk.id)
        out.append(ex)
    if top.hit.chunk.id not in seen:
        out.insert(0, top)
    return out


def compose(ctx: Context, slug: str) -> Answer:
    doc = ctx.docs[slug]
    found = gather(ctx, slug)
    if len(found) <= 1:
        return fact.single(ctx, slug)
    shown = found[:MAX_LINES]
    cites, lines, highlights = [], [M.LIST_HEAD.format(region=doc.name)], {}
    for ex in shown:
        hit = cite(ex, len(cites) + 1)
        cites.append(hit)
        highlights[hit.chunk.id] = ex.sentences
        lines.append(f"{len(cites)}. {ctx.fact(ex)} [{hit.rank}]")
    if len(found) > len(shown):
        lines.append(M.LIST_MORE.format(n=len(found) - len(shown), title=doc.title))
    return finish_answer(ctx, "\n".join(lines), cites, [slug], highlights, ctx.q.kind)


def compose_many(ctx: Context, slugs: list[str]) -> Answer:
    """A list question over several regions: each region's list in turn, citations numbered across them."""
    blocks, cites, highlights, answered = [], [], {}, []
    for slug in slugs:
        found = gather(ctx, slug)[:3]
        if not found:
            blocks.append(M.REGION_NOT_FOUND.format(region=ctx.docs[slug].name))
            continue
        answered.append(slug)
        lines = [M.LIST_HEAD.format(region=ctx.docs[slug].name)]
        for ex in found:
            hit = cite(ex, len(cites) + 1)
            cites.append(hit)
            highlights[hit.chunk.id] = ex.sentences
            lines.append(f"- {ctx.fact(ex)} [{hit.rank}]")
        blocks.append("\n".join(lines))
    if not cites:
        return refuse.off_topic(ctx.q.raw, ctx.docs)
    ans = finish_answer(ctx, "\n".join(blocks), cites, answered, highlights, ctx.q.kind)
    ans.region = None
    return ans
