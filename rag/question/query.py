"""What retrieval sees of a question: normalised text, keyword tokens and everyday-word expansions."""

from __future__ import annotations

from dataclasses import dataclass

from ..text.normalize import normalize_query
from ..text.tokenize import tokenize, words
from .lexicon import load_lexicon


def synonyms() -> list[tuple[str, tuple[str, ...]]]:
    """(plan term, everyday variants): the [expansions] of the lexicon (rag/data/benefits.toml), one vocabulary."""
    return list(load_lexicon().expansions)


def expansions(text: str) -> list[str]:
    """Plan terms implied by everyday words in `text` (生娃 -> 生育, 个税 -> 个人所得税)."""
    return [term for term, variants in synonyms() if term in text or any(v in text for v in variants)]


@dataclass(frozen=True)
class Query:
    text: str  # normalised question, as embedded
    tokens: tuple[str, ...]  # keyword tokens, expansions included
    core: tuple[
        str, ...
    ]  # words of the question itself (no expansions, no bigrams): the relevance gate's unit
    expanded: tuple[str, ...] = ()  # words of the plan terms implied by everyday words


def make_query(question: str, topic_text: str | None = None) -> Query:
    """`topic_text` is the question without place names: expansions come from it, not from 青岛 or 通化."""
    text = normalize_query(question)
    return query_from_normalised(text, normalize_query(topic_text) if topic_text is not None else text)


def query_from_normalised(text: str, topic: str) -> Query:
    """The Query of a question already normalised (rag.question.record builds it once per question)."""
    base = tokenize(topic)
    implied = expansions(topic)
    extra = [t for term in implied for t in tokenize(term)]
    expanded = tuple(w for term in implied for w in words(term))
    return Query(
        text=text,
        tokens=tuple(base + [t for t in extra if t not in base]),
        core=tuple(words(topic)),
        expanded=expanded,
    )
