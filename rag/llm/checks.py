"""Checks on a model's reply, done in code: citations refer to given clauses, numbers come from the cited clauses.

Scope of a number: the sentence it is in (with the [n] marks that follow it); a sentence without marks uses the
marks of its line; a line without marks uses every mark of the reply. Numbers are compared as digit sequences
after NFKC (１０ -> 10), with decimals and %, so 10天 and 10 are the same number; Chinese numerals followed by a
unit (十天, 一百八十天, 两个月) are converted and checked too, so a rephrased number cannot slip through.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_MARK_BODY = r"[0-9０-９]+(?:\s*[,，、]\s*[0-9０-９]+)*"
CITE = re.compile(rf"[\[［【]\s*({_MARK_BODY})\s*[\]］】]")
_CITE_NC = rf"[\[［【]\s*{_MARK_BODY}\s*[\]］】]"
_UNIT = re.compile(rf"[^。！？!?；;\n]+[。！？!?；;]*(?:\s*{_CITE_NC})*")
_NUM = re.compile(r"\d+(?:\.\d+)?(?:\s?%)?")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = re.compile(
    r"[零〇一二两三四五六七八九十百千万]+(?=个月|周岁|岁|天|日|周|月|年|元|倍|小时|%|％|个百分点)"
)
MAX_REPLY_CHARS = 2000


def marks(text: str) -> list[int]:
    """Clause numbers cited in `text`, in order of appearance (repeats kept)."""
    out = []
    for m in CITE.finditer(text):
        out += [int(unicodedata.normalize("NFKC", x)) for x in re.split(r"\s*[,，、]\s*", m.group(1).strip())]
    return out


def _cn_value(run: str) -> int | None:
    if not any(c in _CN_DIGITS for c in run):
        return None
    if not any(c in _CN_UNITS or c == "万" for c in run):
        return int("".join(str(_CN_DIGITS[c]) for c in run))  # 二〇二五 -> 2025
    total = section = num = 0
    for c in run:
        if c in _CN_DIGITS:
            num = _CN_DIGITS[c]
        elif c == "万":
            total, section, num = (total + section + num) * 10000, 0, 0
        else:
            section, num = section + (num or 1) * _CN_UNITS[c], 0
    return total + section + num


def _canon(tok: str) -> str:
    tok = tok.replace(" ", "")
    pct = tok.endswith("%")
    tok = tok.rstrip("%")
    if "." in tok:
        tok = tok.rstrip("0").rstrip(".")
    tok = tok.lstrip("0") or "0"
    return tok + ("%" if pct else "")


def numbers(text: str) -> set[str]:
    """Canonical numbers in `text` (citation marks excluded): digit runs with decimals and %, Chinese numerals with a unit."""
    t = unicodedata.normalize("NFKC", text)
    t = CITE.sub(" ", t)
    t = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", t)  # 1,000 -> 1000
    out = {_canon(m.group()) for m in _NUM.finditer(t)}
    for m in _CN_NUM.finditer(t):
        v = _cn_value(m.group())
        if v is not None:
            out.add(str(v))
    return out


def clause_numbers(text: str) -> set[str]:
    """Numbers a reply may use from a clause: its own numbers, and each percentage also without the % sign."""
    nums = numbers(text)
    return nums | {n.rstrip("%") for n in nums}


@dataclass
class Verdict:
    ok: bool
    reason: str = ""
    text: str = ""  # the reply with marks renumbered 1..k in order of first use
    order: list[int] = field(default_factory=list)  # given clause numbers (1-based), in the new order
    # given clause number -> the numbers the reply took from it
    used: dict[int, set[str]] = field(default_factory=dict)


def _leaks(reply: str, system_prompt: str) -> bool:
    compact = re.sub(r"\s+", "", reply)
    for line in system_prompt.splitlines():
        line = re.sub(r"^\s*\d+[.、]\s*", "", line).strip()
        if len(line) >= 16 and re.sub(r"\s+", "", line)[:16] in compact:
            return True
    return False


def check_reply(reply: str, clause_texts: list[str], system_prompt: str = "") -> Verdict:
    """Passes only a reply whose every [n] is a given clause and whose every number occurs in the clauses it cites."""
    text = (reply or "").strip()
    if not text:
        return Verdict(False, "empty reply")
    if len(text) > MAX_REPLY_CHARS:
        return Verdict(False, f"reply too long ({len(text)} chars)")
    cited = marks(text)
    if not cited:
        return Verdict(False, "reply cites no clause")
    k = len(clause_texts)
    bad = sorted({n for n in cited if not 1 <= n <= k})
    if bad:
        return Verdict(False, f"reply cites {bad} but only clauses 1..{k} were given")
    if system_prompt and _leaks(text, system_prompt):
        return Verdict(False, "reply repeats the system prompt")
    allowed = [clause_numbers(t) for t in clause_texts]
    used: dict[int, set[str]] = {}
    for line in text.split("\n"):
        line_marks = marks(line)
        for unit in _UNIT.findall(line):
            nums = numbers(unit)
            if not nums:
                continue
            scope = sorted(set(marks(unit) or line_marks or cited))
            pool = set().union(*(allowed[n - 1] for n in scope))
            missing = sorted(nums - pool)
            if missing:
                return Verdict(False, f"number(s) {missing} not in cited clause(s) {scope}")
            for n in scope:
                used.setdefault(n, set()).update(nums & allowed[n - 1])
    order = list(dict.fromkeys(cited))
    new = {old: i for i, old in enumerate(order, 1)}

    def renumber(m: re.Match) -> str:
        olds = dict.fromkeys(
            int(unicodedata.normalize("NFKC", x)) for x in re.split(r"\s*[,，、]\s*", m.group(1).strip())
        )
        return "".join(f"[{new[o]}]" for o in olds)

    return Verdict(True, "", CITE.sub(renumber, text), order, used)
