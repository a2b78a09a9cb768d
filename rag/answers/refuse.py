"""Refusals: injection, uncovered place, no topic, nothing relevant, a locked region asked about another.
No refusal lists a plan's table of contents: it says what is missing and what can be asked."""

from __future__ import annotations

from .. import messages as M
from ..models import Answer, Document
from ..question.record import off_topic_next

COVERED_SHOWN = (
    8  # regions named in a refusal; beyond that they are counted (hundreds of plans stay one line)
)


def covered(docs: dict[str, Document]) -> str:
    names = [d.name for d in docs.values()]
    if len(names) > COVERED_SHOWN:
        return M.COVERED_MANY.format(names="、".join(names[:COVERED_SHOWN]), n=len(names))
    return "、".join(names)


def injection(raw: str) -> Answer:
    return Answer(question=raw, answer=M.INJECTION, refused=True, region=None, kind="refuse")


def not_covered(raw: str, places, docs) -> Answer:
    text = M.NOT_COVERED.format(places="、".join(places), covered=covered(docs))
    return Answer(question=raw, answer=text, refused=True, region=None, kind="refuse")


def which_topic(raw: str, slugs, docs) -> Answer:
    names = "、".join(docs[s].name for s in slugs) if slugs else M.ALL_REGIONS_NAME
    region = slugs[0] if len(slugs) == 1 else None
    return Answer(
        question=raw,
        answer=M.WHICH_TOPIC.format(regions=names),
        refused=True,
        region=region,
        regions=list(slugs),
        kind="clarify",
    )


def courtesy(raw: str, kind: str, docs) -> Answer:
    """A bare greeting or thanks: answered in kind, with what can be asked (no clause, so no citation)."""
    text = M.THANKS_REPLY if kind == "thanks" else M.GREETING_REPLY.format(covered=covered(docs))
    return Answer(question=raw, answer=text, refused=True, region=None, kind="clarify")


def off_topic(raw: str, docs) -> Answer:
    """Not the plans' subject: said so, with where such a matter is settled when the question names one."""
    text = M.OFF_TOPIC.format(covered=covered(docs))
    step = off_topic_next(raw)
    return Answer(
        question=raw,
        answer=f"{text}{step}" if step else text,
        refused=True,
        region=None,
        kind="refuse",
    )


def no_clause(raw: str, doc: Document) -> Answer:
    text = M.NO_CLAUSE.format(region=doc.name, title=doc.title)
    return Answer(question=raw, answer=text, refused=True, region=doc.slug, regions=[doc.slug], kind="refuse")


def locked(raw: str, locked_doc: Document, asked: list[str]) -> Answer:
    notice = M.REGION_LOCKED.format(locked=locked_doc.name, asked="、".join(asked))
    return Answer(
        question=raw,
        answer=notice,
        refused=True,
        region=locked_doc.slug,
        regions=[locked_doc.slug],
        kind="refuse",
        notice=notice,
    )
