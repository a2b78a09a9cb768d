"""Which region a question is about: names, aliases, cities, traditional characters (via normalize_query) and pinyin.

Everything comes from seeds/documents.toml plus a list of Chinese places (data/places.txt), so a sixth plan needs
no code. Longest match wins, so 南京 is never read as 京 and 吉林市 is not 吉林省.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

from .models import Document

STRONG, PARENT, UNCOVERED = "strong", "parent", "uncovered"


@dataclass
class RegionMatch:
    slugs: list[str] = field(default_factory=list)  # covered regions named, in order of appearance
    uncovered: list[str] = field(default_factory=list)  # places named that no plan covers
    spans: list[tuple[int, int]] = field(default_factory=list)  # where any place name stands

    @property
    def slug(self) -> str | None:
        return self.slugs[0] if len(self.slugs) == 1 else None


def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)).lower()


def _places() -> list[list[str]]:
    text = (resources.files("rag.data") / "places.txt").read_text(encoding="utf-8")
    return [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _word_spans(text: str) -> set[tuple[int, int]]:
    from .tokenize import _jieba

    return {(start, end) for _, start, end in _jieba().tokenize(text)}


class RegionDetector:
    def __init__(self, docs: list[Document]):
        self.names: dict[str, tuple[str, str]] = {}  # surface -> (kind, slug or place name)
        for d in docs:
            for n in d.parents:
                self.names.setdefault(n, (PARENT, d.slug))
        for d in docs:  # strong names override a parent or uncovered reading of the same string
            for n in (d.region_name, d.short_name, *d.aliases):
                self.names[n] = (STRONG, d.slug)
        for group in _places():
            for n in group:
                self.names.setdefault(n, (UNCOVERED, group[0]))
        pinyin = {}
        for surface, (kind, target) in list(self.names.items()):
            if len(surface) >= 2 and kind != PARENT and (surface.endswith(("市", "省")) is False):
                pinyin.setdefault(_pinyin(surface), (kind, target))
        cjk = sorted((n for n in self.names if not n.isascii()), key=len, reverse=True)
        self._cjk = re.compile("|".join(map(re.escape, cjk)))
        self._pinyin = pinyin
        self._ascii = re.compile(r"[a-z]+(?:\s?[a-z]+)?")

    def detect(self, question: str) -> RegionMatch:
        """`question` must already be normalised (normalize_query): simplified, lower-case."""
        found: list[tuple[int, int, str, str]] = []
        words = None
        for m in self._cjk.finditer(question):
            if m.end() - m.start() == 1:
                # A one-character abbreviation (京, 渝, 津, 新…) counts only when it stands as a word of its own:
                # 在京工作 names Beijing, 津贴 and 新生儿 name no place.
                words = words if words is not None else _word_spans(question)
                if (m.start(), m.end()) not in words:
                    continue
            kind, target = self.names[m.group()]
            found.append((m.start(), m.end(), kind, target))
        for m in re.finditer(r"[a-z]+", question):
            word = m.group()
            for cand in (word, word.replace(" ", "")):
                if cand in self._pinyin:
                    kind, target = self._pinyin[cand]
                    found.append((m.start(), m.end(), kind, target))
                    break
        found.sort()
        out = RegionMatch(spans=[(s, e) for s, e, _, _ in found])
        strong = [t for _, _, k, t in found if k == STRONG]
        uncovered = [t for _, _, k, t in found if k == UNCOVERED]
        parents = [t for _, _, k, t in found if k == PARENT]
        out.slugs = list(dict.fromkeys(strong or ([] if uncovered else parents)))
        out.uncovered = (
            list(dict.fromkeys(uncovered)) if not strong else [u for u in dict.fromkeys(uncovered)]
        )
        return out

    def strip(self, question: str, match: RegionMatch) -> str:
        """The question without its place names (what is left is the topic)."""
        for s, e in sorted(match.spans, reverse=True):
            question = question[:s] + " " + question[e:]
        return question


def resolve_region(docs: dict[str, Document], value: str) -> str | None:
    """The slug a caller means by `value`: the slug itself, the region name (青岛市), the short name (青岛), an
    alias, or their pinyin (qingdao, Qingdao, qing dao); case, spaces and traditional characters do not matter.
    None when no covered region has that name."""
    from .normalize import normalize_query

    key = normalize_query(value or "").replace(" ", "").replace("-", "")
    if not key:
        return None
    for slug, d in docs.items():
        names = {slug, d.region_name, d.short_name, *d.aliases}
        if key in {normalize_query(n).replace(" ", "") for n in names}:
            return slug
        if key.isascii() and key in {_pinyin(n) for n in (d.region_name, d.short_name) if n}:
            return slug
    return None
