"""One place under several plans at once (issue 25): a county's plan, its city's and its province's, answered as
layers of one chain, most precise first — never as rival regions.

Each level is read on its own: its clause counts only when it is about the thing asked (a county's 购房补贴 is no
answer to a 租房提取 question, a rural transport subsidy none to a 产前检查 one), judged by the same words and
benefits the verdicts check (rag.answers.verdict). A level whose clause hands the topic to another level
(按照市级规定执行) is quoted as the reason and the answer goes on to that level. Every line names the level whose plan
it quotes, so no level is credited with another's rule; stacked amounts are listed county first, never summed; a
higher floor that a lower level replaces is shown after it, labelled, as context.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import messages as M
from ..benefits.referrals import DOWN, Referral, not_specific, referral, target
from ..models import Answer
from .common import SENSE_DEPTH, Context, cite, finish_answer
from .extract import Extract
from .gate import passes
from .verdict import unnamed, unsettled

NO_CLAUSE = 1000  # the miss score of a level with no clause passing the gate
SLACK = 0.15  # a level speaks when it leaves at most this share (by idf) more unsaid than the best level
BENEFIT = 10  # the miss weight of a benefit asked that a clause does not name (a word weighs 1)


@dataclass(frozen=True)
class Layer:
    slug: str
    ex: Extract | None  # the level's clause about the thing asked, None when it is silent
    miss: float  # how much of the question the clause leaves unsaid (_miss)
    ref: Referral | None = None


def _miss(ctx: Context, ex: Extract) -> float:
    """How much of the question the clause leaves unsaid: BENEFIT per benefit asked it does not name, plus the
    share (by idf) of the question's specific words it does not contain verbatim. Verbatim, because a benefit's
    surfaces settle too much here: every 补贴 clause would answer 育儿补贴, a 托位运营补贴 as well as a 育儿补贴."""
    text = ex.hit.chunk.text
    spec = [w for w in unsettled(ctx, text, "".join(ex.sentences))[0] if w not in not_specific()]
    top = max(ctx.idf.values(), default=1.0)
    weight = {w: ctx.idf.get(w, top) for w in spec}
    total = sum(weight.values()) or 1.0
    unsaid = sum(v for w, v in weight.items() if w not in text) / total
    return BENEFIT * len(unnamed(ctx, text)) + unsaid


def layer(ctx: Context, slug: str) -> Layer:
    """The level's clause that leaves least of the question unsaid, among its best clauses passing the gate. The
    sense rule is weighed, not applied: 产前检查补助 answers 产前检查有补助吗 though the lexicon reads 补助 as another
    benefit; a clause that names no benefit asked counts only when the sense rule passes it."""
    best = ctx.evidence(slug).ex
    cands = [best] if best is not None else []
    for h in ctx.ranked(slug, SENSE_DEPTH):
        if best is None or h.chunk.id != best.hit.chunk.id:
            ex = ctx.extract_from([h])
            if passes(ex, ctx.thresholds, ctx.dense(ex.hit)):
                cands.append(ex)
    scored = [(_miss(ctx, ex), i, ex) for i, ex in enumerate(cands)]
    scored = [t for t in scored if t[0] < BENEFIT or ctx.relevant(t[2])]
    if not scored:
        return Layer(slug, None, NO_CLAUSE)
    miss, _, ex = min(scored, key=lambda t: t[:2])
    return Layer(slug, ex, miss, referral(ex.sentences))


def speaking(ctx: Context, layers: list[Layer]) -> list[bool]:
    """Which levels answer: those whose clause leaves at most SLACK more of the question unsaid than the best
    level's, and that say the question's key term as the best one does (its rarest word the best clause holds:
    育儿补贴, so a province's 托位运营补贴 does not stand beside two levels' 育儿补贴)."""
    found = [x for x in layers if x.ex is not None]
    if not found:
        return [False] * len(layers)
    top = min(found, key=lambda x: x.miss)
    text = top.ex.hit.chunk.text
    spec = [
        w for w in unsettled(ctx, text, "".join(top.ex.sentences))[0] if w in text and w not in not_specific()
    ]
    key = max(spec, key=lambda w: ctx.idf.get(w, 0.0), default="")
    return [x.ex is not None and x.miss <= top.miss + SLACK and key in x.ex.hit.chunk.text for x in layers]


def is_chain(slugs: list[str], ancestors) -> bool:
    """Several plans of one chain (临澜县, 望海市, 澜海省): the first plan and every plan above it, in order."""
    return len(slugs) > 1 and slugs[1:] == list(ancestors(slugs[0]))


def compose(ctx: Context, chain: list[str]) -> Answer | None:
    """The layered answer; None when no level has a clause (the caller refuses as for several regions)."""
    layers = [layer(ctx, s) for s in chain]
    says = speaking(ctx, layers)
    if not any(says):
        return None
    levels = [ctx.docs[s].level for s in chain]
    lines, cites, highlights, answered, skip_to, ruled = [], [], {}, [], 0, False
    for i, (lay, spoke) in enumerate(zip(layers, says)):
        doc = ctx.docs[lay.slug]
        if not spoke or i < skip_to or (lay.ref is not None and lay.ref.direction == DOWN and ruled):
            if i == 0:
                lines.append(M.LAYER_SILENT.format(name=doc.name))
            continue  # silent, referred past, or leaving to the levels below what one of them has ruled
        ruled = ruled or lay.ref is None
        hit = cite(lay.ex, len(cites) + 1)
        cites.append(hit)
        answered.append(lay.slug)
        highlights[hit.chunk.id] = lay.ex.sentences
        lines.append(_line(ctx, lay, i, hit.rank, levels))
        if lay.ref is not None and lay.ref.direction != DOWN:
            to = target(lay.ref, levels, i)
            if to is None:
                lines.append(M.LAYER_NOT_HELD.format(level=_level_word(lay.ref.level)))
                break
            skip_to = to
    if len(answered) > 1:
        lines.append(M.LAYERS_NOTE.format(names="、".join(ctx.docs[s].name for s in answered)))
    ans = finish_answer(ctx, "\n".join(lines), cites, answered, highlights, ctx.q.kind)
    ans.region = chain[0]
    return ans


def _level_word(level: str) -> str:
    return M.LEVEL_WORD.get(level, "上级") if level not in ("upper", "lower") else "上级"


def _line(ctx: Context, lay: Layer, i: int, n: int, levels: list[str]) -> str:
    doc = ctx.docs[lay.slug]
    level = M.LEVEL_WORD.get(doc.level, "")
    if lay.ref is not None and lay.ref.direction == DOWN:
        return M.LAYER_REFERS_DOWN.format(name=doc.name, level=level, sentence=lay.ref.sentence, n=n)
    if lay.ref is not None:
        to = _level_word(lay.ref.level)
        return M.LAYER_REFERS_UP.format(name=doc.name, level=to, sentence=lay.ref.sentence, n=n)
    draft = M.DRAFT_TAG if doc.is_draft else ""
    if i == 0:
        return f"{doc.name}{draft}：{ctx.fact(lay.ex)} [{n}]"
    return M.LAYER_UPPER.format(name=doc.name + draft, level=level or "上级", fact=ctx.fact(lay.ex), n=n)
