"""Words typed in pinyin (北京开个tuoyu点, 二胎还要审pi吗): read back into the characters the plans use.

A phone keyboard left in Latin mode, or a character the citizen could not find, leaves pinyin in the question; the
retriever then sees a word no plan contains and the answer drifts to a neighbouring clause. The Latin run is split
into syllables and matched, by reading alone, against the known words (the lexicon's terms, the places, the plans'
own words), optionally completed by the characters typed just before or after it (审 + pi = 审批). Precision first:
a run is replaced only when exactly one known word fits; acronyms (HPV, APP) are left alone because they split
into no syllables or fit no word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.normalize import is_cjk
from ..text.readings import surface_readings

_LATIN = re.compile(r"[A-Za-z]+(?: [A-Za-z]+){0,5}")  # yu er jia: syllables typed apart are one run
_MAX_SPLITS = 16  # a 24-letter run has few syllable splits; the cap only bounds hostile input
_AROUND = 2  # characters typed beside a run that may complete its word (审 + pi)


@dataclass(frozen=True)
class PinyinIndex:
    """Known words by their toneless reading, and every syllable those readings use."""

    by_reading: dict[tuple[str, ...], frozenset[str]]
    syllables: frozenset[str]

    @classmethod
    def build(cls, words) -> PinyinIndex:
        by: dict[tuple[str, ...], set[str]] = {}
        for w in words:
            if len(w) < 2 or not all(is_cjk(c) for c in w):
                continue
            r = tuple(surface_readings(w))
            if len(r) == len(w):
                by.setdefault(r, set()).add(w)
        syllables = frozenset(s for r in by for s in r)
        return cls({r: frozenset(ws) for r, ws in by.items()}, syllables)

    def splits(self, run: str) -> list[tuple[str, ...]]:
        """Every way `run` reads as a sequence of known syllables (xian: xian and xi+an)."""
        run = run.lower()
        out: list[tuple[str, ...]] = []

        def walk(i: int, acc: tuple[str, ...]) -> None:
            if len(out) >= _MAX_SPLITS:
                return
            if i == len(run):
                out.append(acc)
                return
            for j in range(min(len(run), i + 6), i, -1):
                if run[i:j] in self.syllables:
                    walk(j, (*acc, run[i:j]))

        walk(0, ())
        return out

    def repair(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """`text` with each Latin run that reads as exactly one known word replaced by it, and the (typed, fixed)
        pairs. A word completed by typed characters replaces them too (审pi -> 审批)."""
        fixes, out, pos = [], [], 0
        for m in _LATIN.finditer(text):
            if m.start() < pos or not 2 <= len(m.group().replace(" ", "")) <= 24:
                continue
            found = self._fit(text, m.start(), m.end())
            if found is None:
                continue
            start, end, word = found
            out.append(text[pos:start] + word)
            fixes.append((text[start:end], word))
            pos = end
        if not fixes:
            return text, ()
        out.append(text[pos:])
        return "".join(out), tuple(fixes)

    def _fit(self, text: str, start: int, end: int) -> tuple[int, int, str] | None:
        """(start, end, word) of the one known word the run at text[start:end] spells, or None. Fewer borrowed
        characters win (tuoyu点 is 托育 before it is 托育点); two words at the same level leave the run alone."""
        splits = self.splits(text[start:end].replace(" ", ""))
        for extra in range(2 * _AROUND + 1):
            fits = {f for split in splits for f in self._fits_at(text, start, end, split, extra)}
            if len({w for _, _, w in fits}) == 1:
                return fits.pop()
            if fits:
                return None
        return None

    def _fits_at(self, text: str, start: int, end: int, split: tuple[str, ...], extra: int):
        for before in range(max(0, extra - _AROUND), min(extra, _AROUND) + 1):
            s, e = start - before, end + extra - before
            if s < 0 or e > len(text):
                continue
            head, tail = text[s:start], text[end:e]
            if not all(is_cjk(c) for c in head + tail):
                continue
            reading = (*surface_readings(head), *split, *surface_readings(tail)) if head + tail else split
            for word in self.by_reading.get(reading, ()):
                if word.startswith(head) and word.endswith(tail):
                    yield (s, e, word)
