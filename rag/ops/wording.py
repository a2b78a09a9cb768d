"""What makes two questions "the same question in other words": same region, same plan terms, same intent
and the same numbers. Used to group the report's questions and as the lexical gate of pinned answers.

Terms are the benefits the lexicon (rag/question/lexicon.py, rag/data/benefits.toml) finds, after its homophone repair
(育儿家 -> 育儿假); a question naming no benefit falls back to the everyday-words table (rag/data/synonyms.txt:
the plans' wording of each term named, without terms found only inside a longer matched term), then to its
own words."""

from __future__ import annotations

import re

from ..question.lexicon import load_lexicon
from ..question.query import synonyms
from ..text.normalize import normalize_query
from ..text.tokenize import words

# Intent words, checked in order: what kind of thing the citizen wants to know. General vocabulary only.
INTENTS = (
    ("多少", ("几天", "多少", "多久", "多长", "几个", "几岁", "多大", "标准", "金额", "几")),
    (
        "怎么办",
        ("怎么", "如何", "哪里", "去哪", "在哪", "流程", "手续", "申请", "办理", "领取", "领", "材料"),
    ),
    ("能不能", ("能不能", "可不可以", "可以", "能否", "是否", "有没有", "吗", "能")),
)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    return [(m.start(), m.start() + len(needle)) for m in re.finditer(re.escape(needle), text)]


def plan_terms(question: str) -> tuple[str, ...]:
    """The plans' terms a question names, without terms found only inside a longer matched term
    (带娃假 -> 育儿假, not also 婴幼儿 for its 娃; 生育津贴 -> 生育保险, not also 生育 and 补贴)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for term, variants in synonyms():
        spans = [s for v in {term, *variants} for s in _spans(question, v)]
        if spans:
            found[term] = spans
    keep = []
    for term, spans in found.items():
        others = [s for t, ss in found.items() if t != term for s in ss]

        def inside(a, b):
            return b[0] <= a[0] and a[1] <= b[1] and (b[1] - b[0]) > (a[1] - a[0])

        if not all(any(inside(s, o) for o in others) for s in spans):
            keep.append(term)
    return tuple(sorted(keep))


def intent(question: str) -> str:
    for name, cues in INTENTS:
        if any(c in question for c in cues):
            return name
    return "其他"


def benefit_terms(question: str, lexicon=None) -> tuple[str, ...]:
    """The benefits the lexicon (rag/question/lexicon.py) finds, after its one-character homophone repair. No copy
    of the lexicon is kept here: after a reload the report and the pin gate see the new plans' place names."""
    lex = lexicon or load_lexicon()
    return tuple(sorted({b.key for b in lex.find(lex.correct(question).text)}))


def group_key(question: str, region: str | None) -> tuple:
    """(region, terms, intent). Terms: the lexicon's benefits; else the everyday-words table's plan terms;
    else the question's own words."""
    terms = benefit_terms(question) or plan_terms(question) or tuple(sorted(set(words(question))))
    return (region or "", terms, intent(question))


def question_numbers(question: str) -> tuple[str, ...]:
    """Digits in the question (2025 vs 2035, 3岁 vs 6岁): a different number is a different question."""
    return tuple(sorted(set(_DIGITS.findall(normalize_query(question)))))


def wording_key(question: str, regions: tuple[str, ...]) -> tuple:
    """The pin gate: regions, plan terms (or words), intent and numbers must all be equal."""
    q = normalize_query(question)
    return (tuple(regions), group_key(q, None)[1:], question_numbers(q))
