"""Lookups a cold start would otherwise pay for, read from tables computed once and committed.

Importing pypinyin costs ~0.3 s and reading the part-of-speech tags of jieba's 350 000-word dictionary ~0.2 s:
together a third of a cold `rag ask` (issue 15: <= 1.5 s). The answers they give for the words this project
asks about (the lexicon's terms, China's place names, common characters) are fixed, so they are kept in
rag/data/precomputed.tsv. A lookup the table lacks (a new place name in a sixth plan, a rare character)
falls back to the live library, so the table changes speed, never a result. `tests/test_precomputed.py`
checks every row against pypinyin and jieba; `python -m rag.question.readings_table` rewrites the file after either
library, benefits.toml, places.txt or divisions.tsv changes.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

FILE = "precomputed.tsv"
# row kinds: a character's usual reading and all its readings; a surface's readings in context; a stem's tag
CHAR, SURFACE, TAG = "char", "surface", "tag"


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {CHAR: {}, SURFACE: {}, TAG: {}}
    try:
        text = (resources.files("rag.data") / FILE).read_text(encoding="utf-8")
    except OSError:
        return out  # no table: every lookup goes to the library
    for line in text.splitlines():
        if line and not line.startswith("#"):
            kind, key, value = line.split("\t", 2)
            out[kind][key] = value
    return out


# -- the lookups ------------------------------------------------------------------------------------------------
def char_reading(ch: str) -> str:
    """pypinyin's usual toneless reading of one character (的 -> de)."""
    row = _table()[CHAR].get(ch)
    return row.split(" ", 1)[0] if row is not None else live_char(ch)[0]


def char_readings(ch: str) -> frozenset[str]:
    """Every toneless reading pypinyin knows for one character (的 -> de, di)."""
    row = _table()[CHAR].get(ch)
    return frozenset(row.split(" ")) if row is not None else frozenset(live_char(ch))


def surface_readings(surface: str) -> tuple[str, ...]:
    """The readings of a word in context, one per character (重庆 -> chong qing, not zhong qing)."""
    row = _table()[SURFACE].get(surface)
    return tuple(row.split(" ")) if row is not None else live_surface(surface)


def stem_tag(stem: str) -> str:
    """jieba's part-of-speech tag of a word, "n" when its dictionary lacks the word."""
    row = _table()[TAG].get(stem)
    return row if row is not None else live_tags().get(stem, "n")


# -- the live computations (the fallback, and what the table is made from) ------------------------------------
def live_char(ch: str) -> tuple[str, ...]:
    """(usual reading, then the others): the usual one first, as char_reading reads the row's first field."""
    from pypinyin import Style, lazy_pinyin, pinyin

    usual = lazy_pinyin(ch)[0]
    others = sorted(set(pinyin(ch, style=Style.NORMAL, heteronym=True)[0]) - {usual})
    return (usual, *others)


def live_surface(surface: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(surface))


@lru_cache(maxsize=1)
def live_tags() -> dict[str, str]:
    """word -> part-of-speech tag of jieba's dictionary (ns = place name, f = direction word, …)."""
    import re

    import jieba

    with jieba.dt.get_dict_file() as fh:
        text = fh.read().decode("utf-8")
    # one regex pass in C over the "word freq tag" lines: ~3x faster than splitting each line in Python
    return dict(re.findall(r"^(\S+)[ \t]+\S+[ \t]+(\S+)[ \t]*\r?$", text, re.M))
