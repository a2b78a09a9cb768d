"""List answers (有哪些 / 都有啥支持 / 什么帮扶): every relevant clause of the region, one line per measure.

Which clauses: the items under the heading the best clause sits in when that heading names what was asked, else
every clause above a relevance bar. Each line leads with the clause's concrete content (amount, days, who
qualifies: the extract prefers a sentence with a number) and cites it; when more exist the answer says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from .. import messages as M
from ..benefits import claims
from ..config import tomllib
from ..ingest.chunker import chunk_sentences
from ..models import Answer
from . import fact, refuse
from .common import Context, cite, clause_benefits, finish_answer
from .extract import DIGIT, Extract, finish, sentence_score
from .verdict import covered

CANDIDATES = 16  # clauses of the region considered
MIN_ITEM = 8  # characters: a shorter sentence of the best clause is a heading or filler, not a measure
MAX_LINES = 12  # lines shown; when more exist the answer says so
BAR = 0.5  # a clause is listed when its fused score is at least this share of the best one's
FEW = (
    2  # the best clauses (this many) are listed sentence by sentence: they usually hold the core of the list
)


def heading_of(ctx: Context, section: str) -> str:
    """The deepest heading above the clause that names a word of the question (托育 in 四、发展普惠托育服务体系)."""
    parts = section.split(" > ")[:-1]
    words = [w for w in ctx.q.words if len(w) >= 2]
    for depth in range(len(parts), 0, -1):
        if any(w in parts[depth - 1] for w in words):
            return " > ".join(parts[:depth])
    return ""


def gather(ctx: Context, slug: str) -> list[Extract]:
    """The relevant clauses of one region, best first: every clause under the matched heading, else every clause
    above the relevance bar."""
    top = ctx.evidence(slug).ex
    if top is None:
        return []
    heading = heading_of(ctx, top.hit.chunk.section)
    if heading:
        hits = [
            h for h in ctx.ranked(slug, len(ctx.index.chunks)) if h.chunk.section.startswith(heading + " > ")
        ]
        found = [ctx.extract_from([h]) for h in hits]
    else:
        hits = ctx.ranked(slug, CANDIDATES)
        found = []
        for h in hits:
            if h.score < BAR * hits[0].score:
                break
            ex = ctx.extract_from([h])
            if ctx.relevant(ex) and topical(ctx, h.chunk.text):
                found.append(ex)
    rest = [ex for ex in found if ex.hit.chunk.id != top.hit.chunk.id]
    return [top, *rest]


def listed(ctx: Context, sent: str, ex: Extract, i: int) -> bool:
    """A sentence of one of the FEW best clauses is a line when it carries a number or a question word; in the
    best clause every sentence is a measure of the list (a clause lists its measures one per sentence, and the
    measures after the first rarely repeat the question's words: 失独家庭 … ；优先纳入住房保障范围)."""
    if DIGIT.search(sent) or sentence_score(sent, ctx.q.query, ctx.idf) > 0:
        return True
    return i < FEW and len(sent) >= MIN_ITEM


def _on_benefit(ctx: Context, ex: Extract, sents: list[str]) -> list[str]:
    """A clause's sentences without those that speak only of benefits of other groups than the ones asked
    (benefits.toml `group`), when some sentence names one asked and the clause's heading does not (a 医保 list
    takes the 报销 sentences of 完善生育休假与生育有关保险制度, not its 育儿假 sentence) and that hold none of the
    question's own words (从休假到报销 keeps the 休假 sentence); else all."""
    if not ctx.q.benefits or ctx.lexicon is None:
        return sents
    heading = ex.hit.chunk.section.split(" > ")[-1]
    # a clause headed by the benefit speaks of it in every sentence (暖心计划 under 特殊家庭)
    if set(ctx.q.benefits) & {b.key for b in ctx.lexicon.find(heading)}:
        return sents
    per = clause_benefits(ctx.lexicon, ex.hit.chunk.text)
    asked = set(ctx.q.benefits)
    groups = {ctx.lexicon.get(k).group for k in asked}
    # a sentence only on benefits of other groups is left out (育儿假 in a 医保 list); one on a kindred benefit
    # (生育医疗费用 beside 生育保险) or naming none may still be a measure of the topic
    generic = _data()["generic"]
    words = [w for w in ctx.q.words if len(w) >= 2 and w not in generic]
    kept = [
        s
        for s in sents
        if not per.get(s) or {ctx.lexicon.get(k).group for k in per[s]} & groups or any(w in s for w in words)
    ]
    return kept if any(asked & per.get(s, frozenset()) for s in kept) else sents


def lines_of(ctx: Context, found: list[Extract]) -> list[tuple[str, Extract]]:
    """(line, extract) pairs: each answering sentence of the best FEW clauses, then one line per further clause."""
    out = []
    for i, ex in enumerate(found):
        if i < FEW:
            sents = _on_benefit(
                ctx, ex, [s for s in chunk_sentences(ex.hit.chunk.text) if listed(ctx, s, ex, i)]
            )
            if i == 0:  # the measure the question names leads the list (落户 before 新生儿参保 in one clause)
                sents = sorted(
                    sents,
                    key=lambda s, all_=tuple(sents): not _names_asked(ctx, s, ex.hit.chunk.section, all_),
                )
            out += [(finish(s), ex) for s in sents]
        else:
            line = ctx.fact(ex)
            out.append((line, ex))
            # a further clause's other concrete measures (a number: 2至3岁, 每月300元) get their own line
            out += [
                (finish(s), ex)
                for s in chunk_sentences(ex.hit.chunk.text)
                if DIGIT.search(s) and s.rstrip("。；;") not in line
            ]
    return out or [(ctx.fact(ex), ex) for ex in found]


def _names_asked(ctx: Context, sentence: str, heading: str, sents: list[str]) -> bool:
    """The sentence grants, in its own words, a thing the question names that sets it apart: not a kind of help
    (帮扶 / 待遇), not the clause's heading, not a benefit's term that other measures of the clause use too (幼儿园
    under 学前教育). 落户 in 能落户不 落了有啥待遇 leads; an encouraged or announced measure never does."""
    generic = {*_data()["generic"], *_data()["help_words"]}
    terms = {t for b in ctx.benefits() for t in (b.key, *b.terms)}
    words = [
        w
        for w in ctx.q.words
        if len(w) >= 2
        and w not in generic
        and w not in heading
        and not (w in terms and sum(w in x for x in sents) > 1)
    ]
    return any(w in sentence for w in words) and not claims.tentative(sentence)


def _unlisted_thing(ctx: Context, lines: list[str]) -> str:
    """The one thing asked under a heading benefit (买房 under 住房支持) when no line listed speaks of it."""
    thing = ctx._specific_thing()
    if not thing:
        return ""
    text = "".join(lines)
    terms = {t for b in ctx.benefits() for t in b.specific if t in ctx.q.topic}
    return "" if any(covered(t, text) for t in terms) else thing


def compose(ctx: Context, slug: str) -> Answer:
    doc = ctx.docs[slug]
    items = once(on_topic(lines_of(ctx, gather(ctx, slug))))
    # one measure is a fact, unless the thing asked is not it (商品房 asked, only 公租房 stated)
    if not items or (len(items) == 1 and not _unlisted_thing(ctx, [items[0][0]])):
        return fact.single(ctx, slug)
    shown = items[:MAX_LINES]
    groups: dict[
        str, list[tuple[str, Extract]]
    ] = {}  # the clause heading -> its lines, in order of first line
    for line, ex in shown:
        groups.setdefault(ex.hit.chunk.section, []).append((line, ex))
    head = M.LIST_HEAD_COUNT.format(region=doc.name, n=cn_count(len(shown)), k=cn_count(len(groups)))
    if len(items) > len(shown):
        head = M.LIST_HEAD_FIRST.format(region=doc.name, n=cn_count(len(shown)), k=cn_count(len(groups)))
    missing = _unlisted_thing(ctx, [line for line, _ in shown])
    if missing:
        head = M.LIST_NOT_THE_THING.format(region=doc.name, thing=missing) + head.removeprefix(
            doc.name + "的方案中"
        )
    cites, lines, highlights, numbers = [], [head], {}, {}
    for section, members in groups.items():
        lines.append(M.LIST_GROUP.format(heading=_NUMBERING.sub("", section.split(" > ")[-1])))
        for line, ex in members:
            cid = ex.hit.chunk.id
            if cid not in numbers:
                cites.append(cite(ex, len(cites) + 1))
                numbers[cid] = len(cites)
                highlights[cid] = []
            highlights[cid].append(line)
            lines.append(
                f"- {line} [{numbers[cid]}]"
            )  # no item numbers: every digit shown comes from a clause
    if len(items) > len(shown):
        lines.append(M.LIST_MORE.format(n=len(items) - len(shown), title=doc.title))
    return finish_answer(ctx, "\n".join(lines), cites, [slug], highlights, ctx.q.kind)


def once(items: list[tuple[str, Extract]]) -> list[tuple[str, Extract]]:
    """Every measure once: a line equal to, or contained in, a line already kept is dropped."""
    out: list[tuple[str, Extract]] = []
    for line, ex in items:
        core = line.rstrip("。；;")
        if any(core in kept for kept, _ in out):
            continue
        out = [
            (k, e) for k, e in out if k.rstrip("。；;") not in line
        ]  # a longer line replaces a shorter one
        out.append((line, ex))
    return out


def on_topic(items: list[tuple[str, Extract]]) -> list[tuple[str, Extract]]:
    """Lines of the best clause, and of further clauses not under a preamble or an organisational heading
    (rag/data/listing.toml): how the plan will be led, publicised and checked is no measure for a citizen."""
    if not items:
        return items
    top = items[0][1].hit.chunk.section
    rx = boilerplate()
    return [
        (line, ex) for line, ex in items if ex.hit.chunk.section == top or not rx.search(ex.hit.chunk.section)
    ]


def topical(ctx: Context, text: str) -> bool:
    """A further clause holds a word of the question that names its topic (data/listing.toml generic_words are
    not such words), or a plan term they imply; a question of generic words only takes every relevant clause."""
    generic = _data()["generic"]
    words = {w for w in (*ctx.q.words, *ctx.q.query.expanded) if len(w) >= 2 and w not in generic}
    return not words or any(w in text for w in words)


def boilerplate() -> re.Pattern:
    return _data()["boilerplate"]


@lru_cache(maxsize=1)
def _data() -> dict:
    with (resources.files("rag.data") / "listing.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {
        "boilerplate": re.compile(data["boilerplate_headings"]),
        "generic": frozenset(data["generic_words"]),
        "help_words": frozenset(data["help_words"]),
    }


_DIGITS = "零一二三四五六七八九"
# the heading's own number (4. / 一、 / （十二） / 第五条): not shown, as every digit shown is a figure of a clause
_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[章节条]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十\d]+[、.．])\s*"
)


def cn_count(n: int) -> str:
    """A count in Chinese numerals (七, 十二): every Arabic digit an answer shows is a figure of a cited clause."""
    if n == 2:
        return "两"  # 两项 / 两个条款: 二 is not said before a measure word
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return "多"


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
