"""检索测试 (the console's retrieval test, like MaxKB 命中测试 / Dify Retrieval Testing): for one question and
region, the ranked clauses with each retriever's score (dense, keyword, fused) beside the answer the assistant
gives — how an operator finds out why an answer was bad. Read-only: nothing is logged, nothing is cached."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import RagError
from .outcome import answer_kind, outcome_of
from .stores import messages as M

MAX_HITS = 20
MAX_QUESTION = 500


@dataclass(frozen=True)
class ProbeHit:
    rank: int
    clause_id: str
    region: str
    section: str
    text: str
    dense: float
    keyword: float
    fused: float
    cited: bool


@dataclass(frozen=True)
class Probe:
    question: str
    region: str | None  # the region searched (chosen, or named in the question), None: every region
    hits: list[ProbeHit]
    kind: str
    outcome: str
    answer: str
    refused: bool


def probe(answerer, question: str, region: str | None = None, k: int = 10) -> Probe:
    question = (question or "").strip()
    if not question or len(question) > MAX_QUESTION:
        raise RagError(M.PROBE_BAD_QUESTION.format(limit=MAX_QUESTION))
    assistant = getattr(answerer, "assistant", answerer)
    if region and region not in getattr(assistant, "docs", {}):
        raise RagError(M.PROBE_BAD_REGION)
    k = max(1, min(int(k), MAX_HITS))
    q = assistant.question(question)
    regions = [region] if region else list(q.regions) or None
    retriever = assistant.retriever
    scored = retriever.score_all(q.query)
    hits = retriever.rank(scored, regions, k)
    row = {c.id: i for i, c in enumerate(retriever.index.chunks)}
    answer = assistant.ask(question, region=region or None)
    cited = {h.chunk.id for h in answer.citations}
    return Probe(
        question=question,
        region=regions[0] if regions and len(regions) == 1 else None,
        hits=[
            ProbeHit(
                rank=h.rank,
                clause_id=h.chunk.id,
                region=h.chunk.region_name,
                section=h.chunk.section,
                text=h.chunk.text,
                dense=round(float(scored.dense[row[h.chunk.id]]), 4),
                keyword=round(float(scored.keyword[row[h.chunk.id]]), 4),
                fused=round(float(h.score), 4),
                cited=h.chunk.id in cited,
            )
            for h in hits
        ],
        kind=answer_kind(answer),
        outcome=outcome_of(answer),
        answer=answer.answer,
        refused=answer.refused,
    )


def search_clauses(chunks: dict, text: str, limit: int = 30) -> list:
    """Clauses whose text, section or region contains every word of `text` (the pin picker: no ids typed)."""
    words = [w for w in (text or "").replace("，", " ").split() if w][:8]
    if not words:
        return []
    out = []
    for c in chunks.values():
        hay = f"{c.region_name} {c.section} {c.text}"
        if all(w in hay for w in words):
            out.append(c)
            if len(out) >= limit:
                break
    return out
