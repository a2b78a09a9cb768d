"""The cross-region benefits table (各地对比): for each region and each main benefit of the lexicon, what its plan
says, extracted by rules from the clauses at index time and never typed in by hand.

A cell holds every value VERBATIM from its clause (number + unit text) with its qualifier (不少于 / 每年 / 累计 …)
and condition (who, which child, until when), the clause id and the verbatim sentence; a benefit a plan names
without a number is "no_number", one it does not name is "未规定". Tiered rules keep every tier (one value each).

How a sentence is read (the vocabulary is data: [table_rules] in rag/data/benefits.toml):
- the sentence is cut into segments at commas; a benefit is named by one of its plan wordings (lexicon, with
  look-alikes resolved against the sentence: 男方…护理假 is the spouse's leave, 独生子女…护理假 is not);
- its values are the numbers of the benefit's kind (天数: 天/日/个月, 金额: 元, 比例: % / 个百分点) in that segment,
  or, when it has none, in the next one or two segments that name no other benefit ("设立父母育儿假，…每年各享受
  10天假期"); a segment naming several benefits gets no value (it could not be attributed);
- numbers joined by 、 are tiers; each tier's condition is the text before its number (二孩 / 三孩);
- the condition also takes condition-like segments before the value (…住院的，在子女3周岁前);
- a value stated as an increase (增加 60天产假) is filed under the benefit's extension (延长产假).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..config import tomllib
from ..ingest.chunker import chunk_sentences
from ..question.lexicon import Benefit, Lexicon, load_lexicon
from ..text.normalize import normalize_query

RULES_VERSION = "1"  # bump when the extraction code changes; the data's hash is added automatically
FILE = "benefits.json"
VALUE, NO_NUMBER, NOT_COVERED = "value", "no_number", "未规定"

_NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
_UNIT_PATTERNS = {
    # 90天内 / 3周岁 / 60周岁后 are conditions, not values
    "天数": re.compile(rf"({_NUM})\s*(天|日|个月)(?!内|以内|后|前)"),
    "金额": re.compile(rf"({_NUM})\s*(万元|元)"),
    "比例": re.compile(rf"({_NUM})\s*(%|％|个百分点|百分点)"),
}
_CANONICAL_UNIT = {"天": "天", "日": "天", "个月": "月", "元": "元", "万元": "元", "%": "%", "％": "%"}
_CANONICAL_UNIT.update({"个百分点": "百分点", "百分点": "百分点"})
_SEGMENT = re.compile(r"[，,：:]")


@dataclass(frozen=True)
class Value:
    text: str  # verbatim from the clause: number + unit ("不少于" etc. are in qualifier)
    number: float | None  # parsed, in `unit` (万元 -> 元)
    unit: str  # canonical unit: 天 / 月 / 元 / % / 百分点
    qualifier: str  # qualifier words in text order, joined by "、" (每年、累计、不少于)
    condition: str  # who / which child / until when: verbatim pieces joined by "，"

    @property
    def bound(self) -> str:
        """How the number bounds the benefit: "at_least" (不少于10天), "at_most" (不超过15天), "relative" (增加60天,
        提高5个百分点: an increase over a base the plan does not state) or "exact". Comparing two values is
        only a verdict when both are "exact", or when the bounds still order them (at_least 20 > exact 10)."""
        words = set(self.qualifier.split("、"))
        r = _rules()
        for name, vocab in (("relative", r.relative), ("at_least", r.at_least), ("at_most", r.at_most)):
            if words & set(vocab):
                return name
        return "exact"


@dataclass(frozen=True)
class Cell:
    region: str  # slug
    benefit: str  # lexicon key
    status: str  # "value" | "no_number" | "未规定"
    values: tuple[Value, ...] = ()
    clause_id: str = ""
    sentence: str = ""  # the verbatim sentence the values come from

    def to_dict(self) -> dict:
        d = asdict(self)
        d["values"] = [{**asdict(v), "bound": v.bound} for v in self.values]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Cell:
        values = tuple(Value(**{k: x for k, x in v.items() if k != "bound"}) for v in d.get("values", ()))
        return cls(**{**d, "values": values})


@dataclass(frozen=True)
class Region:
    slug: str
    name: str


class BenefitsTable:
    def __init__(self, regions: list[Region], benefits: list[Benefit] | list[dict], cells: list[Cell]):
        self.regions = list(regions)
        self.benefits = [
            b if isinstance(b, dict) else {"key": b.key, "unit": b.unit, "group": b.group} for b in benefits
        ]
        self._cells = {(c.region, c.benefit): c for c in cells}
        self._keys = [b["key"] for b in self.benefits]

    @property
    def benefit_keys(self) -> list[str]:
        return list(self._keys)

    def region_name(self, slug: str) -> str:
        return next((r.name for r in self.regions if r.slug == slug), slug)

    def get(self, region: str, benefit: str) -> Cell:
        """The cell; "未规定" when the plan does not name the benefit. KeyError for an unknown region or benefit."""
        if benefit not in self._keys or region not in {r.slug for r in self.regions}:
            raise KeyError((region, benefit))
        return self._cells.get((region, benefit)) or Cell(region, benefit, NOT_COVERED)

    def row(self, benefit: str) -> list[Cell]:
        """One cell per region, in documents.toml order."""
        return [self.get(r.slug, benefit) for r in self.regions]

    def row_dict(self, benefit: str) -> dict:
        """The JSON of one benefit across regions (what `rag compare --json` and /api/compare return)."""
        meta = next(b for b in self.benefits if b["key"] == benefit)
        return {
            "benefit": benefit,
            "unit": meta["unit"],
            "rows": [{**c.to_dict(), "region_name": self.region_name(c.region)} for c in self.row(benefit)],
        }

    def to_dict(self) -> dict:
        return {
            "regions": [asdict(r) for r in self.regions],
            "benefits": self.benefits,
            "cells": [c.to_dict() for c in self._cells.values()],
        }

    @classmethod
    def from_dict(cls, d: dict) -> BenefitsTable:
        return cls(
            [Region(**r) for r in d["regions"]], d["benefits"], [Cell.from_dict(c) for c in d["cells"]]
        )


# -- rules ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Rules:
    qualifiers: tuple[str, ...]
    verbs: tuple[str, ...]
    increase: tuple[str, ...]
    condition_starts: tuple[str, ...]
    condition_ends: tuple[str, ...]
    condition_words: tuple[str, ...]
    at_least: tuple[str, ...] = ()
    at_most: tuple[str, ...] = ()
    relative: tuple[str, ...] = ()


def _data_text() -> str:
    return (resources.files("rag.data") / "benefits.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    r = tomllib.loads(_data_text()).get("table_rules", {})
    by_len = lambda xs: tuple(sorted(xs, key=len, reverse=True))  # noqa: E731
    return _Rules(
        by_len(r.get("qualifiers", ())),
        by_len(r.get("verbs", ())),
        tuple(r.get("increase", ())),
        tuple(r.get("condition_starts", ())),
        tuple(r.get("condition_ends", ())),
        tuple(r.get("condition_words", ())),
        tuple(r.get("at_least", ())),
        tuple(r.get("at_most", ())),
        tuple(r.get("relative", ())),
    )


@lru_cache(maxsize=1)
def rules_version() -> str:
    """Changes whenever the benefits, the table rules or the extraction code change (not the query expansions,
    which the table does not read): the stored table is then rebuilt."""
    data = tomllib.loads(_data_text())
    used = json.dumps([data.get("benefit"), data.get("table_rules")], ensure_ascii=False, sort_keys=True)
    return RULES_VERSION + ":" + hashlib.sha256(used.encode("utf-8")).hexdigest()[:16]


def _number(text: str) -> float:
    return float(unicodedata.normalize("NFKC", text))


def _qualifiers_in(text: str) -> list[str]:
    out, i = [], 0
    quals = _rules().qualifiers
    while i < len(text):
        q = next((q for q in quals if text.startswith(q, i)), None)
        if q:
            out.append(q)
            i += len(q)
        else:
            i += 1
    return out


def _strip_ends(text: str, words: list[str]) -> str:
    """`text` without qualifier words and benefit wordings at either end (stays a verbatim substring)."""
    pool = sorted(set(_rules().qualifiers) | set(words), key=len, reverse=True)
    changed = True
    while changed and text:
        changed = False
        text = text.strip(" 　的")
        for w in pool:
            if w and text.startswith(w):
                text, changed = text[len(w) :], True
            if w and text.endswith(w):
                text, changed = text[: -len(w)], True
    return text.strip(" 　")


def _is_condition(seg: str) -> bool:
    r = _rules()
    s = seg.strip()
    return bool(s) and (
        s.startswith(r.condition_starts)
        or s.endswith(r.condition_ends)
        or any(w in s for w in r.condition_words)
    )


def _part_values(part: str, pattern: re.Pattern, wordings: list[str]) -> list[tuple[re.Match, str, str]]:
    """(number match, in-part condition, qualifier) for each number in one tier part."""
    out = []
    prev_end = 0
    matches = list(pattern.finditer(part))
    for k, m in enumerate(matches):
        prefix = part[prev_end : m.start()]
        nxt = matches[k + 1].start() if k + 1 < len(matches) else len(part)
        suffix = part[m.end() : nxt]
        verb = None
        for v in _rules().verbs:
            pos = prefix.rfind(v)
            if pos >= 0 and (verb is None or pos > verb[0]):
                verb = (pos, pos + len(v))
        if verb:
            obj = _strip_ends(prefix[verb[1] :], wordings)
            cond = obj or _strip_ends(prefix[: verb[0]], wordings)
        else:
            cond = _strip_ends(prefix, wordings)
        rest = prefix.replace(cond, " ", 1) if cond else prefix
        for w in wordings:
            suffix = suffix.replace(w, " ")
        quals = _qualifiers_in(rest) + _qualifiers_in(suffix)
        out.append((m, cond, "、".join(dict.fromkeys(quals))))
        prev_end = m.end()
    return out


@dataclass
class _Mention:
    benefit: str
    values: tuple[Value, ...]
    sentence: str
    by_key: bool  # named by the benefit's own key (生育津贴), not only a looser wording (生育保险)


def _read_sentence(sentence: str, lexicon: Lexicon) -> list[_Mention]:
    segs = [s for s in _SEGMENT.split(sentence)]
    norm = [normalize_query(s) for s in segs]
    named: dict[int, list[Benefit]] = {}
    by_key: dict[str, bool] = {}  # benefit -> named by its own key somewhere in the sentence
    ctx_start = 0
    for i, seg in enumerate(norm):
        # look-alikes are resolved against this segment and the unattributed segments before it: in
        # "男方享受护理假20天，独生子女父母患病住院的，其子女享受护理假10天" each 护理假 has its own context
        ctx = ",".join(norm[ctx_start : i + 1])
        found = [m for m in lexicon.matches(ctx, wordings_only=True) if m.start >= len(ctx) - len(seg)]
        for m in found:
            lst = named.setdefault(i, [])
            if m.benefit not in lst:
                lst.append(m.benefit)
            by_key[m.benefit.key] = by_key.get(m.benefit.key, False) or m.surface == m.benefit.key
        if found:
            ctx_start = i + 1
    out: list[_Mention] = []
    for i, benefits in sorted(named.items()):
        for b in benefits:
            pattern = _UNIT_PATTERNS.get(b.unit)
            values: list[Value] = []
            rivals = [
                x for x in benefits if x.unit == b.unit
            ]  # a number between two 天数 benefits is nobody's
            if pattern and len(rivals) == 1:
                values = _values_for(b, i, segs, named, pattern, lexicon)
            out.append(_Mention(b.key, tuple(values), sentence, by_key[b.key]))
    return out


def _values_for(
    b: Benefit,
    i: int,
    segs: list[str],
    named: dict[int, list[Benefit]],
    pattern: re.Pattern,
    lexicon: Lexicon,
) -> list[Value]:
    wordings = [w for x in lexicon.benefits for w in x.wordings]
    verbs = list(_rules().verbs)
    claims = lambda k: any(x.unit == b.unit for x in named.get(k, ()))  # noqa: E731
    j = i
    while not pattern.search(
        segs[j]
    ):  # the value may follow in the next segments ("设立父母育儿假，…10天假期")
        j += 1
        if j >= len(segs) or j > i + 2 or claims(j):
            return []
    # condition-like segments before the value, back to the previous benefit of its kind or the sentence start
    pre: list[str] = []
    k = j - 1
    while k >= 0 and (k == i or not (claims(k) or pattern.search(segs[k]))):
        if k == i and j != i:
            # the naming segment qualifies a value read further on, unless it only names the benefit (设立父母育儿假)
            if len(_strip_ends(segs[k], wordings + verbs + ["设立", "实施", "建立"])) >= 4:
                pre.insert(0, segs[k].strip())
        elif k != i and _is_condition(segs[k]):
            pre.insert(0, segs[k].strip())
        k -= 1
    seg = segs[j]
    parts = [p for p in re.split(r"(?<=[、])", seg)] if len(pattern.findall(seg)) > 1 else [seg]
    values = []
    for part in parts:
        for m, cond, qual in _part_values(part, pattern, wordings):
            condition = "，".join(x for x in [*pre, cond] if x)
            raw_unit = m.group(2)
            number = _number(m.group(1)) * (10000 if raw_unit == "万元" else 1)
            values.append(Value(m.group(0), number, _CANONICAL_UNIT[raw_unit], qual, condition))
    return values


def build_table(chunks, docs, lexicon: Lexicon | None = None) -> BenefitsTable:
    """The table from the chunks (in document order) for the regions of `docs` (anything with slug, region_name)."""
    lexicon = lexicon or load_lexicon()
    main = [b for b in lexicon.benefits if b.table]
    main_keys = {b.key for b in main}
    regions = [d if isinstance(d, Region) else Region(d.slug, d.region_name) for d in docs]
    best: dict[tuple[str, str], tuple[tuple[bool, bool], Cell]] = {}
    for c in chunks:
        for sent in chunk_sentences(c.text):
            sentence = sent.rstrip("；;，, ")
            for mention in _read_sentence(sentence, lexicon):
                b = lexicon.get(mention.benefit)
                for key, values in _file(b, mention.values, lexicon):
                    if key not in main_keys:
                        continue
                    cell = Cell(c.slug, key, VALUE if values else NO_NUMBER, values, c.id, sentence)
                    # first in document order, but a value beats a bare mention and the key beats a wording
                    rank = (bool(values), mention.by_key and key == b.key)
                    if (c.slug, key) not in best or rank > best[(c.slug, key)][0]:
                        best[(c.slug, key)] = (rank, cell)
    return BenefitsTable(regions, main, [cell for _, cell in best.values()])


def _file(b: Benefit, values: tuple[Value, ...], lexicon: Lexicon) -> list[tuple[str, tuple[Value, ...]]]:
    """Splits a mention's values between the benefit and its extension (增加 60天产假 is 延长产假)."""
    if not b.extension:
        return [(b.key, values)]
    inc = _rules().increase
    ext = tuple(v for v in values if any(w in v.qualifier.split("、") for w in inc))
    base = tuple(v for v in values if v not in ext)
    out = []
    if base or not ext:
        out.append((b.key, base))
    if ext:
        out.append((b.extension, ext))
        if not base:
            out.append((b.key, ()))  # the base benefit is named (国家规定的产假) without its own number
    return out


# -- index hooks ----------------------------------------------------------------------------------------------
def write_table(build_dir: Path, chunks, docs) -> dict:
    """Writes benefits.json into a build folder; returns its manifest entry (file, rules version, checksum)."""
    table = build_table(chunks, docs)
    path = Path(build_dir) / FILE
    data = json.dumps(table.to_dict(), ensure_ascii=False).encode("utf-8")
    path.write_bytes(data)
    return {"file": FILE, "version": rules_version(), "sha256": hashlib.sha256(data).hexdigest()}


def load_table(build_dir: Path, manifest: dict, chunks) -> BenefitsTable:
    """The stored table when it is intact and current; otherwise (an older build, a changed lexicon, a damaged
    file) the same table rebuilt from the chunks in memory, which takes milliseconds and needs no model."""
    entry = manifest.get("benefits") if isinstance(manifest.get("benefits"), dict) else {}
    if entry.get("version") == rules_version():
        try:
            data = (Path(build_dir) / FILE).read_bytes()
            if hashlib.sha256(data).hexdigest() == entry.get("sha256"):
                return BenefitsTable.from_dict(json.loads(data))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    order = list(dict.fromkeys(manifest.get("documents", ()))) or list(dict.fromkeys(c.slug for c in chunks))
    names = {c.slug: c.region_name for c in chunks}
    return build_table(chunks, [Region(s, names.get(s, s)) for s in order])


class LazyTable:
    """The benefits table, read on first use: at national scale (issue 25) the stored table is 10 MB of JSON,
    0.4 s of a cold start whose target is 5 s, and most questions (one region, one fact) never read it. The
    first question that does (a comparison, a yes/no, a question without a place) pays that once; attribute
    access is delegated to the loaded BenefitsTable, under a lock so that concurrent requests load it once."""

    def __init__(self, load):
        self._load, self._table, self._lock = load, None, threading.Lock()

    def loaded(self) -> BenefitsTable:
        if self._table is None:
            with self._lock:
                if self._table is None:
                    self._table = self._load()
        return self._table

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_load", "_table", "_lock"):
            raise AttributeError(name)
        return getattr(self.loaded(), name)
