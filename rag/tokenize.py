"""jieba tokens for the keyword index; question words (什么/怎么/多少/吗…) are stopwords so they never dominate."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources

from .normalize import normalize

_WORD = re.compile(r"[\u3400-\u9fffa-z0-9.%]+")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    with resources.as_file(resources.files("rag.data") / "userdict.txt") as p:
        tk.load_userdict(str(p))
    return tk


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = (resources.files("rag.data") / "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(text.split())


def tokenize(text: str) -> list[str]:
    """Search-mode segmentation (also yields sub-words: 育儿假 -> 育儿, 育儿假) minus stopwords and punctuation."""
    text = normalize(text).lower()
    stops = stopwords()
    return [t for t in _jieba().cut_for_search(text) if _WORD.fullmatch(t) and t not in stops]
