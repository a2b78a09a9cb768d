"""Which region a question is about: names, aliases, cities, traditional characters (via normalize_query) and pinyin.

Everything comes from seeds/documents.toml plus a list of Chinese places (data/places.txt), so a sixth plan needs
no code. Longest match wins, so 南京 is never read as 京 and 吉林市 is not 吉林省.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .ingest.seeds import LEVELS
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


def _level_rank(level: str) -> int:
    """Larger areas first; a plan with no level counts as a city (most plans are)."""
    return LEVELS.index(level) if level in LEVELS else LEVELS.index("city")


def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)).lower()


def _places() -> list[list[str]]:
    text = (resources.files("rag.data") / "places.txt").read_text(encoding="utf-8")
    return [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def place_groups() -> list[list[str]]:
    """data/places.txt: one place a line, full name first."""
    return _places()


_SUFFIXES = ("特别行政区", "自治区", "自治州", "新区", "区", "县", "市", "省")


@lru_cache(maxsize=1)
def _not_places() -> frozenset[str]:
    text = (resources.files("rag.data") / "not_places.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=1)
def _dict_tags() -> dict[str, str]:
    """word -> part-of-speech tag of jieba's dictionary (ns = place name, f = direction word, …)."""
    import jieba

    with jieba.dt.get_dict_file() as fh:
        text = fh.read().decode("utf-8")
    # one regex pass in C over the 350 000 "word freq tag" lines: ~3x faster than splitting each line in
    # Python, and this runs at every cold start (cold `rag ask`)
    return dict(re.findall(r"^(\S+)[ \t]+\S+[ \t]+(\S+)[ \t]*\r?$", text, re.M))


def derive_stems(names: list[str] | dict) -> dict[str, str]:
    """Place names people write without their suffix (江津 for 江津区, 城阳 for 城阳区): stem -> full name.

    A stem counts only when it has at least two characters, is not a name already, comes from exactly one full
    name, and is not an ordinary word: not listed in data/not_places.txt and, when jieba's dictionary knows it,
    tagged as a noun there (南岸 is a direction word, 大兴 a distinguishing word, 市北 a place word: all refused).
    """
    known = set(names)
    stems: dict[str, set[str]] = {}
    for name in known:
        for suffix in _SUFFIXES:
            stem = name[: -len(suffix)]
            if name.endswith(suffix) and len(stem) >= 2 and all("\u3400" <= c <= "\u9fff" for c in stem):
                stems.setdefault(stem, set()).add(name)
                break
    tags = _dict_tags()
    return {
        stem: next(iter(full))
        for stem, full in sorted(stems.items())
        if len(full) == 1
        and stem not in known
        and stem not in _not_places()
        and tags.get(stem, "n").startswith("n")
    }


def _word_spans(text: str) -> set[tuple[int, int]]:
    from .tokenize import _jieba

    return {(start, end) for _, start, end in _jieba().tokenize(text)}


class RegionDetector:
    def __init__(self, docs: list[Document]):
        self.names: dict[str, tuple[str, str]] = {}  # surface -> (kind, slug or place name)
        for d in docs:
            for n in d.parents:
                self.names.setdefault(n, (PARENT, d.slug))
        # Strong names override a parent or uncovered reading of the same string. When two plans claim one name
        # (a city plan listing its districts, and a district's own plan), the plan's own name beats an alias and
        # the more precise level beats the larger one: 东昌区 goes to the district plan, 通化 to the city plan.
        ordered = sorted(docs, key=lambda d: _level_rank(d.level))
        for d in ordered:
            for n in d.aliases:
                self.names[n] = (STRONG, d.slug)
        for d in ordered:
            for n in (d.region_name, d.short_name):
                self.names[n] = (STRONG, d.slug)
        slugs = {d.slug for d in docs}
        self.parent = {d.slug: d.parent for d in docs if d.parent in slugs and d.parent != d.slug}
        for group in _places():
            for n in group:
                self.names.setdefault(n, (UNCOVERED, group[0]))
        for stem, full in derive_stems(self.names).items():  # 江津 -> 江津区 (a stem is never a parent)
            if self.names[full][0] != PARENT:
                self.names[stem] = self.names[full]
        self._pinyin_table: dict[str, tuple[str, str]] | None = None  # built on the first latin question
        cjk = sorted((n for n in self.names if not n.isascii()), key=len, reverse=True)
        self._cjk = re.compile("|".join(map(re.escape, cjk)))
        self._ascii = re.compile(r"[a-z]+(?:\s?[a-z]+)?")

    def _pinyin_names(self) -> dict[str, tuple[str, str]]:
        """pinyin -> (kind, target) of the names; lazily, as pypinyin takes ~0.6 s to import."""
        pinyin: dict[str, tuple[str, str]] = {}
        for surface, (kind, target) in list(self.names.items()):
            if len(surface) >= 2 and kind != PARENT and (surface.endswith(("市", "省")) is False):
                pinyin.setdefault(_pinyin(surface), (kind, target))
        return pinyin

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
            if self._pinyin_table is None:
                self._pinyin_table = self._pinyin_names()
            word = m.group()
            for cand in (word, word.replace(" ", "")):
                if cand in self._pinyin_table:
                    kind, target = self._pinyin_table[cand]
                    found.append((m.start(), m.end(), kind, target))
                    break
        found.sort()
        out = RegionMatch(spans=[(s, e) for s, e, _, _ in found])
        strong = [t for _, _, k, t in found if k == STRONG]
        uncovered = [t for _, _, k, t in found if k == UNCOVERED]
        parents = [t for _, _, k, t in found if k == PARENT]
        if strong:
            out.slugs = self._with_parents(list(dict.fromkeys(strong)))
        elif not uncovered:  # a province named: its largest covered plans, not each district below them too
            found_parents = list(dict.fromkeys(parents))
            out.slugs = [s for s in found_parents if not set(self.ancestors(s)) & set(found_parents)]
        out.uncovered = (
            list(dict.fromkeys(uncovered)) if not strong else [u for u in dict.fromkeys(uncovered)]
        )
        return out

    def ancestors(self, slug: str) -> list[str]:
        """Plans of the enclosing regions, nearest first (district -> city -> province)."""
        out: list[str] = []
        while slug in self.parent and self.parent[slug] not in out:
            slug = self.parent[slug]
            out.append(slug)
        return out

    def _with_parents(self, slugs: list[str]) -> list[str]:
        """A district named: its own plan first, then its city's (and province's) plan, each answered apart."""
        out: list[str] = []
        for s in slugs:
            for x in (s, *self.ancestors(s)):
                if x not in out:
                    out.append(x)
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
