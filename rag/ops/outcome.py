"""How an answered question ended, as the question log and the console bucket it (kind and outcome): read from the
Answer alone, so that the log's writer, the console and the retrieval test agree."""

from __future__ import annotations

import re

from .. import messages as AM
from ..models import Answer


def answer_kind(answer: Answer) -> str:
    """'pinned', else the answer's own `kind` when the answerer sets one, else derived from its shape."""
    if answer.pinned:
        return "pinned"
    kind = getattr(answer, "kind", None)
    if kind:
        return str(kind)
    if answer.refused:
        return "refused"
    return "compare" if len(answer.regions) > 1 or answer.region is None else "fact"


def outcome_of(answer: Answer) -> str:
    """How a question ended, for the console's buckets: a plan gap (not_stated: the region's plan is silent;
    not_covered: no plan for the place; off_topic) is work for the office, a lock redirect or a refused
    injection is not. Told from the answer's kind, notice and the fixed sentences refusals are made of."""
    if answer.pinned:
        return "pinned"
    if answer.kind == "clarify":
        return "clarify"
    text = answer.answer or ""
    if not answer.refused:
        # "X的方案中没有提到…" is an answer to the citizen but a gap in the plan for the office
        return "not_stated" if _fits(text, AM.NO_RULE) else "answered"
    if answer.notice and text.startswith(AM.REGION_LOCKED.split("{")[0]):
        return "locked"
    for name, template in (
        ("injection", AM.INJECTION),
        ("not_covered", AM.NOT_COVERED),
        ("off_topic", AM.OFF_TOPIC),
        ("not_stated", AM.NO_CLAUSE),
    ):
        if _fits(text, template):
            return name
    return "refused"


def _fits(text: str, template: str) -> bool:
    """Whether `text` was made from `template` (its fixed pieces appear in order)."""
    pieces = [p for p in re.split(r"\{[^}]*\}", template) if p]
    at = 0
    for p in pieces:
        at = text.find(p, at)
        if at < 0:
            return False
        at += len(p)
    return bool(pieces)
