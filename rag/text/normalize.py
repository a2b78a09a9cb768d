"""One normalisation for chunks and questions alike, so that matching sees the same characters on both sides."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The CJK Unified Ideographs with extension A: what the project counts as a Chinese character (one owner: the other
# modules import CJK, a regex class fragment, or is_cjk). Spacing also treats the compatibility ideographs as CJK.
CJK = "\u3400-\u9fff"
_CJK = CJK + "\uf900-\ufaff"


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}\d%％。，、；：）（])\s+(?=[{_CJK}\d（(])|(?<=[{_CJK}])\s+(?=[\d%])")
_WS = re.compile(r"\s+")


# Invisible characters outside category Cf: variation selectors (U+FE00–FE0F, U+E0100–E01EF), the combining
# grapheme joiner, Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), the Mongolian vowel separator and the soft
# hyphen (Cf in recent Unicode, listed so older tables agree). They display as nothing yet make a question
# look non-empty or split a word.
_INVISIBLE_EXTRA = re.compile(
    "[\ufe00-\ufe0f\U000e0100-\U000e01ef\u034f\u115f\u1160\u3164\uffa0\u180e\u00ad]"
)


def strip_invisible(text: str) -> str:
    """Drop format characters (Unicode Cf: zero-width, BOM, bidi, tag characters), the invisible characters
    listed in _INVISIBLE_EXTRA, private-use characters and lone surrogates."""
    text = _INVISIBLE_EXTRA.sub("", text)
    return "".join(
        ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cs", "Co") and ch not in "\x00"
    )


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to half-width), no invisible characters, no spaces inside CJK runs."""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    text = _SPACE_IN_CJK.sub("", text)
    return _WS.sub(" ", text).strip()


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _variants() -> dict[int, str]:
    from importlib import resources

    text = (resources.files("rag.data") / "variants.txt").read_text(encoding="utf-8")
    pairs = (line.split() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {ord(a): b for a, b in pairs}


def normalize_query(text: str) -> str:
    """Question normalisation: the chunk normalisation plus traditional -> simplified and lower-case ascii."""
    text = normalize(text)
    if any(ord(c) > 0x2E80 for c in text):
        text = _t2s().convert(text.translate(_variants()))
    return text.lower()
