"""What two enumerations of the same measures differ in (出生医学证明、儿童预防接种、…、生育保险报销等“出生一件事”
联办): a comparison of rules without a figure can still say, literally, which items one plan lists and another
does not. Only when the lists share SHARED_MIN items, so they are lists of the same thing."""

from __future__ import annotations

import re

_RUN = re.compile(r"[^，,。；;、：:“”]{2,24}(?:、[^，,。；;、：:“”]{2,24}){2,}")
_TAIL = re.compile(r"等.*$")
SHARED_MIN = 2
SUFFIX_MIN = 4


def items(text: str) -> list[str]:
    """The items of the longest 、-run of `text`, the last cut at 等 (…社保卡申领等“出生一件事”联办)."""
    runs = _RUN.findall(text)
    if not runs:
        return []
    parts = max(runs, key=lambda r: r.count("、")).split("、")
    parts[-1] = _TAIL.sub("", parts[-1])
    return [p.strip() for p in parts if p.strip()]


def _same(a: str, b: str) -> bool:
    # the first item carries the verb before it (积极推进出生医学证明 / 落实出生医学证明): a shared ending of
    # SUFFIX_MIN characters is the same item
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n == min(len(a), len(b)) or n >= SUFFIX_MIN


def extras(mine: list[str], other: list[str]) -> list[str] | None:
    """Items of `mine` the other list lacks; None when the two are no lists of the same thing."""
    shared = [a for a in mine if any(_same(a, b) for b in other)]
    if len(shared) < SHARED_MIN:
        return None
    return [a for a in mine if not any(_same(a, b) for b in other)]
