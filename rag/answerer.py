"""Extractive answers: the sentence(s) of the cited clause that answer the question, quoted verbatim.

Numbers are never computed or rephrased: every character of a fact comes from a cited clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .chunker import split_sentences
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
    overlap: float  # share of the query's keyword weight found in the best sentence
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
    span = parts[best]
    if len(normalize(span)) < 14 and best > 0:
        span = parts[best - 1] + span
    return span.strip().rstrip("，,；;。") + "。"


def extract(hit: Hit, query: Query, idf: dict[str, float], max_sentences: int = 2) -> Extract:
    wants_number = bool(QUANTITY.search(query.text))
    sents = split_sentences(hit.chunk.text) or [hit.chunk.text]
    weights = sum(idf.get(t, 1.0) for t in set(query.core)) or 1.0
    scored = sorted(
        ((sentence_score(s, query, idf) + (0.3 if wants_number and DIGIT.search(s) else 0.0), -i, s) for i, s in enumerate(sents)),
        reverse=True,
    )
    best = scored[0]
    chosen = [best[2]]
    for sc, _, s in scored[1:max_sentences]:
        if sc >= 0.7 * best[0] and sc > 0:
            chosen.append(s)
    core_hit = sum(idf.get(t, 1.0) for t in set(query.core) if t in set(tokenize(hit.chunk.text)))
    lead = best_span(best[2], query, idf, wants_number)
    return Extract(hit, chosen, lead, core_hit / weights, bool(DIGIT.search("".join(chosen))))


def cite_label(chunk: Chunk, n: int) -> str:
    return f"《{chunk.doc_title}》{chunk.section} [{n}]"
