"""A benefit the question names (or carries over from the dialogue) that the region's plan never speaks of.

This is an answer, not a refusal: "贵州省的方案中没有提到婚假" is what the plan says, and a citizen who is told
"no relevant content" reads it as a failure of the assistant rather than as a fact about the plan. The nearest
clause follows only when it shares a word with the question, labelled as related; the next step names who to ask.
"""

from __future__ import annotations

from .. import messages as M
from ..models import Answer
from .common import Context, basis, cite, clause_benefits, finish_answer, next_step
from .extract import DIGIT
from .meta import document_hit


def never_named(ctx: Context, slug: str) -> bool:
    """The lexicon reads the main benefit asked in no clause of the region's plan: only then is "…的方案中没有提到…"
    true. A plan that names it in a clause the retrieval did not rank keeps the plain no-clause reply. The reading is
    the lexicon's, sense traps included (the 补贴 of 住院护理补贴保险 is no 生育补贴)."""
    if ctx.lexicon is None or not ctx.q.benefits:
        return False
    key = ctx.q.benefits[0]
    for chunk in ctx.index.chunks:
        if chunk.slug == slug and any(
            key in keys for keys in clause_benefits(ctx.lexicon, chunk.text).values()
        ):
            return False
    return True


def compose(ctx: Context, slug: str) -> Answer:
    doc, near = ctx.docs[slug], ctx.evidence(slug).near
    lead = M.NO_RULE.format(region=doc.name, thing=ctx.thing())
    if not ctx.shows_near(near) or DIGIT.search("".join(near.sentences)):
        # a nearby clause with a figure (育儿假10天 under 延长产假) would read as the answer: not shown
        # the claim is about the whole document: the document is what it cites
        hit = document_hit(doc, 1)
        text = f"{lead}\n{M.SILENT_BASIS.format(title=doc.title)}\n{next_step(doc)}"
        return finish_answer(ctx, text, [hit], [slug], {}, ctx.q.kind)
    hit = cite(near, 1)
    text = f"{lead}{M.RELATED.format(fact=ctx.fact(near))} [1]\n{basis(doc, hit)}\n{next_step(doc)}"
    return finish_answer(ctx, text, [hit], [slug], {hit.chunk.id: near.sentences}, ctx.q.kind)
