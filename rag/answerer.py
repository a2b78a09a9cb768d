"""Extractive answers: the sentence(s) of the cited clause that answer the question, quoted verbatim.

Numbers are never computed or rephrased: every character of a fact comes from a cited clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .ingest.chunker import chunk_sentences
from .models import Chunk, Hit
from .normalize import normalize
from .query import Query
from .tokenize import tokenize

QUANTITY = re.compile(r"几|多少|多长|多久|多大|比例|标准是|金额|数额|几成|百分之|多高|多低")
DIGIT = re.compile(r"\d")
CLAUSE_SPLIT = re.compile(r"(?<=[，,])")
DRAFT_NOTE = "（注意：该文件为征求意见稿，内容以正式发布的文件为准。）"


@dataclass
class Extract:
    hit: Hit
    sentences: list[str]  # verbatim sentences of hit.chunk.text, best first
    lead: str  # the shortest verbatim span that carries the fact
    overlap: float  # share of the question's word weight found in the clause
    term_idf: float  # idf of the most specific question term (or everyday-word expansion) found in the clause
    has_number: bool


def sentence_score(sentence: str, query: Query, idf: dict[str, float]) -> float:
    toks = set(tokenize(sentence))
    return sum(idf.get(t, 1.0) for t in set(query.tokens) if t in toks)


def best_span(sentence: str, query: Query, idf: dict[str, float], wants_number: bool) -> str:
    """Within a long sentence, the comma-separated clause that carries the asked fact (kept verbatim)."""
    parts = [p for p in CLAUSE_SPLIT.split(sentence) if p.strip()]
    if len(sentence) <= 60 or len(parts) < 2:
        return sentence
    scored = []
    for i, p in enumerate(parts):
        s = sentence_score(p, query, idf) + ((0.5 if wants_number else 0.1) if DIGIT.search(p) else 0.0)
        scored.append((s, -i, i))
    best = max(scored)[2]
    end = best + 1
    # a conditional or dangling clause (…缴费的，/ …之后，) reads only with what follows it
    while end < len(parts) and parts[end - 1].rstrip("，, ").endswith(("的", "时", "后", "前", "外")):
        end += 1
    start = best
    # a bare time or place phrase (到2035年，) is no fact: widen to its neighbours, forwards first
    while len(normalize("".join(parts[start:end]))) < 14 and (end < len(parts) or start > 0):
        if end < len(parts):
            end += 1
        else:
            start -= 1
    span = "".join(parts[start:end])
    return span.strip().rstrip("，,；;。") + "。"


SENTENCE_DENSE_WEIGHT = (
    0.5  # gold set: the best sentence holds the key fact 84% (keywords only) vs 89% (mixed)
)
CLAUSE_PRIOR = 0.2  # weight of the clause's retrieval score when sentences of the top two clauses compete


def extract(
    hits: list[Hit], query: Query, idf: dict[str, float], sentence_sims=None, max_sentences: int = 2
) -> Extract:
    """Picks the answering sentence among the top clauses (two by default: a near-miss at rank 1 is common).

    `sentence_sims[i]`: cosines of the question with each sentence of hits[i] (from the index), when available.
    """
    wants_number = bool(QUANTITY.search(query.text))
    cands = []  # (hit index, sentence index, sentence, keyword score, dense sim)
    for h_i, hit in enumerate(hits):
        sims = sentence_sims[h_i] if sentence_sims is not None else None
        for s_i, sent in enumerate(chunk_sentences(hit.chunk.text)):
            cands.append(
                (
                    h_i,
                    s_i,
                    sent,
                    sentence_score(sent, query, idf),
                    float(sims[s_i]) if sims is not None else 0.0,
                )
            )
    kw_top = max(c[3] for c in cands) or 1.0
    d_lo, d_hi = min(c[4] for c in cands), max(c[4] for c in cands)
    f_lo, f_hi = min(h.score for h in hits), max(h.score for h in hits)

    def score(c):
        dn = (c[4] - d_lo) / (d_hi - d_lo) if d_hi > d_lo else 0.0
        fn = (hits[c[0]].score - f_lo) / (f_hi - f_lo) if f_hi > f_lo else 0.0
        w = SENTENCE_DENSE_WEIGHT if sentence_sims is not None else 0.0
        bonus = 0.15 if wants_number and DIGIT.search(c[2]) else 0.0
        return w * dn + (1 - w) * c[3] / kw_top + CLAUSE_PRIOR * fn + bonus

    ranked = sorted(cands, key=lambda c: (-score(c), c[0], c[1]))
    best = ranked[0]
    hit = hits[best[0]]
    chosen = [best[2]]
    for c in ranked[1:]:
        if len(chosen) >= max_sentences:
            break
        if c[0] == best[0] and score(c) >= 0.6 * score(best) and c[3] > 0:
            chosen.append(c[2])
    clause_tokens = set(tokenize(hit.chunk.embed_text))
    weights = sum(idf.get(t, 1.0) for t in set(query.core)) or 1.0
    core_hit = sum(idf.get(t, 1.0) for t in set(query.core) if t in clause_tokens)
    shared = [
        idf.get(t, 0.0) for t in set(query.core) | set(query.expanded) if len(t) >= 2 and t in clause_tokens
    ]
    lead = best_span(best[2], query, idf, wants_number)
    return Extract(
        hit, chosen, lead, core_hit / weights, max(shared, default=0.0), bool(DIGIT.search("".join(chosen)))
    )


def cite_label(chunk: Chunk, n: int) -> str:
    return f"《{chunk.doc_title}》{chunk.section} [{n}]"
