"""The benefits lexicon: which benefit a text names, with look-alikes resolved, and one-character homophone repair.

Everything is data (rag/data/benefits.toml, places): the code only applies three general rules.
1. Longest match: 独生子女父母护理假 is read before 护理假, 托育补贴 before 补贴.
2. Sense traps: a benefit reached only through a surface it shares with another benefit (护理假 is the spouse's
   leave in one plan and the leave to care for a parent in hospital in another) is dropped when one of its
   `not_terms` stands elsewhere in the text; if the surface stays ambiguous, the benefit listed first wins; if
   every reading is contradicted, the surface names no benefit of its own (the 补助 of 试管…补助).
3. Homophone repair: a window that differs from a known term or place name in exactly one character with the same
   pinyin (育儿家 -> 育儿假) is corrected, unless the window or a word around the changed character is an ordinary
   word (国家, 回家, 家庭 keep their 家).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..config import load_settings, tomllib
from ..errors import RagError
from ..ingest.catalogue import read_catalogue
from ..text.normalize import is_cjk, normalize_query
from ..text.readings import char_reading, char_readings, surface_readings
from ..text.tokenize import _jieba, is_word
from .pinyin import PinyinIndex
from .regions import derive_stems, place_groups

UNITS = ("天数", "金额", "比例", "none")
_HAS_LATIN = re.compile(r"[A-Za-z]{2}")
_LATIN_RUN = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,8}(?![A-Za-z])")
# the issuer speaking of itself (我市, 本省, 该区): a plan word no citizen means, and one that sounds like 我是
_DEICTIC = frozenset("我本该此其")


@dataclass(frozen=True)
class Benefit:
    key: str  # canonical name
    group: str
    terms: tuple[str, ...]  # everyday words and synonyms (key and wordings included)
    wordings: tuple[str, ...]  # the plans' own wordings: what the benefits table reads clauses through
    not_terms: tuple[str, ...]  # words that signal a different benefit (sense traps)
    unit: str  # 天数 / 金额 / 比例 / none
    extension: str = ""  # benefit that an increase (增加 / 延长) of this one is filed under
    table: bool = False  # a main benefit: one row of the cross-region table
    # situations the benefit does not cover: (words that describe the situation, benefit that does cover it or "")
    misuse: tuple[tuple[tuple[str, ...], str], ...] = ()
    related: str = ""  # the benefit shown as the nearest related rule when a plan does not name this one
    # terms naming one thing under a heading benefit (HPV疫苗 under 妇幼健康): a clause settles them only by using them
    specific: tuple[str, ...] = ()
    # terms that name who is asking (个体户) rather than the thing asked: they yield to another benefit named
    askers: tuple[str, ...] = ()
    # situations written as patterns (男的…产假: a person the benefit is not for), with the benefit meant instead
    misuse_re: tuple[tuple[re.Pattern, str], ...] = ()

    def misused(self, text: str) -> tuple[str, str] | None:
        """(situation word found in `text`, benefit meant instead or "") when the text asks this benefit for a
        situation it does not cover (独生子女护理假 to stay with a wife after birth), else None."""
        for words, instead in self.misuse:
            for w in words:
                if w in text:
                    return w, instead
        for pattern, instead in self.misuse_re:
            m = pattern.search(text)
            if m:
                return m.group("who") if "who" in pattern.groupindex else m.group(), instead
        return None


@dataclass(frozen=True)
class Correction:
    text: str  # the text with the fixes applied
    fixes: tuple[tuple[str, str], ...]  # (typed, corrected), in text order

    @property
    def changed(self) -> bool:
        return bool(self.fixes)


@dataclass(frozen=True)
class Match:
    benefit: Benefit
    surface: str
    start: int
    end: int


class LexiconError(ValueError):
    """The lexicon data is inconsistent (raised at load time, never on a citizen's question)."""


class Lexicon:
    def __init__(
        self,
        benefits: list[Benefit] | tuple[Benefit, ...],
        places: tuple[str, ...] = (),
        expansions: tuple[tuple[str, tuple[str, ...]], ...] = (),
        measures: tuple[str, ...] = (),
    ):
        self.benefits: tuple[Benefit, ...] = tuple(benefits)
        # plan phrases that each name one measure (家庭托育): the clause saying one verbatim answers for it
        self.measures = tuple(measures)
        # query expansion: (plan term, everyday variants); a variant in a question adds the plan term to the query
        self.expansions = tuple((t, tuple(v)) for t, v in expansions)
        self._by_key = {b.key: b for b in self.benefits}
        if len(self._by_key) != len(self.benefits):
            raise LexiconError("benefits.toml: duplicate benefit key")
        for b in self.benefits:
            if b.unit not in UNITS:
                raise LexiconError(f"benefits.toml: {b.key} has unit {b.unit!r}, not one of {UNITS}")
            if b.extension and b.extension not in self._by_key:
                raise LexiconError(f"benefits.toml: {b.key} extends unknown benefit {b.extension!r}")
        self._terms = self._surface_index(lambda b: (b.key, *b.terms, *b.wordings))
        self._shared = frozenset(s for s, named in self._terms[0].items() if len(named) > 1)
        self._wordings = self._surface_index(lambda b: b.wordings)
        self.places = tuple(p for p in dict.fromkeys(normalize_query(p) for p in places) if len(p) >= 2)
        self._repair: _HomophoneIndex | None = None
        self._leaves: frozenset[str] | None = None
        self._vocabulary: tuple[str, ...] = ()
        self._vocab_source = None
        self._plan_tokens: frozenset[str] = frozenset()
        self._vocab_repair: _HomophoneIndex | None = None
        self._pinyin: tuple[PinyinIndex, ...] = ()

    def _surface_index(self, surfaces_of) -> tuple[dict[str, list[Benefit]], re.Pattern]:
        index: dict[str, list[Benefit]] = {}
        for b in self.benefits:
            for s in surfaces_of(b):
                s = normalize_query(s)
                if s and b not in index.setdefault(s, []):
                    index[s].append(b)
        pattern = re.compile("|".join(map(re.escape, sorted(index, key=len, reverse=True))) or r"(?!x)x")
        return index, pattern

    # -- lookup -------------------------------------------------------------------------------------------
    def get(self, key: str) -> Benefit:
        """The benefit with this canonical key (KeyError otherwise)."""
        return self._by_key[key]

    def keys(self, table_only: bool = False) -> list[str]:
        return [b.key for b in self.benefits if b.table or not table_only]

    def resolve(self, name: str) -> Benefit | None:
        """One benefit from a name typed by a person: the key, a term, or a typo of one (育儿家 -> 育儿假)."""
        text = normalize_query(name).strip()
        if not text:
            return None
        if text in self._by_key:
            return self._by_key[text]
        found = self.find(text) or self.find(self.correct(text).text)
        return found[0] if found else None

    def matches(self, text: str, wordings_only: bool = False) -> list[Match]:
        """Every benefit named in `text` (normalised) with where it stands; longest match, look-alikes resolved."""
        index, pattern = self._wordings if wordings_only else self._terms
        hits = _head_final([(m.start(), m.end(), m.group()) for m in pattern.finditer(text)], text, pattern)
        unique = {index[surf][0].key for _, _, surf in hits if len(index[surf]) == 1}
        out = []
        for s, e, surf in hits:
            cands = index[surf]
            if len(cands) > 1:
                rest = text[:s] + " " + text[e:]
                already = [b for b in cands if b.key in unique]
                kept = [b for b in cands if not any(_stands_in(n, rest) for n in b.not_terms)]
                cands = already or kept
                if not cands:  # every reading is contradicted: the word qualifies another benefit (试管…补助)
                    continue
            out.append(Match(cands[0], surf, s, e))
        return out

    def shared(self, surface: str) -> bool:
        """The surface names several benefits (补贴, 补助): it stands for one only where the lexicon reads it so."""
        return normalize_query(surface) in self._shared

    def find(self, text: str) -> list[Benefit]:
        """The benefits named in normalised `text`, in order of first mention, each once. A benefit reached only
        through a word naming the asker (我是个体户…能领生育津贴吗) yields to the other benefits named: the
        citizen says who they are, then what they ask."""
        found = self.matches(text)
        named = [m for m in found if m.surface not in m.benefit.askers]
        if named:
            keys = {m.benefit.key for m in named}
            found = [m for m in found if m.surface not in m.benefit.askers or m.benefit.key in keys]
        seen: dict[str, Benefit] = {}
        for m in found:
            seen.setdefault(m.benefit.key, m.benefit)
        return list(seen.values())

    # -- homophone repair -----------------------------------------------------------------------------------
    def repair_surfaces(self) -> list[str]:
        """The words a typo is compared with: the lexicon's terms of two characters or more, and the places."""
        return [s for s in self._terms[0] if len(s) >= 2] + list(self.places)

    def correct(self, text: str, days_asked: bool = False) -> Correction:
        """Repairs words typed in pinyin (tuoyu点 -> 托育点) and one-character homophone typos of lexicon terms
        and place names (婚家 -> 婚假, 通花 -> 通化).

        `days_asked` (the question asks 几天/多少天): a leave's name may then replace an ordinary word that sounds
        the same (重庆的婚嫁有几天 -> 婚假), which it never does otherwise."""
        text, typed = self._from_pinyin(text)
        fixed = self._homophones(text, days_asked)
        return Correction(fixed.text, typed + tuple(fixed.fixes)) if typed else fixed

    def _from_pinyin(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Latin runs read as words: the lexicon's terms and places first, then the plans' own words."""
        if not _HAS_LATIN.search(text):
            return text, ()
        text, swapped = self._latin_swaps(text)
        if not self._pinyin:
            self._vocab_index()
            self._pinyin = (
                PinyinIndex.build(self.repair_surfaces()),
                PinyinIndex.build(self._vocabulary),
            )
        fixes: tuple[tuple[str, str], ...] = swapped
        for index in self._pinyin:
            text, found = index.repair(text)
            fixes += found
        return text, fixes

    def _latin_swaps(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """An acronym typed with two neighbouring letters swapped (HVP for HPV) read as the lexicon's term: only a
        run that is no term itself and that exactly one term of three letters or more spells by one swap."""
        terms = {s.lower() for s in self._terms[0] if len(s) >= 3 and s.isascii() and s.isalpha()}
        fixes, out, pos = [], [], 0
        for m in _LATIN_RUN.finditer(text):
            run = m.group().lower()
            if run in terms:
                continue
            swaps = {run[:i] + run[i + 1] + run[i] + run[i + 2 :] for i in range(len(run) - 1)} & terms
            if len(swaps) == 1:
                word = swaps.pop()
                out.append(text[pos : m.start()] + word)
                fixes.append((m.group(), word))
                pos = m.end()
        out.append(text[pos:])
        return "".join(out), tuple(fixes)

    def _homophones(self, text: str, days_asked: bool) -> Correction:
        if self._repair is None:
            self._repair = _HomophoneIndex(self.repair_surfaces(), places=self.places)
        if days_asked and self._leaves is None:
            self._leaves = frozenset(
                t for b in self.benefits if b.unit == "天数" for t in (b.key, *b.terms) if len(t) >= 2
            )
        first = self._repair.correct(text, self._leaves if days_asked else frozenset())
        vocab = self._vocab_index()
        if vocab is None:
            return first
        second = vocab.correct(first.text)
        if any(typed in self._plan_tokens or _function_swap(typed, fixed) for typed, fixed in second.fixes):
            return first  # 都是 never becomes the plans' 都市: a function word typed is no typo
        return Correction(second.text, first.fixes + second.fixes) if second.fixes else first

    def use_vocabulary(self, source) -> None:
        """The plans' own words (近视, 统筹基金, 机构) as a second, lower-priority repair pass: a typo of a word the
        lexicon does not list (眼睛近事了) is read against what the plans say. The lexicon's terms are repaired
        first, so a plan word never wins over a benefit that sounds the same (婚家 -> 婚假, not 婚嫁). `source`
        returns the words; it is called at the first repair, so a start-up never pays for it."""
        self._vocab_source, self._vocabulary, self._vocab_repair = source, (), None

    def _vocab_index(self) -> _HomophoneIndex | None:
        if self._vocab_repair is None and self._vocab_source is not None:
            words = {
                w
                for w in self._vocab_source()
                if 2 <= len(w) <= 4 and all(_is_cjk(c) for c in w) and w[0] not in _DEICTIC
            }
            self._plan_tokens = frozenset(words)  # 抚幼 / 一校 are the plans' own: never a typo
            self._vocabulary = tuple(sorted(w for w in words if _is_word(w)))  # words, not bigrams
            self._vocab_repair = _HomophoneIndex(
                [*self._vocabulary, *self.repair_surfaces()], places=self.places, strict=True
            )
        return self._vocab_repair


class _HomophoneIndex:
    """Known surfaces keyed by "all characters but one", so a window is checked in O(length) lookups."""

    def __init__(self, surfaces: list[str], places: tuple[str, ...] = (), strict: bool = False):
        self.strict = strict  # never touch a window a dictionary word crosses (自己能 is no 自技能)
        self.known = set(surfaces)
        self.places = place_set = set(places)
        # (surface, position): the reading of that character is looked up only when a window matches
        self.by_gap: dict[tuple[int, str], list[tuple[str, int]]] = {}
        for s in self.known:
            if not all(_is_cjk(c) for c in s):
                continue
            for i in range(len(s)):
                if s in place_set and i == len(s) - 1 and s[-1] in _PLACE_SUFFIX and s[:-1] in place_set:
                    continue  # 贵州生孩子 is not 贵州省: a place's suffix is never "repaired" onto a word
                key = (i, s[:i] + "\0" + s[i + 1 :])
                self.by_gap.setdefault(key, []).append((s, i))
        self.lengths = sorted({len(s) for s in self.known if len(s) >= 2}, reverse=True)
        self._known_re = re.compile("|".join(map(re.escape, sorted(self.known, key=len, reverse=True))))

    def correct(self, text: str, prefer: frozenset[str] = frozenset()) -> Correction:
        """`prefer`: surfaces that may replace a dictionary word (see Lexicon.correct)."""
        taken = [False] * len(text)
        span_of = [(i, i) for i in range(len(text))]  # the known word each character belongs to
        for m in self._known_re.finditer(text):  # a word that already matches is never touched
            for i in range(m.start(), m.end()):
                taken[i] = True
                span_of[i] = (m.start(), m.end())
        fixes: list[tuple[int, int, str]] = []
        fixed_at = [False] * len(text)
        for length in self.lengths:
            for start in range(0, len(text) - length + 1):
                end = start + length
                if any(fixed_at[start:end]) or any(
                    a < start or b > end for a, b in span_of[start:end] if a != b
                ):  # a window may hold a known word (陪产 of 陪产家) but never cut one (北 of 和北京)
                    continue
                fix = self._fix(text, start, end, taken, prefer)
                if fix:
                    fixes.append((start, end, fix))
                    for i in range(start, end):
                        fixed_at[i] = taken[i] = True
        if not fixes:
            return Correction(text, ())
        fixes.sort()
        out, pairs, pos = [], [], 0
        for s, e, fixed in fixes:
            out.append(text[pos:s] + fixed)
            pairs.append((text[s:e], fixed))
            pos = e
        out.append(text[pos:])
        return Correction("".join(out), tuple(pairs))

    def _fix(
        self, text: str, start: int, end: int, taken: list[bool], prefer: frozenset[str] = frozenset()
    ) -> str | None:
        """The surface `text[start:end]` was meant to be, or None. The changed character must not belong to a
        known term or place (陪产家 may become 陪产假, but the 产 of 产假 is never rewritten)."""
        window = text[start:end]
        if window in self.known:
            return None
        for i, ch in enumerate(window):
            cands = self.by_gap.get((i, window[:i] + "\0" + window[i + 1 :]))
            if not cands or taken[start + i] or not _is_cjk(ch):
                continue
            # the cheap lookup found a candidate: now the word checks, in rising cost
            preferred = [c for c in cands if c[0] in prefer]
            if preferred:
                cands = preferred  # a leave asked in days: 婚嫁 is a word, but 婚假 is what is meant
            elif _is_word(window):
                return None
            broken = _breaks_word(text, start, end, start + i)
            if _cuts_word(text, start, end) and (self.strict or not broken):
                return None
            if (
                not preferred
                and len(window) <= 3
                and _in_inner_word(text, start, end, start + i)
                and not broken
            ):
                continue  # 缴 of 保缴费 makes 缴费: a short window is not read as 保教费
            for surface, at in cands:
                surface_readings = _surface_readings(surface)
                if len(surface_readings) != len(surface):
                    continue
                reading = surface_readings[at]
                # a two-character surface is repaired only from the typed character's usual reading (的税 is
                # not 抵税 although 的 can be read di), longer ones from any reading of it
                readings = {_reading(ch)} if len(surface) == 2 else _readings(ch)
                if reading in readings:
                    return surface
                # front and back nasals typed for each other (经贴 for 津贴): the commonest pinyin slip, taken in
                # longer surfaces only, where the rest of the word vouches for it
                if len(surface) >= 3 and _nasal(reading) in {_nasal(r) for r in readings}:
                    return surface
        return None


_PLACE_SUFFIX = "省市区县"


_FUNCTION = frozenset("是的了有在不都也就还和与或吗呢吧啊么要会能")


def _head_final(
    hits: list[tuple[int, int, str]], text: str, pattern: re.Pattern
) -> list[tuple[int, int, str]]:
    """A term that starts inside a match, at a word of the text's dictionary segmentation, and runs past it, as
    long or longer, is the phrase's head and replaces it (小孩看病保健 is 看病保健, a health service, not 小孩看病, a
    bill): Chinese compounds end on their head. One starting inside a word is no head (陪产假期间工资 is 陪产假 +
    期间工资, not 产假期间工资)."""
    out: list[tuple[int, int, str]] = []
    starts: set[int] | None = None
    for s, e, surf in hits:
        if out and s < out[-1][1]:
            continue  # already covered by a head taken in place of the match before
        later = [
            m
            for i in range(s + 1, e)
            if (m := pattern.match(text, i)) and m.end() > e and len(m.group()) >= e - s
        ]
        if later:
            starts = starts if starts is not None else {a for a, _ in _dict_spans(text)}
            later = [m for m in later if m.start() in starts]
        out.append((later[0].start(), later[0].end(), later[0].group()) if later else (s, e, surf))
    return out


def _function_swap(typed: str, fixed: str) -> bool:
    """The repair replaces a function character (是 / 的 / 了 …): 都是 -> 都市 reads a word the citizen wrote right."""
    return any(a != b and a in _FUNCTION for a, b in zip(typed, fixed))


def _stands_in(word: str, text: str) -> bool:
    """`word` stands in `text` as a word of its own, not as the tail of another (the 女职工 of 独生子女职工 is no
    女职工): some occurrence begins where a dictionary word begins."""
    if word not in text:
        return False
    starts = {a for a, _ in _dict_spans(text)}
    return any(m.start() in starts for m in re.finditer(re.escape(word), text))


def _is_cjk(ch: str) -> bool:
    return is_cjk(ch)


_BACK_NASAL = re.compile(r"(?<=[aei])ng$")


def _nasal(reading: str) -> str:
    """A reading with its back nasal made front (jing -> jin, sheng -> shen, fang -> fan)."""
    return _BACK_NASAL.sub("n", reading)


def _surface_readings(surface: str) -> tuple[str, ...]:
    return surface_readings(surface)  # in context: 重庆 -> chong qing


def _readings(ch: str) -> frozenset[str]:
    return char_readings(ch)


def _reading(ch: str) -> str:
    return char_reading(ch)


def _is_word(w: str) -> bool:
    """An ordinary word of the jieba dictionary (the one the index uses, with the project's user words)."""
    return is_word(w)


def _cuts_word(text: str, start: int, end: int) -> bool:
    """True when a dictionary word crosses the window's edge (家 of 家庭 in 育儿家庭, 税 of 税率 in 的税率)."""
    for edge in (start, end):
        for a in range(max(0, edge - 3), edge):
            for b in range(edge + 1, min(len(text), a + 4) + 1):
                if _is_word(text[a:b]):
                    return True
    return False


def _breaks_word(text: str, start: int, end: int, typed: int) -> bool:
    """True when the typed character was read into a word that leaves the rest of the window stranded: the
    dictionary segmentation of `text` puts it in a word of two characters or more while every other character of
    the window stands alone (孕简要 is 孕/简要, 提公基金 is 提/公/基金). The typo then broke the intended word apart,
    and the word it made (简要, 基金) is no reason to keep it; 育儿家庭 (育儿/家庭) and 参保缴费 (参保/缴费) keep
    every character in a word and stay as typed."""
    spans = _dict_spans(text)
    own = next((sp for sp in spans if sp[0] <= typed < sp[1]), (typed, typed + 1))
    if own[1] - own[0] < 2:
        return False
    rest = [p for p in range(start, end) if not own[0] <= p < own[1]]
    return bool(rest) and all((p, p + 1) in spans for p in rest)


def _dict_spans(text: str) -> set[tuple[int, int]]:
    """Word spans of `text` by the dictionary alone (no HMM guesses of unknown words)."""
    return {(a, b) for _, a, b in _jieba().tokenize(text, HMM=False)}


def _in_inner_word(text: str, start: int, end: int, typed: int) -> bool:
    """True when the typed character reads, in the dictionary segmentation of `text`, as part of a word that lies
    inside the window (缴 of 参保缴费 is in 缴费). A word the characters could make but the segmentation does not
    use is no reason to keep them: 综合责人险 segments 责/人/险, so 责人 does not stop 责任险."""
    own = next((sp for sp in _dict_spans(text) if sp[0] <= typed < sp[1]), (typed, typed + 1))
    return own[1] - own[0] >= 2 and start <= own[0] and own[1] <= end


def _place_names(seeds_dir: Path | None = None) -> list[str]:
    """Every place a question may name: the plans' regions, aliases and parents, the places list, their stems."""
    names: list[str] = []
    try:
        entries = read_catalogue(Path(seeds_dir or load_settings().seeds_dir)).entries
        for _, d in entries:
            names += [
                d.get("region_name", ""),
                d.get("short_name", ""),
                *d.get("aliases", ()),
                *d.get("parents", ()),
            ]
    except (OSError, RagError):
        pass  # no seeds here: the places list alone still repairs common place names
    for group in place_groups():
        names += group
    names = [n for n in names if n]
    return names + list(derive_stems(names))


def parse_expansions(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The [expansions] table: plan term -> everyday variants, in file order."""
    table = tomllib.loads(text).get("expansions", {})
    return tuple((term, tuple(variants)) for term, variants in table.items())


def parse_measures(text: str) -> tuple[str, ...]:
    """The [measures] names: plan phrases of one measure each (see benefits.toml)."""
    return tuple(tomllib.loads(text).get("measures", {}).get("names", ()))


def _with_modals(terms, variants: dict) -> list[str]:
    """The terms, and for one ending in a verb of [term_variants] the same with each modal before the verb
    (产检报销 -> 产检能报销, 产检可以报销: how questions word it)."""
    verbs, modals = variants.get("verbs", ()), variants.get("modals", ())
    out = []
    for t in terms:
        out.append(t)
        for verb in verbs:
            if t.endswith(verb) and len(t) > len(verb):
                out += [t[: -len(verb)] + m + verb for m in modals]
    return out


def parse_benefits(text: str) -> list[Benefit]:
    data = tomllib.loads(text)
    variants = data.get("term_variants", {})
    out = []
    for i, entry in enumerate(data.get("benefit", []), 1):
        if not entry.get("key") or not entry.get("unit"):
            raise LexiconError(f"benefits.toml: benefit #{i} lacks key or unit")
        wordings = tuple(entry.get("wordings", ()))
        terms = tuple(
            dict.fromkeys((entry["key"], *_with_modals(entry.get("terms", ()), variants), *wordings))
        )
        out.append(
            Benefit(
                key=entry["key"],
                group=entry.get("group", ""),
                terms=terms,
                wordings=wordings,
                not_terms=tuple(entry.get("not_terms", ())),
                unit=entry["unit"],
                extension=entry.get("extension", ""),
                table=bool(entry.get("table", False)),
                misuse=tuple(
                    (tuple(m.get("when", ())), m.get("instead", "")) for m in entry.get("misuse", ())
                ),
                related=entry.get("related", ""),
                specific=tuple(normalize_query(t) for t in entry.get("specific", ())),
                askers=tuple(entry.get("askers", ())),
                misuse_re=tuple(
                    (re.compile(m["when_re"]), m.get("instead", "")) for m in entry.get("misuse_re", ())
                ),
            )
        )
    keys = {b.key for b in out}
    for b in out:
        for words, instead in b.misuse:
            if not words or (instead and instead not in keys):
                raise LexiconError(
                    f"benefits.toml: {b.key}: misuse needs words and a known benefit ({instead!r})"
                )
    return out


def forget_cached() -> None:
    """Drops the cached lexicons (the query expansions are read from them), so that the next answerer built, on a
    reload after `rag index`, sees the place names of plans added to seeds/ meanwhile."""
    _lexicon_of.cache_clear()


def build_lexicon(seeds_dir: Path | None = None) -> Lexicon:
    """A new lexicon: benefits.toml (benefits, query expansions) plus the place names of seeds/ and places.txt.
    The Assistant owns the one it answers with; consumers without an assistant (the report) use load_lexicon."""
    text = (resources.files("rag.data") / "benefits.toml").read_text(encoding="utf-8")
    return Lexicon(
        parse_benefits(text), tuple(_place_names(seeds_dir)), parse_expansions(text), parse_measures(text)
    )


@lru_cache(maxsize=4)
def _lexicon_of(seeds_dir: Path) -> Lexicon:
    return build_lexicon(seeds_dir)


def load_lexicon(seeds_dir: Path | None = None) -> Lexicon:
    """The lexicon of a seeds folder (default: the configured one), built once until forget_cached (a reload)."""
    return _lexicon_of(Path(seeds_dir or load_settings().seeds_dir).resolve())


load_lexicon.cache_clear = forget_cached  # type: ignore[attr-defined]  # what tests and older callers call
