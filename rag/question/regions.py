"""Which region a question is about: names, aliases, cities, traditional characters (via normalize_query) and pinyin.

Everything comes from seeds/documents.toml plus a list of Chinese places (data/places.txt), so a sixth plan needs
no code. Longest match wins, so 南京 is never read as 京 and 吉林市 is not 吉林省.

Shared names (issue 16): data/divisions.tsv lists China's divisions with their parents (generated from the cpca
package's data by scripts/gen_divisions.py). A county-level name several places share (朝阳区 in Beijing and in
Changchun, 鼓楼区 in four cities) is resolved by a province or city named in the question or in the dialogue, else
left in RegionMatch.ambiguous so that the assistant asks which one is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..ingest.seeds import LEVELS
from ..models import Document
from ..text.normalize import is_cjk, normalize_query
from ..text.readings import stem_tag
from ..text.tokenize import _jieba

STRONG, PARENT, UNCOVERED = "strong", "parent", "uncovered"


@dataclass(frozen=True)
class Place:
    """One division of data/divisions.tsv with its parent chain, province first (北京市, 朝阳区)."""

    code: str
    name: str
    level: str  # province | city | county
    chain: tuple[str, ...]  # names from the province down to the place itself

    @property
    def is_area(self) -> bool:
        """A named area below a county (data/areas.tsv), not a division of its own."""
        return self.code.startswith("A")

    @property
    def parents(self) -> tuple[str, ...]:
        return self.chain[:-1]

    @property
    def label(self) -> str:
        """How the place is told apart from its namesakes: its nearest parent (北京市 / 长春市)."""
        return self.parents[-1] if self.parents else self.name


@dataclass(frozen=True)
class Ambiguity:
    """A shared place name the question left open: the name and every place it may mean."""

    name: str
    options: tuple[Place, ...]


@dataclass
class RegionMatch:
    slugs: list[str] = field(default_factory=list)  # covered regions named, in order of appearance
    uncovered: list[str] = field(default_factory=list)  # places named that no plan covers
    spans: list[tuple[int, int]] = field(default_factory=list)  # where any place name stands
    ambiguous: list[Ambiguity] = field(
        default_factory=list
    )  # shared names neither question nor dialogue resolve

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


_SUFFIXES = ("特别行政区", "自治区", "自治州", "特区", "新区", "区", "县", "市", "省")
# an autonomous county or prefecture is written by its first name alone: 秀山土家族苗族自治县 -> 秀山. The peoples
# are named so that 黔东南苗族侗族自治州 is 黔东南 (not 黔东 + "南苗族").
_PEOPLES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土"
    " 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙"
    " 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_AUTONOMOUS = re.compile(
    r"^(.{2,}?)(?:(?:" + "|".join(sorted(_PEOPLES, key=len, reverse=True)) + r")族?|各族)+自治(?:县|州|旗)$"
)
MIN_SHARED = 3  # a two-character shared name (城区, 郊区, 矿区) is an ordinary word before it is a place


@lru_cache(maxsize=1)
def divisions() -> dict[str, Place]:
    """code -> Place, from data/divisions.tsv (see scripts/gen_divisions.py for its source) and the named areas
    below a county in data/areas.tsv."""
    text = "\n".join(
        (resources.files("rag.data") / name).read_text(encoding="utf-8")
        for name in ("divisions.tsv", "areas.tsv")
    )
    rows = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name, level, parent = (line.split("\t") + [""] * 4)[:4]
            rows[code] = (name, level, parent)
    out = {}
    for code, (name, level, _) in rows.items():
        chain, c, seen = [], code, set()
        while c in rows and c not in seen:
            seen.add(c)
            chain.append(rows[c][0])
            c = rows[c][2]
        out[code] = Place(code, name, level, tuple(reversed(chain)))
    return out


@lru_cache(maxsize=1)
def _by_name() -> dict[str, list[Place]]:
    by: dict[str, list[Place]] = {}
    for p in divisions().values():
        by.setdefault(p.name, []).append(p)
    return by


OWN_SUFFIXES = (
    "市",
    "州",
    "盟",
    "县",
    "旗",
)  # an alias naming a city or county of a province (望澜市), not a nickname


@lru_cache(maxsize=1)
def shared_names() -> dict[str, tuple[Place, ...]]:
    """County-level names that several places share (朝阳区 -> Beijing's and Changchun's), MIN_SHARED chars up."""
    by: dict[str, list[Place]] = {}
    for p in divisions().values():
        if p.level == "county":
            by.setdefault(p.name, []).append(p)
    return {n: tuple(ps) for n, ps in sorted(by.items()) if len(ps) > 1 and len(n) >= MIN_SHARED}


def _short(name: str) -> str:
    """吉林省 -> 吉林, 长春市 -> 长春 (a parent named without its suffix still counts)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=1)
def _not_places() -> frozenset[str]:
    text = (resources.files("rag.data") / "not_places.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=1)
def _place_stems() -> frozenset[str]:
    text = (resources.files("rag.data") / "place_stems.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def _autonomous_short(name: str) -> tuple[str, ...]:
    """How people write an autonomous county or prefecture with its suffix: 三都水族自治县 -> 三都县."""
    m = _AUTONOMOUS.match(name)
    return (m[1] + name[-1],) if m else ()


def stem_candidates(names: list[str] | dict) -> dict[str, set[str]]:
    """stem -> the full names it shortens (江津 -> {江津区}), before any check of whether the stem is a word."""
    stems: dict[str, set[str]] = {}
    for name in set(names):
        autonomous = _AUTONOMOUS.match(name)
        if autonomous:
            stems.setdefault(autonomous[1], set()).add(name)
            continue
        for suffix in _SUFFIXES:
            stem = name[: -len(suffix)]
            if name.endswith(suffix) and len(stem) >= 2 and all(is_cjk(c) for c in stem):
                stems.setdefault(stem, set()).add(name)
                break
    return stems


def derive_stems(names: list[str] | dict) -> dict[str, str]:
    """Place names people write without their suffix (江津 for 江津区, 城阳 for 城阳区): stem -> full name.

    A stem counts only when it has at least two characters, is not a name already, comes from exactly one full
    name (or from spellings that all name one plan, in a detector's table), and is not an ordinary word: not listed in data/not_places.txt and, when jieba's dictionary knows it,
    tagged as a noun there (南岸 is a direction word, 大兴 a distinguishing word, 市北 a place word: all refused).
    """
    known = set(names)
    # two spellings of one place (秀山土家族苗族自治县 and 秀山县, both naming the same plan) are one full name
    same = (
        (lambda full: len({names[f] for f in full}) == 1) if isinstance(names, dict) else (lambda full: False)
    )
    return {
        stem: max(full, key=len)
        for stem, full in sorted(stem_candidates(names).items())
        if (len(full) == 1 or same(full))
        and stem not in known
        and stem not in _not_places()
        and (stem_tag(stem).startswith("n") or stem in _place_stems())
    }


def _word_spans(text: str) -> set[tuple[int, int]]:
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
        self.within: dict[str, Place] = {}  # a division inside a covered region, by the name written -> it
        self._add_within()
        for group in _places():
            for n in group:
                self.names.setdefault(n, (UNCOVERED, group[0]))
        self.token_stems: set[str] = set()  # two-character stems: a place only where jieba reads a word
        for stem, full in derive_stems(self.names).items():  # 江津 -> 江津区 (a stem is never a parent)
            if self.names[full][0] != PARENT:
                self.names[stem] = self.names[full]
                if len(stem) == 2:
                    self.token_stems.add(stem)
                if full in self.within:
                    self.within[stem] = self.within[full]
        self._add_uncovered()  # after stems: an uncovered county gives no stem of its own (开个小店 is no 小店区)
        self._pinyin_table: dict[str, tuple[str, str]] | None = None  # built on the first latin question
        # after stems: 青山 or 鼓楼 alone is not read as one of several places (nor written in pinyin)
        self.shared = shared_names()
        for n in self.shared:
            self.names.setdefault(n, (UNCOVERED, n))
        cjk = sorted((n for n in self.names if not n.isascii()), key=len, reverse=True)
        self._cjk = re.compile("|".join(map(re.escape, cjk)))
        self._ascii = re.compile(r"[a-z]+(?:\s?[a-z]+)?")

    def _add_within(self) -> None:
        """Every division inside a covered region (清镇市 in 贵阳市 in 贵州省, 秀山…自治县 in 重庆市) names the plan of
        its nearest covered ancestor, unless another name claims it already (an alias keeps its plan) or several
        places share it (白云区 stays a question of which one). Its stem follows in derive_stems."""
        shared = shared_names()
        for place in divisions().values():
            name = place.name
            if place.level == "province" or name in self.names or name in shared:
                continue
            short = len(name) < MIN_SHARED and not name.endswith("县") and not place.is_area
            if short:  # 城区 / 郊区 are words; 忠县 is a place; 亦庄 is a listed area (areas.tsv)
                continue
            for parent in reversed(place.parents):
                kind, target = self.names.get(parent, ("", ""))
                if kind == STRONG:
                    for surface in (name, *_autonomous_short(name)):
                        self.names.setdefault(surface, (STRONG, target))
                        self.within.setdefault(surface, place)
                    break

    def _add_uncovered(self) -> None:
        """A county outside every covered region (抚松县 in 白山市) is a place no plan covers, named as such: read as
        no place at all, 吉林抚松县 would take the 吉林 plan below it. Full names only (with their suffix), and
        the stems people write alone that data/place_stems.txt lists; shared names stay a question of which."""
        shared = shared_names()
        stems = _place_stems()
        for place in divisions().values():
            name = place.name
            if place.level == "province" or place.is_area or name in shared or len(name) < MIN_SHARED:
                continue
            self.names.setdefault(name, (UNCOVERED, name))
            stem = _short(name)
            if stem in stems and stem not in shared:
                self.names.setdefault(stem, (UNCOVERED, name))

    def _pinyin_names(self) -> dict[str, tuple[str, str]]:
        """pinyin -> (kind, target) of the names; lazily, as pypinyin takes ~0.6 s to import."""
        pinyin: dict[str, tuple[str, str]] = {}
        for surface, (kind, target) in list(self.names.items()):
            if (
                len(surface) >= 2
                and kind != PARENT
                and (surface.endswith(("市", "省")) is False)
                and surface not in self.shared
            ):
                pinyin.setdefault(_pinyin(surface), (kind, target))
        return pinyin

    def detect(self, question: str, context: str = "") -> RegionMatch:
        """`question` must already be normalised (normalize_query): simplified, lower-case. `context` (earlier
        questions of the dialogue) only resolves shared place names."""
        found: list[tuple[int, int, str, str]] = []
        words = None
        for m in self._cjk.finditer(question):
            if m.end() - m.start() == 1 or m.group() in self.token_stems:
                # A one-character abbreviation (京, 渝, 津, 新…) or a two-character stem (清镇, 三都) counts only
                # when it stands as a word of its own: 在京工作 names Beijing, 津贴 and 新生儿 name no place, and
                # 三都有 (三/都/有) or 正安排 name no county.
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
        found, ambiguous = self._resolve_shared(question, found, context)
        out = RegionMatch(spans=[(s, e) for s, e, _, _ in found], ambiguous=ambiguous)
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

    def _resolve_shared(self, question: str, found: list, context: str):
        """Each shared name (朝阳区) read with the places around it: a candidate whose province or city is named in
        the question, else in the dialogue wins when it is the only one; it then counts
        as the covered plan whose region is on its chain, or as an uncovered place. Unresolved: Ambiguity."""
        out, ambiguous = [], []
        for s, e, kind, target in found:
            options = self.shared.get(question[s:e])
            if not options:
                out.append((s, e, kind, target))
                continue
            rest = question[:s] + " " + question[e:]
            chosen = None
            for text in (rest, context):
                hits = [p for p in options if any(n in text or _short(n) in text for n in p.parents)]
                if len(hits) == 1:
                    chosen = hits[0]
                    break
            if chosen is None:
                out.append((s, e, "ambiguous", ""))
                ambiguous.append(Ambiguity(question[s:e], options))
                continue
            covered = [
                self.names[n][1] for n in reversed(chosen.parents) if self.names.get(n, ("",))[0] == STRONG
            ]
            out.append(
                (s, e, STRONG, covered[0]) if covered else (s, e, UNCOVERED, "".join(chosen.chain[-2:]))
            )
        return out, ambiguous

    def place_below(self, surface: str, doc: Document) -> str | None:
        """The full name of a place inside a province plan's region that `surface` names without being the region
        itself (贵阳 -> 贵阳市, 清镇 -> 清镇市, an alias 望澜市): its own plan, if any, is not held. None for the
        region's own names, for 直辖市 (their districts are the plan's own) and for names not read as a place."""
        if (
            doc.level != "province"
            or doc.region_name.endswith("市")
            or surface in (doc.region_name, doc.short_name)
        ):
            return None
        if surface in self.within:
            return self.within[surface].name
        if surface not in doc.aliases:
            return None
        for name in (surface, surface + "市"):
            for place in _by_name().get(name, ()):
                if doc.region_name in place.parents:
                    return place.name
        return surface if len(surface) >= 3 and surface.endswith(OWN_SUFFIXES) else None

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
            # 湄潭县城 / 通化市区: the town of the place is the place, not a word of the topic ("城新修的小区")
            tail = _TOWN.match(question, e) if question[s:e][-1:] in _DIVISION_ENDS else None
            question = question[:s] + " " + question[tail.end() if tail else e :]
        return question


_DIVISION_ENDS = "县市区州旗"
_TOWN = re.compile(r"城区|市区|县城|城里|城(?![市镇乡际建管])")


def resolve_region(docs: dict[str, Document], value: str) -> str | None:
    """The slug a caller means by `value`: the slug itself, the region name (青岛市), the short name (青岛), an
    alias, or their pinyin (qingdao, Qingdao, qing dao); case, spaces and traditional characters do not matter.
    None when no covered region has that name."""
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
