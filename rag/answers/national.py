"""National scale (issue 16): what a question without a place gets when many plans are covered.

With more plans than `ask_region_above` (default 8; `[scale] ask_region_above` in rag.toml or the environment
variable RAG_ASK_REGION_ABOVE), answering region by region would be hundreds of paragraphs, so:
- a question without a place gets one short sentence asking for the region (the UI shows its region picker, the
  widget uses its preset region);
- "哪里…最多/最长" is answered from the benefits table (built at index time), never by scoring every clause: the
  top regions, each with its verbatim sentence and a citation. Values are ordered only within one kind and period
  (days with days, 每月 with 每月), as the comparison composer does; a tie beyond the shown regions is counted.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from .. import messages as M
from ..models import Answer, Hit
from . import compare
from .common import Context, finish_answer
from .extract import finish

DEFAULT_ASK_ABOVE = 8
TOP = 3  # regions shown for a superlative
LEAST = re.compile(r"最(短|少|低|小)")


def ask_region_above(settings) -> int:
    """How many plans may be answered one by one for a question without a place."""
    raw = os.environ.get("RAG_ASK_REGION_ABOVE") or (getattr(settings, "extra", {}) or {}).get(
        "scale", {}
    ).get("ask_region_above")
    try:
        return max(1, int(raw)) if raw not in (None, "") else DEFAULT_ASK_ABOVE
    except (TypeError, ValueError):
        return DEFAULT_ASK_ABOVE


def too_many(docs: dict, settings) -> bool:
    return len(docs) > ask_region_above(settings)


def which_region(q, docs: dict) -> Answer:
    """The short question back: which region? (kind "clarify"; under 200 characters whatever the corpus)."""
    example = next(iter(docs.values())).name if docs else ""
    topic = q.benefits[0] if q.benefits else M.WHICH_REGION_TOPIC  # a lexicon key: short, never the raw input
    text = M.WHICH_REGION.format(n=len(docs), example=example, topic=topic)
    return Answer(question=q.raw, answer=text, refused=True, region=None, kind="clarify")


def _value_kind(v) -> str:
    return compare.UNIT_KIND.get(v.unit, "")


def top_regions(ctx: Context, slugs: list[str], n: int = TOP) -> Answer:
    """哪个地方…最…: the top regions from the benefits table, each cited; the order is by the value's size within
    the most common kind and period of the values found (a 每月 subsidy is not ranked against a one-off one)."""
    key = ctx.q.benefits[0] if ctx.q.benefits else None
    least = bool(LEAST.search(ctx.q.topic))
    adj_table = M.ADJ_LEAST if least else M.ADJ_MOST
    if ctx.table is None or key not in getattr(ctx.table, "benefit_keys", ()):
        return Answer(
            question=ctx.q.raw,
            answer=M.TOP_NO_TABLE.format(adj=adj_table[""][-1]),
            refused=True,
            region=None,
            kind="clarify",
        )
    vals = [v for v in compare.values(ctx, slugs) if v.hit is not None and v.number is not None]
    vals = [v for v in vals if v.unit != "tiers"]
    what = ctx.what()
    if what:
        vals = [v for v in vals if _value_kind(v) == what]
    if vals:
        kind, period = Counter((_value_kind(v), v.period) for v in vals).most_common(1)[0][0]
        vals = [v for v in vals if _value_kind(v) == kind and v.period == period]
    if not vals:
        text = M.TOP_NONE.format(benefit=ctx.thing(), what=M.NO_NUMBER_WHAT.get(what, "标准"))
        return Answer(question=ctx.q.raw, answer=text, refused=True, region=None, kind="refuse")
    ordered = sorted(vals, key=lambda v: v.size if least else -v.size)
    shown = ordered[:n]
    tied = [v for v in ordered[n:] if v.size == shown[-1].size]
    kind = _value_kind(shown[0])
    lines = [
        M.TOP_HEAD.format(total=len(ctx.docs), benefit=ctx.thing(), adj=adj_table.get(kind, adj_table[""]))
    ]
    cites, highlights = [], {}
    for v in shown:
        doc = ctx.docs[v.region]
        hit = Hit(v.hit.chunk, v.hit.score, rank=len(cites) + 1)
        cites.append(hit)
        highlights[hit.chunk.id] = [v.sentence]
        draft = M.DRAFT_TAG if doc.is_draft else ""
        lines.append(M.COMPARE_LINE.format(region=doc.name, draft=draft, fact=finish(v.sentence), n=hit.rank))
    if tied:
        lines.append(M.TOP_TIED.format(count=len(tied), value=shown[-1].text))
    ans = finish_answer(ctx, "\n".join(lines), cites, [v.region for v in shown], highlights, ctx.q.kind)
    ans.region = None
    return ans


def without_place(ctx: Context) -> Answer:
    """A question naming no covered place, at national scale: the table's top regions for a superlative, else the
    question back."""
    if ctx.q.superlative:
        return top_regions(ctx, list(ctx.docs))
    return which_region(ctx.q, ctx.docs)


def preset_resolves(q, doc) -> bool:
    """A region chosen in the UI (or the widget's preset) settles every shared name of the question when exactly
    one place of each name lies in it (朝阳区 with Beijing preset)."""
    if doc is None:
        return False
    names = {doc.region_name, doc.short_name, doc.name}
    return all(sum(1 for p in a.options if names & set(p.parents)) == 1 for a in q.ambiguous)


def which_place(q) -> Answer:
    """您说的朝阳区是北京市的还是长春市的？ One sentence per shared name; no retrieval."""
    lines = []
    for a in q.ambiguous:
        labels = list(dict.fromkeys(p.label for p in a.options))
        lines.append(M.WHICH_PLACE.format(name=a.name, options=M.WHICH_PLACE_OR.join(labels)))
    return Answer(question=q.raw, answer="".join(lines), refused=True, region=None, kind="clarify")
