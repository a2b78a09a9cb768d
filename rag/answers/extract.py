"""Extractive answers: the sentence(s) of the cited clause that answer the question, quoted verbatim.

Numbers are never computed or rephrased: every character of a fact comes from a cited clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..ingest.chunker import chunk_sentences
from ..ingest.numbers import FIGURE
from ..ingest.roles import section_weight
from ..models import Hit
from ..question.query import Query
from ..text.tokenize import tokenize

# a quantity asked: a part holding a figure outweighs about one specific word more (目标 → 到2025年…80%)
NUMBER_ASKED = 4.0
YEAR = re.compile(r"(20\d\d)\s*年")  # a target year: a date, not the figure asked
DIGIT = FIGURE  # digits, or a figure in Chinese numerals with its unit (六十天, 五万元)
CLAUSE_SPLIT = re.compile(r"(?<=[，,])")
# a comma-separated part ending so reads only with what follows it (…缴费的，/ …之后，/ …的前提下，)
DANGLING = ("的", "时", "后", "前", "外", "下", "中", "内", "间", "及", "和", "或", "并", "且", "对", "在")
LONG_SENTENCE = 90  # a sentence up to this long is quoted whole; a longer one is cut to the span of the fact
TIER_PREFIX = (
    4  # tiers of one rule open with the same characters (对年应纳税所得额…的部分，…；对年应纳税所得额…)
)
TIER_SIMILARITY = 0.6  # … and share this share of their wording once numbers are removed


@dataclass
class Extract:
    hit: Hit
    sentences: list[str]  # verbatim sentences of hit.chunk.text, best first
    lead: str  # the shortest verbatim span that carries the fact
    overlap: float  # share of the question's word weight found in the clause
    term_idf: float  # idf of the most specific question term (or everyday-word expansion) found in the clause
    has_number: bool


@lru_cache(maxsize=4096)
def sentence_tokens(sentence: str) -> frozenset[str]:
    """Tokens of one clause sentence; clause texts are fixed, so each is tokenised once per process."""
    return frozenset(tokenize(sentence))


def sentence_score(sentence: str, query: Query, idf: dict[str, float]) -> float:
    toks = sentence_tokens(sentence)
    return sum(idf.get(t, 1.0) for t in set(query.tokens) if t in toks)


def finish(span: str) -> str:
    """A span read as a complete sentence: no dangling ；/，at its end."""
    return span.strip().rstrip("，,；;。、") + "。"


def best_span(sentence: str, query: Query, idf: dict[str, float], wants_number: bool) -> str:
    """Within a long sentence, the comma-separated clause that carries the asked fact (kept verbatim)."""
    parts = [p for p in CLAUSE_SPLIT.split(sentence) if p.strip()]
    if len(sentence) <= LONG_SENTENCE or len(parts) < 2:
        return finish(sentence)
    scored = []
    for i, p in enumerate(parts):
        s = sentence_score(p, query, idf) + (
            (NUMBER_ASKED if wants_number else 0.1) if DIGIT.search(YEAR.sub("", p)) else 0.0
        )
        # the question's own words outweigh what its expansions (孕妇 → 出生缺陷) find: the part saying 产前筛查率
        # answers "产前筛查有啥目标", not the part about 出生缺陷 the expansion matched twice
        own = sum(idf.get(t, 1.0) for t in set(query.core) if len(t) >= 2 and t in p)
        if YEAR.search(p) and len(YEAR.sub("", p).strip("到至， ,")) < 4:
            s, own = 0.0, 0.0  # 到2025年， only dates the fact: the part stating it is the answer
        scored.append((s + own, -i, i))
    best = max(scored)[2]
    end = best + 1
    # a conditional or dangling clause (…缴费的，/ …之后，) reads only with what follows it
    while end < len(parts) and parts[end - 1].rstrip("，, ").endswith(DANGLING):
        end += 1
    start = best
    # a bare time or place phrase (到2035年，) is no fact: widen to its neighbours, forwards first
    while len("".join(parts[start:end]).strip()) < 14 and (end < len(parts) or start > 0):
        if end < len(parts):
            end += 1
        else:
            start -= 1
    return finish("".join(parts[start:end]))


def focus_cut(sentence: str, asked: frozenset[str], named_in, wants_number: bool) -> str | None:
    """The parts of a sentence that state the asked benefit, when the sentence lists parallel facts about several
    (…女职工增加60天产假，配偶享受不少于15天陪产假，…10天育儿假 asked about 育儿假 -> that part alone), else None.

    Parts are comma-separated, a dangling part (除国家规定的产假外，) joined to the next; the kept parts keep the
    benefit-free parts right before and after them (subject, condition, continuation). Something is cut only when
    a parallel fact about another benefit (names one, has a number) is left out, and every part left out is such
    a fact or names no benefit: 对按政策在我市医疗保健机构分娩产妇， is never cut away, nor a part that names the
    asked benefit together with another (增加的产假、陪产假、育儿假期间，…). `named_in(parts)` gives the lexicon
    keys each part names.
    """
    units: list[str] = []
    for part in (p for p in CLAUSE_SPLIT.split(sentence) if p.strip()):
        if units and units[-1].rstrip("，, ").endswith(DANGLING):
            units[-1] += part
        else:
            units.append(part)
    if len(units) < 2:
        return None
    named = named_in(units)
    keep = [i for i, n in enumerate(named) if n & asked]
    if not keep or any(named[i] - asked for i in range(keep[0], keep[-1] + 1)):
        return None
    start, end = keep[0], keep[-1] + 1
    while end < len(units) and not named[end]:
        end += 1  # its continuation (…，工资照发)
    while start > 0 and not named[start - 1]:
        start -= 1  # its subject or condition (符合规定的夫妻，)
    left_out = [*range(start), *range(end, len(units))]
    parallel = [i for i in left_out if named[i] - asked and DIGIT.search(units[i])]
    if not parallel or any(named[i] and i not in parallel for i in left_out):
        return None
    text = "".join(units[start:end])
    if wants_number and DIGIT.search(sentence) and not DIGIT.search(text):
        return None
    return finish(text)


def _shape(sentence: str) -> set[str]:
    """Character bigrams of a sentence with its numbers removed: two tiers of one rule share nearly all."""
    flat = re.sub(r"[\d.%]+", "", sentence)
    return {flat[i : i + 2] for i in range(len(flat) - 1)}


ORDINAL = re.compile(r"^[一二两三四五六七八九十\d]+")


def _item(sentence: str) -> str:
    """The last item of a sentence that opens a list (…按照下列标准发放：二孩：每月500元。 -> 二孩：每月500元。), its
    leading ordinal (二孩 / 三孩) made neutral, so that the list's items compare as tiers of one rule."""
    parts = sentence.split("：")
    item = "：".join(parts[-2:]) if len(parts) >= 3 else sentence  # …标准发放：|二孩：每月500元。
    return ORDINAL.sub("#", item)


def same_rule(a: str, b: str) -> bool:
    """Tiers of one rule: same opening words, each with a number, and the same wording apart from the numbers
    (对…不超过100万元的部分，减按12.5%…；对…超过100万元但不超过300万元的部分，减按50%…; 二孩：每月500元。三孩：每月
    1000元。 after the sentence that opens the list)."""
    if not (DIGIT.search(a) and DIGIT.search(b)):
        return False
    if a[:TIER_PREFIX] != b[:TIER_PREFIX]:
        a, b = _item(a), _item(b)
        if a[:TIER_PREFIX] != b[:TIER_PREFIX]:
            return False
    x, y = _shape(a), _shape(b)
    return 2 * len(x & y) / max(len(x) + len(y), 1) >= TIER_SIMILARITY


def tiers(sentences: list[str], i: int) -> list[int]:
    """Indexes of the adjacent sentences that are tiers of the same rule as sentence i: a tax rule with two
    brackets keeps both."""
    lo = hi = i
    while lo > 0 and same_rule(sentences[lo - 1], sentences[i]):
        lo -= 1
    while hi + 1 < len(sentences) and same_rule(sentences[hi + 1], sentences[i]):
        hi += 1
    return list(range(lo, hi + 1))


SENTENCE_DENSE_WEIGHT = (
    0.5  # gold set: the best sentence holds the key fact 84% (keywords only) vs 89% (mixed)
)
FOCUS_BONUS = 0.5  # a sentence naming the benefit asked beats one about a look-alike sharing its words
CLAUSE_PRIOR = 0.2  # weight of the clause's retrieval score when sentences of the top two clauses compete


YEAR_BONUS, OTHER_YEAR = 0.3, 0.5  # a question naming 2035 is answered by the 2035 target, not the 2025 one


def periods(sentences: list[str], current: str = "") -> list[str]:
    """The target year each sentence speaks under: the last year named in it or in a sentence before it in the
    clause (到2035年，…。孕产妇死亡率下降到12/10万以下 is the 2035 target although the year is not repeated);
    `current`: the year in force where the clause begins."""
    out = []
    for sent in sentences:
        found = YEAR.findall(sent)
        current = found[-1] if found else current
        out.append(found[0] if found else current)
    return out


def year_factor(asked: str, period: str, sentence: str, wants_number: bool) -> tuple[float, float]:
    """(bonus, factor) of a sentence for a question that names the year `asked`; no bonus for a sentence that
    names the year and states no figure asked (到2035年，…更加完备)."""
    if not asked or not period:
        return 0.0, 1.0
    if period != asked:
        return 0.0, OTHER_YEAR
    return (0.0 if wants_number and not DIGIT.search(YEAR.sub("", sentence)) else YEAR_BONUS), 1.0


def _candidates(hits: list[Hit], query: Query, idf: dict[str, float], sentence_sims) -> list[tuple]:
    """(hit index, sentence index, sentence, keyword score, dense sim) of every sentence of the hits."""
    cands = []
    for h_i, hit in enumerate(hits):
        sims = sentence_sims[h_i] if sentence_sims is not None else None
        for s_i, sent in enumerate(chunk_sentences(hit.chunk.text)):
            dense = float(sims[s_i]) if sims is not None else 0.0
            cands.append((h_i, s_i, sent, sentence_score(sent, query, idf), dense))
    return cands


def _asked_year(hits: list[Hit], query: Query, year_before) -> tuple[str, dict[tuple[int, int], str]]:
    """(the year the question names or "", the target year of each (hit, sentence) when it names one)."""
    found = YEAR.search(query.text)
    if not found:
        return "", {}
    period_of = {}
    for h_i, hit in enumerate(hits):
        start = year_before(hit.chunk) if year_before is not None else ""
        for s_i, per in enumerate(periods(chunk_sentences(hit.chunk.text), start)):
            period_of[(h_i, s_i)] = per
    return found.group(1), period_of


def extract(
    hits: list[Hit],
    query: Query,
    idf: dict[str, float],
    sentence_sims=None,
    max_sentences: int = 2,
    *,
    wants_number: bool = False,
    clause_tokens=None,
    focus=None,
    asked: frozenset[str] = frozenset(),
    named_in=None,
    year_before=None,
) -> Extract:
    """Picks the answering sentence among the top clauses (two by default: a near-miss at rank 1 is common).

    `sentence_sims[i]`: cosines of the question with each sentence of hits[i] (from the index), when available.
    `clause_tokens(chunk)`: the clause's keyword tokens as the index holds them (tokenised here otherwise).
    `focus(sentence) -> bool`: the sentence names the benefit asked (lexicon); it is preferred over one that
    does not (a look-alike sharing its words).
    `asked`, `named_in(parts)`: the benefits asked and the lexicon keys each comma-separated part names; a lead
    sentence that lists several benefits is then cut to the asked one's parts (focus_cut).
    """
    year, period_of = _asked_year(hits, query, year_before)
    cands = _candidates(hits, query, idf, sentence_sims)
    kw_top = max(c[3] for c in cands) or 1.0
    d_lo, d_hi = min(c[4] for c in cands), max(c[4] for c in cands)
    f_lo, f_hi = min(h.score for h in hits), max(h.score for h in hits)

    def score(c):
        dn = (c[4] - d_lo) / (d_hi - d_lo) if d_hi > d_lo else 0.0
        fn = (hits[c[0]].score - f_lo) / (f_hi - f_lo) if f_hi > f_lo else 0.0
        w = SENTENCE_DENSE_WEIGHT if sentence_sims is not None else 0.0
        bonus = 0.15 if wants_number and DIGIT.search(c[2]) else 0.0
        if focus is not None and focus(c[2]):
            bonus += FOCUS_BONUS
        year_bonus, factor = year_factor(year, period_of.get((c[0], c[1]), ""), c[2], wants_number)
        return (
            (w * dn + (1 - w) * c[3] / kw_top + CLAUSE_PRIOR * fn + bonus + year_bonus) * role[c[0]] * factor
        )

    # a 附则 / 保障措施 sentence loses to the item that grants the benefit (rag/data/sections.toml)
    role = [section_weight(h.chunk.section) for h in hits]
    role = role if min(role) < max(role) else [1.0] * len(hits)
    ranked = sorted(cands, key=lambda c: (-score(c), c[0], c[1]))
    best = ranked[0]
    hit = hits[best[0]]
    sents = chunk_sentences(hit.chunk.text)
    tier_idx = tiers(sents, best[1])
    chosen = [sents[j] for j in tier_idx]
    lead_text = "".join(chosen) if len(tier_idx) > 1 else best[2]
    for c in ranked[1:]:
        if len(chosen) >= max_sentences:
            break
        if focus is not None and not focus(c[2]):
            continue  # a second sentence must be about the benefit asked too
        if year and period_of.get((c[0], c[1]), year) != year:
            continue  # another year's target beside the one asked
        if c[0] == best[0] and c[2] not in chosen and score(c) >= 0.6 * score(best) and c[3] > 0:
            chosen.append(c[2])
    clause_tokens = set(clause_tokens(hit.chunk) if clause_tokens else tokenize(hit.chunk.embed_text))
    weights = sum(idf.get(t, 1.0) for t in set(query.core)) or 1.0
    core_hit = sum(idf.get(t, 1.0) for t in set(query.core) if t in clause_tokens)
    shared = [
        idf.get(t, 0.0) for t in set(query.core) | set(query.expanded) if len(t) >= 2 and t in clause_tokens
    ]
    if len(tier_idx) > 1:
        lead = finish(lead_text)
    else:
        cut = focus_cut(best[2], asked, named_in, wants_number) if asked and named_in else None
        lead = cut or best_span(best[2], query, idf, wants_number)
    return Extract(
        hit, chosen, lead, core_hit / weights, max(shared, default=0.0), bool(DIGIT.search("".join(chosen)))
    )
